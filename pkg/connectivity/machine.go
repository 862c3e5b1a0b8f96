package connectivity

import "strings"

// MachineSource reads raw Windows configuration. The Windows version is a
// thin wrapper over the registry, the service manager and the file
// system; every interpretation (absent = enabled, which proxy applies) is
// here, OS-independent and table-tested with a fake.
type MachineSource interface {
	// RegistryDWORD reads a REG_DWORD; found is false when the key or
	// value is absent. Paths start with HKLM\ or HKCU\.
	RegistryDWORD(path, name string) (v uint32, found bool, err error)
	RegistryString(path, name string) (v string, found bool, err error)
	RegistryBinary(path, name string) (v []byte, found bool, err error)
	// Service reports an installed service's state; installed is false
	// when it does not exist.
	Service(name string) (state string, installed bool, err error)
	// ReadFile returns an fs.ErrNotExist error for a missing file.
	ReadFile(path string) ([]byte, error)
	Getenv(name string) string
}

const (
	schannelTLS12 = `HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\`
	netFx64       = `HKLM\SOFTWARE\Microsoft\.NETFramework\v4.0.30319`
	netFx32       = `HKLM\SOFTWARE\WOW6432Node\Microsoft\.NETFramework\v4.0.30319`
	ndpFull       = `HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full`
	winHTTPKey    = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections`
	winINETKey    = `HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings`
	agentService  = "mshybridsvc"
	// release461808 is .NET Framework 4.7.2, the agent's minimum (X1).
	release461808 = 461808
)

// Names of the machine checks; results sort by name within "Machine".
const (
	nameSchannel = "TLS 1.2 (SCHANNEL client and server)"
	nameStrong   = ".NET strong crypto (SchUseStrongCrypto, SystemDefaultTlsVersions)"
	nameNetFx    = ".NET Framework 4.7.2 or later"
	nameService  = "Hybrid Agent service (mshybridsvc)"
	nameProxy    = "Proxy for Network Service"
)

// machineChecks returns the five Windows checks, Skipped with a reason
// when they cannot or should not run: they are never silently absent.
func (p *Prober) machineChecks(skip string) []Result {
	names := []string{nameSchannel, nameStrong, nameNetFx, nameService, nameProxy}
	if skip == "" && p.Machine == nil {
		skip = systemSkipReason()
	}
	if skip != "" {
		out := make([]Result, len(names))
		for i, n := range names {
			out[i] = Result{Category: catMachine, Name: n, Check: "machine", Status: Skipped, Cause: CauseNotRun, Detail: skip}
		}
		return out
	}
	m := p.Machine
	return []Result{schannelCheck(m), strongCryptoCheck(m), netFxCheck(m), serviceCheck(m), proxyCheck(m)}
}

func machineResult(name string, o *outcome) Result {
	return o.result(Endpoint{Category: catMachine, Name: name, Check: "machine"}, 0)
}

// serviceCheck: a missing service is Skipped, not Failed, because the
// tool is also run before the HCW installs the agent and on Mailbox
// servers that never host it.
func serviceCheck(m MachineSource) Result {
	o := &outcome{}
	state, installed, err := m.Service(agentService)
	switch {
	case err != nil:
		o.fail(CauseMachineConfig, "cannot query the service manager: "+err.Error(), "Run as an administrator.")
	case !installed:
		o.status = Skipped
		o.note("not installed on this machine (the HCW installs it on the agent machine)")
	case state != "Running":
		o.note("installed, " + state)
		o.fail(CauseMachineConfig, "the Microsoft Hybrid Service is "+strings.ToLower(state), "Start it (Start-Service mshybridsvc) and check %ProgramData%\\Microsoft Hybrid Service\\Logging if it stops again.")
	default:
		o.note("installed, Running")
	}
	return machineResult(nameService, o)
}
