package connectivity

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeMachine is a Windows machine as data: registry values by
// "path|name", files by path, services by name.
type fakeMachine struct {
	dwords   map[string]uint32
	strs     map[string]string
	bins     map[string][]byte
	files    map[string]string
	services map[string]string
	err      error
}

func (f *fakeMachine) RegistryDWORD(path, name string) (uint32, bool, error) {
	if f.err != nil {
		return 0, false, f.err
	}
	v, ok := f.dwords[path+"|"+name]
	return v, ok, nil
}

func (f *fakeMachine) RegistryString(path, name string) (string, bool, error) {
	v, ok := f.strs[path+"|"+name]
	return v, ok, nil
}

func (f *fakeMachine) RegistryBinary(path, name string) ([]byte, bool, error) {
	v, ok := f.bins[path+"|"+name]
	return v, ok, nil
}

func (f *fakeMachine) Service(name string) (string, bool, error) {
	if f.err != nil {
		return "", false, f.err
	}
	s, ok := f.services[name]
	return s, ok, nil
}

func (f *fakeMachine) ReadFile(path string) ([]byte, error) {
	if s, ok := f.files[path]; ok {
		return []byte(s), nil
	}
	return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
}

func (f *fakeMachine) Getenv(string) string { return "" }

const (
	tlsClient   = schannelTLS12 + "Client"
	tlsServer12 = schannelTLS12 + "Server"
)

func TestSchannelCheck(t *testing.T) {
	tests := []struct {
		name   string
		dwords map[string]uint32
		status Status
		detail string
		err    string
	}{
		{"absent keys are Windows' default: enabled", nil, Passed,
			"Client: Enabled absent (default: enabled), DisabledByDefault absent (default: 0); Server: Enabled absent (default: enabled), DisabledByDefault absent (default: 0)", ""},
		{"explicitly enabled", map[string]uint32{tlsClient + "|Enabled": 0xffffffff, tlsClient + "|DisabledByDefault": 0, tlsServer12 + "|Enabled": 1, tlsServer12 + "|DisabledByDefault": 0}, Passed,
			"Client: Enabled=4294967295, DisabledByDefault=0; Server: Enabled=1, DisabledByDefault=0", ""},
		{"every finding is reported, not only the first", map[string]uint32{tlsClient + "|Enabled": 0, tlsServer12 + "|DisabledByDefault": 1}, Failed,
			"Client: Enabled=0 (disabled), DisabledByDefault absent (default: 0); Server: Enabled absent (default: enabled), DisabledByDefault=1 (disabled unless an application asks for it)",
			"TLS 1.2 is disabled in SCHANNEL: Client Enabled=0, Server DisabledByDefault=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := schannelCheck(&fakeMachine{dwords: tt.dwords})
			assert.Equal(t, tt.status, r.Status)
			assert.Equal(t, tt.detail, r.Detail)
			assert.Equal(t, tt.err, r.Error)
			assert.Equal(t, "Machine", r.Category)
		})
	}
	r := schannelCheck(&fakeMachine{err: errors.New("access denied")})
	assert.Equal(t, Failed, r.Status)
	assert.Contains(t, r.Remediation, "administrator")
}

func TestStrongCryptoCheck(t *testing.T) {
	all := map[string]uint32{}
	for _, k := range []string{netFx64, netFx32} {
		all[k+"|SchUseStrongCrypto"] = 1
		all[k+"|SystemDefaultTlsVersions"] = 1
	}
	r := strongCryptoCheck(&fakeMachine{dwords: all})
	assert.Equal(t, Passed, r.Status)
	assert.Equal(t, "64-bit: SchUseStrongCrypto=1, SystemDefaultTlsVersions=1; 32-bit: SchUseStrongCrypto=1, SystemDefaultTlsVersions=1", r.Detail)

	r = strongCryptoCheck(&fakeMachine{dwords: map[string]uint32{netFx64 + "|SchUseStrongCrypto": 1, netFx64 + "|SystemDefaultTlsVersions": 1}})
	assert.Equal(t, Warning, r.Status)
	assert.Equal(t, ".NET strong crypto is not configured: 32-bit SchUseStrongCrypto, 32-bit SystemDefaultTlsVersions absent", r.Error)

	r = strongCryptoCheck(&fakeMachine{dwords: map[string]uint32{netFx64 + "|SchUseStrongCrypto": 0}})
	assert.Equal(t, Failed, r.Status)
	assert.Contains(t, r.Error, "64-bit SchUseStrongCrypto set to 0")
	assert.Contains(t, r.Error, "absent", "the absent values are reported too")
}

