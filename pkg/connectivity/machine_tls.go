package connectivity

import (
	"errors"
	"fmt"
	"strings"
)

// schannelCheck follows Windows' defaults: absent keys mean TLS 1.2 is
// enabled (the original module called that "not enabled"). Both roles
// are reported, never stopping at the first finding.
func schannelCheck(m MachineSource) Result {
	o := &outcome{}
	var bad []string
	for _, role := range []string{"Client", "Server"} {
		key := schannelTLS12 + role
		enabled, enFound, err1 := m.RegistryDWORD(key, "Enabled")
		dbd, dbdFound, err2 := m.RegistryDWORD(key, "DisabledByDefault")
		if err := errors.Join(err1, err2); err != nil {
			o.fail(CauseMachineConfig, fmt.Sprintf("cannot read %s: %v", key, err), "Run as an administrator.")
			continue
		}
		var f []string
		switch {
		case !enFound:
			f = append(f, "Enabled absent (default: enabled)")
		case enabled == 0:
			f = append(f, "Enabled=0 (disabled)")
			bad = append(bad, role+" Enabled=0")
		default:
			f = append(f, fmt.Sprintf("Enabled=%d", enabled))
		}
		switch {
		case !dbdFound:
			f = append(f, "DisabledByDefault absent (default: 0)")
		case dbd != 0:
			f = append(f, fmt.Sprintf("DisabledByDefault=%d (disabled unless an application asks for it)", dbd))
			bad = append(bad, role+" DisabledByDefault=1")
		default:
			f = append(f, "DisabledByDefault=0")
		}
		o.note(role + ": " + strings.Join(f, ", "))
	}
	if len(bad) > 0 {
		o.fail(CauseMachineConfig, "TLS 1.2 is disabled in SCHANNEL: "+strings.Join(bad, ", "),
			`Set HKLM\`+strings.TrimPrefix(schannelTLS12, `HKLM\`)+`{Client,Server} Enabled=1 and DisabledByDefault=0, then reboot.`)
	}
	return machineResult(nameSchannel, o)
}

// strongCryptoCheck reads both .NET views (64- and 32-bit). Explicit 0 is
// a failure (legacy protocols forced); absent is a warning because the
// connector documentation asks for both values set to 1.
func strongCryptoCheck(m MachineSource) Result {
	o := &outcome{}
	var absent, zero []string
	for _, key := range []string{netFx64, netFx32} {
		view := "64-bit"
		if key == netFx32 {
			view = "32-bit"
		}
		var f []string
		for _, name := range []string{"SchUseStrongCrypto", "SystemDefaultTlsVersions"} {
			v, found, err := m.RegistryDWORD(key, name)
			switch {
			case err != nil:
				o.fail(CauseMachineConfig, fmt.Sprintf("cannot read %s %s: %v", key, name, err), "Run as an administrator.")
			case !found:
				f = append(f, name+" absent")
				absent = append(absent, view+" "+name)
			case v == 0:
				f = append(f, name+"=0")
				zero = append(zero, view+" "+name)
			default:
				f = append(f, fmt.Sprintf("%s=%d", name, v))
			}
		}
		o.note(view + ": " + strings.Join(f, ", "))
	}
	fix := `Set SchUseStrongCrypto=1 and SystemDefaultTlsVersions=1 (REG_DWORD) under HKLM\SOFTWARE\Microsoft\.NETFramework\v4.0.30319 and HKLM\SOFTWARE\WOW6432Node\Microsoft\.NETFramework\v4.0.30319, then reboot.`
	if len(zero) > 0 {
		o.fail(CauseMachineConfig, ".NET is told not to use strong crypto or the OS TLS defaults: "+strings.Join(zero, ", ")+" set to 0", fix)
	}
	if len(absent) > 0 {
		o.warn(CauseMachineConfig, ".NET strong crypto is not configured: "+strings.Join(absent, ", ")+" absent", fix)
	}
	return machineResult(nameStrong, o)
}

// netFxReleases maps the Release value to product versions (Microsoft's
// "determine which .NET Framework versions are installed" table).
var netFxReleases = []struct {
	release uint32
	name    string
}{
	{533320, "4.8.1"}, {528040, "4.8"}, {461808, "4.7.2"}, {461308, "4.7.1"}, {460798, "4.7"},
	{394802, "4.6.2"}, {394254, "4.6.1"}, {393295, "4.6"}, {379893, "4.5.2"}, {378675, "4.5.1"}, {378389, "4.5"},
}

func netFxName(release uint32) string {
	for _, r := range netFxReleases {
		if release >= r.release {
			return r.name
		}
	}
	return "older than 4.5"
}

func netFxCheck(m MachineSource) Result {
	o := &outcome{}
	rel, found, err := m.RegistryDWORD(ndpFull, "Release")
	switch {
	case err != nil:
		o.fail(CauseMachineConfig, "cannot read the .NET Framework release: "+err.Error(), "Run as an administrator.")
	case !found:
		o.fail(CauseMachineConfig, ".NET Framework 4.x is not installed", "Install .NET Framework 4.7.2 or later (4.8 recommended).")
	default:
		o.note(fmt.Sprintf("Release %d (.NET Framework %s)", rel, netFxName(rel)))
		if rel < release461808 {
			o.fail(CauseMachineConfig, fmt.Sprintf(".NET Framework %s is older than 4.7.2", netFxName(rel)), "Install .NET Framework 4.7.2 or later (4.8 recommended), then reboot.")
		}
	}
	return machineResult(nameNetFx, o)
}
