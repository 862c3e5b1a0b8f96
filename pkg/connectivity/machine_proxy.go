package connectivity

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/hybridmgmt/hybridmgmt/pkg/netproxy"
)

// proxyCheck compares what Network Service uses (agent .exe.config, then
// machine.config, then WinHTTP) with the admin's own WinINET proxy: a
// browser that works while the agent does not is the classic symptom.
func proxyCheck(m MachineSource) Result {
	o := &outcome{}
	programFiles := orDefault(m.Getenv("ProgramFiles"), `C:\Program Files`)
	systemRoot := orDefault(m.Getenv("SystemRoot"), `C:\Windows`)
	files := []struct{ label, path string }{
		{"agent .exe.config", programFiles + `\Microsoft Hybrid Service\Microsoft.Online.EME.Hybrid.Agent.Service.exe.config`},
		{"machine.config", systemRoot + `\Microsoft.NET\Framework64\v4.0.30319\Config\machine.config`},
	}
	var configs []netproxy.ConfigFile
	for _, f := range files {
		data, err := m.ReadFile(f.path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			o.fail(CauseMachineConfig, "cannot read "+f.path+": "+err.Error(), "Run as an administrator.")
			return machineResult(nameProxy, o)
		}
		configs = append(configs, netproxy.ConfigFile{Label: f.label, Data: data})
	}
	var winhttp netproxy.Settings
	if blob, found, err := m.RegistryBinary(winHTTPKey, "WinHttpSettings"); err == nil && found {
		if s, err := netproxy.DecodeWinHTTPSettings(blob); err == nil {
			winhttp = s
		}
	}
	svc, err := netproxy.EffectiveServiceProxy(configs, winhttp)
	if err != nil {
		o.fail(CauseMachineConfig, "cannot parse the proxy configuration: "+err.Error(), "Fix the XML of the agent's .exe.config or machine.config.")
		return machineResult(nameProxy, o)
	}
	user := readWinINET(m)
	o.note("Network Service: " + svc.Describe())
	o.note("you (WinINET): " + user.Describe())
	if serviceKey(svc) != userKey(user) {
		o.warn(CauseMachineConfig, "the agent (Network Service) and your browser use different proxies: a browser test proves nothing about the agent",
			"Set the agent's proxy with ConfigureOutBoundProxy.ps1 -ProxyAddress http://proxy:port (it writes defaultProxy into the agent's .exe.config), "+
				"or netsh winhttp set proxy, or make sure the direct path is open; then restart mshybridsvc.")
	}
	return machineResult(nameProxy, o)
}

// serviceKey and userKey reduce both sides to one comparable value:
// the proxy address, the PAC script, or direct.
func serviceKey(s netproxy.ServiceProxy) string {
	if s.Proxy != "" {
		return s.Proxy
	}
	if strings.HasPrefix(s.Note, "PAC script ") {
		return strings.ToLower(s.Note)
	}
	return "direct"
}

func userKey(w netproxy.WinINET) string {
	if w.Proxy() != "" {
		return w.Proxy()
	}
	if w.AutoConfigURL != "" {
		return strings.ToLower("PAC script " + w.AutoConfigURL)
	}
	return "direct"
}

func readWinINET(m MachineSource) netproxy.WinINET {
	var w netproxy.WinINET
	if v, found, err := m.RegistryDWORD(winINETKey, "ProxyEnable"); err == nil && found {
		w.ProxyEnable = v != 0
	}
	if v, found, err := m.RegistryString(winINETKey, "ProxyServer"); err == nil && found {
		w.ProxyServer = v
	}
	if v, found, err := m.RegistryString(winINETKey, "AutoConfigURL"); err == nil && found {
		w.AutoConfigURL = v
	}
	return w
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