func TestNetFxAndService(t *testing.T) {
	for _, tt := range []struct {
		release *uint32
		status  Status
		detail  string
	}{
		{u32(533320), Passed, "Release 533320 (.NET Framework 4.8.1)"},
		{u32(461808), Passed, "Release 461808 (.NET Framework 4.7.2)"},
		{u32(394802), Failed, "Release 394802 (.NET Framework 4.6.2)"},
		{nil, Failed, ""},
	} {
		m := &fakeMachine{dwords: map[string]uint32{}}
		if tt.release != nil {
			m.dwords[ndpFull+"|Release"] = *tt.release
		}
		r := netFxCheck(m)
		assert.Equal(t, tt.status, r.Status, tt.detail)
		assert.Equal(t, tt.detail, r.Detail)
	}

	assert.Equal(t, Passed, serviceCheck(&fakeMachine{services: map[string]string{"mshybridsvc": "Running"}}).Status)
	r := serviceCheck(&fakeMachine{services: map[string]string{"mshybridsvc": "Stopped"}})
	assert.Equal(t, Failed, r.Status)
	assert.Contains(t, r.Remediation, "Start-Service mshybridsvc")
	r = serviceCheck(&fakeMachine{})
	assert.Equal(t, Skipped, r.Status, "not installed is not applicable, not a failure")
	assert.Contains(t, r.Detail, "not installed")
}

func u32(v uint32) *uint32 { return &v }

func winhttpValue(proxy string) []byte {
	var b []byte
	put := func(v uint32) { b = binary.LittleEndian.AppendUint32(b, v) }
	put(0x46)
	put(1)
	put(0x3)
	put(uint32(len(proxy)))
	b = append(b, proxy...)
	put(0)
	return b
}

func TestProxyCheck(t *testing.T) {
	agentCfg := `C:\Program Files\Microsoft Hybrid Service\Microsoft.Online.EME.Hybrid.Agent.Service.exe.config`
	withProxy := `<configuration><system.net><defaultProxy><proxy proxyaddress="http://proxy.contoso.com:8080" usesystemdefault="false"/></defaultProxy></system.net></configuration>`
	userProxy := map[string]uint32{winINETKey + "|ProxyEnable": 1}
	userServer := map[string]string{winINETKey + "|ProxyServer": "proxy.contoso.com:8080"}

	r := proxyCheck(&fakeMachine{files: map[string]string{agentCfg: withProxy}, dwords: userProxy, strs: userServer})
	assert.Equal(t, Passed, r.Status, r.Error)
	assert.Equal(t, "Network Service: http://proxy.contoso.com:8080 (agent .exe.config); you (WinINET): http://proxy.contoso.com:8080", r.Detail)

	// The classic case: the admin's browser has a proxy, the service none.
	r = proxyCheck(&fakeMachine{dwords: userProxy, strs: userServer})
	assert.Equal(t, Warning, r.Status)
	assert.Equal(t, "Network Service: direct (no defaultProxy in the service or machine configuration, no WinHTTP proxy); you (WinINET): http://proxy.contoso.com:8080", r.Detail)
	assert.Contains(t, r.Remediation, "ConfigureOutBoundProxy.ps1")

	// WinHTTP applies when neither config file sets one.
	r = proxyCheck(&fakeMachine{dwords: userProxy, strs: userServer,
		bins: map[string][]byte{winHTTPKey + "|WinHttpSettings": winhttpValue("proxy.contoso.com:8080")}})
	assert.Equal(t, Passed, r.Status, r.Error)
	assert.Contains(t, r.Detail, "(WinHTTP)")

	r = proxyCheck(&fakeMachine{files: map[string]string{`C:\Windows\Microsoft.NET\Framework64\v4.0.30319\Config\machine.config`: withProxy}})
	assert.Equal(t, Warning, r.Status, "the service has a proxy the admin does not use")
	assert.Contains(t, r.Detail, "(machine.config); you (WinINET): direct")

	// A PAC script for the admin and none for the service differ too.
	pac := map[string]string{winINETKey + "|AutoConfigURL": "http://wpad.contoso.com/proxy.pac"}
	r = proxyCheck(&fakeMachine{strs: pac})
	assert.Equal(t, Warning, r.Status)
	assert.True(t, strings.HasSuffix(r.Detail, "; you (WinINET): PAC script http://wpad.contoso.com/proxy.pac"), r.Detail)

	r = proxyCheck(&fakeMachine{files: map[string]string{agentCfg: `<configuration><system.net><defaultProxy>`}})
	assert.Equal(t, Failed, r.Status)
	assert.Contains(t, r.Error, "cannot parse the proxy configuration")
}

func TestMachineChecksThroughRun(t *testing.T) {
	p := &Prober{Machine: &fakeMachine{services: map[string]string{"mshybridsvc": "Running"}, dwords: map[string]uint32{ndpFull + "|Release": 528040}}}
	rs := p.Run(t.Context(), Plan{})
	require.Len(t, rs, 6)
	got := map[string]Status{}
	for _, r := range rs {
		got[r.Name] = r.Status
	}
	assert.Equal(t, map[string]Status{
		nameSchannel: Passed, nameStrong: Warning, nameNetFx: Passed, nameService: Passed, nameProxy: Passed,
		"Clock skew": Skipped,
	}, got)

	rs = p.Run(t.Context(), Plan{SkipMachine: "not run with --endpoints-file"})
	for _, r := range rs {
		if r.Name != "Clock skew" {
			assert.Equal(t, Skipped, r.Status)
			assert.Equal(t, "not run with --endpoints-file", r.Detail)
		}
	}
}
