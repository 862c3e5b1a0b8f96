package netproxy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDefaultProxy(t *testing.T) {
	tests := []struct {
		name string
		xml  string
		want DefaultProxy
		err  error
	}{
		{
			name: "what ConfigureOutBoundProxy.ps1 writes",
			xml: `<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <startup><supportedRuntime version="v4.0" sku=".NETFramework,Version=v4.7.2"/></startup>
  <system.net>
    <defaultProxy enabled="true" useDefaultCredentials="false">
      <proxy usesystemdefault="false" proxyaddress="http://proxy.contoso.com:8080" bypassonlocal="true"/>
      <bypasslist><add address="contoso\.local$"/><add address=" "/></bypasslist>
    </defaultProxy>
  </system.net>
</configuration>`,
			want: DefaultProxy{Present: true, Enabled: true, ProxyAddress: "http://proxy.contoso.com:8080", BypassOnLocal: true, BypassList: []string{`contoso\.local$`}},
		},
		{
			name: "disabled means direct",
			xml:  `<configuration><system.net><defaultProxy enabled="False"/></system.net></configuration>`,
			want: DefaultProxy{Present: true},
		},
		{
			name: "system default",
			xml:  `<configuration><system.net><defaultProxy><proxy usesystemdefault="True"/></defaultProxy></system.net></configuration>`,
			want: DefaultProxy{Present: true, Enabled: true, UseSystemDefault: true},
		},
		{
			name: "PAC script",
			xml:  `<configuration><system.net><defaultProxy><proxy scriptLocation="http://wpad/wpad.dat"/></defaultProxy></system.net></configuration>`,
			want: DefaultProxy{Present: true, Enabled: true, ScriptLocation: "http://wpad/wpad.dat"},
		},
		{
			name: "machine.config without the element",
			xml:  `<?xml version="1.0" encoding="windows-1252"?><configuration><configSections/><system.net><settings/></system.net><system.web/></configuration>`,
			want: DefaultProxy{},
		},
		{
			name: "defaultProxy outside system.net is not the one .NET reads",
			xml:  `<configuration><appSettings><defaultProxy enabled="false"/></appSettings></configuration>`,
			want: DefaultProxy{},
		},
		{name: "not a configuration file", xml: `<html><body/></html>`, err: ErrNoConfiguration},
		{name: "empty file", xml: ``, err: ErrNoConfiguration},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDefaultProxy([]byte(tt.xml))
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := ParseDefaultProxy([]byte(`<configuration><system.net><defaultProxy>`))
	assert.Error(t, err, "truncated XML")
}

func TestNormalizeProxy(t *testing.T) {
	for in, want := range map[string]string{
		"":                                    "",
		"proxy.contoso.com:8080":              "proxy.contoso.com:8080",
		"http://Proxy.Contoso.com:8080/":      "proxy.contoso.com:8080",
		"http://proxy":                        "proxy:80",
		"https://proxy":                       "proxy:443",
		"http=p1:80;https=P2:3128":            "p2:3128",
		"http=p1:80":                          "",
		"[2001:db8::1]:3128":                  "[2001:db8::1]:3128",
		"http://proxy.contoso.com:8080 ":      "proxy.contoso.com:8080",
		"socks=s:1080;proxy.contoso.com:8080": "proxy.contoso.com:8080",
	} {
		assert.Equal(t, want, NormalizeProxy(in, "https"), in)
	}
}

func TestEffectiveServiceProxy(t *testing.T) {
	agent := func(x string) ConfigFile { return ConfigFile{Label: "agent .exe.config", Data: []byte(x)} }
	machine := func(x string) ConfigFile { return ConfigFile{Label: "machine.config", Data: []byte(x)} }
	absent := func(label string) ConfigFile { return ConfigFile{Label: label} }
	withProxy := `<configuration><system.net><defaultProxy><proxy proxyaddress="http://agentproxy:8080"/></defaultProxy></system.net></configuration>`
	noElement := `<configuration><system.net/></configuration>`
	winhttp := Settings{Proxy: "winhttp:3128"}

	tests := []struct {
		name    string
		configs []ConfigFile
		winhttp Settings
		want    ServiceProxy
		desc    string
	}{
		{"agent config wins", []ConfigFile{agent(withProxy), machine(noElement)}, winhttp,
			ServiceProxy{Source: "agent .exe.config", Proxy: "agentproxy:8080"}, "http://agentproxy:8080 (agent .exe.config)"},
		{"machine.config next", []ConfigFile{agent(noElement), machine(withProxy)}, winhttp,
			ServiceProxy{Source: "machine.config", Proxy: "agentproxy:8080"}, "http://agentproxy:8080 (machine.config)"},
		{"disabled stops the search", []ConfigFile{agent(`<configuration><system.net><defaultProxy enabled="false"/></system.net></configuration>`), machine(withProxy)}, winhttp,
			ServiceProxy{Source: "agent .exe.config", Note: `defaultProxy enabled="false": direct`}, "direct (agent .exe.config)"},
		{"WinHTTP last", []ConfigFile{absent("agent .exe.config"), machine(noElement)}, winhttp,
			ServiceProxy{Source: "WinHTTP", Proxy: "winhttp:3128"}, "http://winhttp:3128 (WinHTTP)"},
		{"system default falls through", []ConfigFile{agent(`<configuration><system.net><defaultProxy/></system.net></configuration>`)}, winhttp,
			ServiceProxy{Source: "WinHTTP", Proxy: "winhttp:3128", Note: "agent .exe.config defers to the system default"}, "http://winhttp:3128 (WinHTTP)"},
		{"PAC script", []ConfigFile{agent(`<configuration><system.net><defaultProxy><proxy scriptLocation="http://wpad/wpad.dat"/></defaultProxy></system.net></configuration>`)}, Settings{},
			ServiceProxy{Source: "agent .exe.config", Note: "PAC script http://wpad/wpad.dat"}, "PAC script http://wpad/wpad.dat (agent .exe.config)"},
		{"nothing anywhere", []ConfigFile{absent("agent .exe.config"), absent("machine.config")}, Settings{},
			ServiceProxy{Source: "none"}, "direct (no defaultProxy in the service or machine configuration, no WinHTTP proxy)"},
		{"a non-configuration file is ignored", []ConfigFile{agent(`<html/>`)}, Settings{},
			ServiceProxy{Source: "none"}, "direct (no defaultProxy in the service or machine configuration, no WinHTTP proxy)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EffectiveServiceProxy(tt.configs, tt.winhttp)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.desc, got.Describe())
		})
	}
	_, err := EffectiveServiceProxy([]ConfigFile{agent(`<configuration><system.net><defaultProxy>`)}, Settings{})
	assert.Error(t, err)
}

func TestWinINET(t *testing.T) {
	assert.Equal(t, "direct", WinINET{ProxyServer: "stale:8080"}.Describe(), "ProxyEnable=0 ignores the server")
	w := WinINET{ProxyEnable: true, ProxyServer: "http=p:80;https=p:8443", AutoConfigURL: "http://wpad/wpad.dat"}
	assert.Equal(t, "p:8443", w.Proxy())
	assert.Equal(t, "http://p:8443 + PAC script http://wpad/wpad.dat", w.Describe())
}
