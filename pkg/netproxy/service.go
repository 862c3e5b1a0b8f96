package netproxy

import (
	"errors"
	"net/url"
	"strings"
)

// ServiceProxy is the outbound proxy a .NET service running as Network
// Service ends up with.
type ServiceProxy struct {
	// Source names the level that decided: "agent .exe.config",
	// "machine.config", "WinHTTP" or "none".
	Source string
	// Proxy is NormalizeProxy's form of the address; empty means direct.
	Proxy string
	// Note explains a decision that is not a plain address (disabled,
	// system default, PAC script).
	Note string
}

// ConfigFile is one .NET configuration level; Data nil means the file does
// not exist.
type ConfigFile struct {
	Label string
	Data  []byte
}

// EffectiveServiceProxy applies the order the connector documentation
// gives: the service's own .exe.config, then machine.config, then the
// machine's WinHTTP proxy. A defaultProxy that defers to the system default
// falls through to WinHTTP too, which is the only machine-wide setting
// Network Service sees.
func EffectiveServiceProxy(configs []ConfigFile, winhttp Settings) (ServiceProxy, error) {
	var notes []string
	for _, c := range configs {
		if c.Data == nil {
			continue
		}
		d, err := ParseDefaultProxy(c.Data)
		if err != nil && !errors.Is(err, ErrNoConfiguration) {
			return ServiceProxy{}, err
		}
		if !d.Present {
			continue
		}
		switch {
		case !d.Enabled:
			return ServiceProxy{Source: c.Label, Note: `defaultProxy enabled="false": direct`}, nil
		case d.ProxyAddress != "":
			return ServiceProxy{Source: c.Label, Proxy: NormalizeProxy(d.ProxyAddress, "https")}, nil
		case d.ScriptLocation != "":
			return ServiceProxy{Source: c.Label, Note: "PAC script " + d.ScriptLocation}, nil
		}
		notes = append(notes, c.Label+" defers to the system default")
	}
	if p := NormalizeProxy(winhttp.Proxy, "https"); p != "" {
		return ServiceProxy{Source: "WinHTTP", Proxy: p, Note: strings.Join(notes, "; ")}, nil
	}
	return ServiceProxy{Source: "none", Note: strings.Join(notes, "; ")}, nil
}

// Describe is the human form, e.g. "http://proxy:8080 (agent .exe.config)".
func (s ServiceProxy) Describe() string {
	what := "direct"
	if s.Proxy != "" {
		what = "http://" + s.Proxy
	} else if strings.HasPrefix(s.Note, "PAC script") {
		what = s.Note
	}
	if s.Source == "none" {
		return what + " (no defaultProxy in the service or machine configuration, no WinHTTP proxy)"
	}
	return what + " (" + s.Source + ")"
}

// NormalizeProxy reduces a proxy setting to lower-case host:port for the
// given scheme, so "http://Proxy:8080/", "proxy:8080" and
// "http=proxy:8080;https=proxy:8080" compare equal. Empty means none.
func NormalizeProxy(s, scheme string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if strings.Contains(s, "=") || strings.Contains(s, ";") {
		if s = (Settings{Proxy: s}).proxyFor(scheme); s == "" {
			return ""
		}
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return strings.ToLower(strings.TrimSpace(s))
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = "80"
		if strings.EqualFold(u.Scheme, "https") {
			port = "443"
		}
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + port
}

// WinINET is the interactive user's browser proxy (HKCU Internet
// Settings): what the old module reported and what the agent does NOT use.
type WinINET struct {
	ProxyEnable   bool
	ProxyServer   string
	AutoConfigURL string
}

// Proxy is the user's proxy for https in NormalizeProxy form; empty when
// the user has none or uses only a PAC script.
func (w WinINET) Proxy() string {
	if !w.ProxyEnable {
		return ""
	}
	return NormalizeProxy(w.ProxyServer, "https")
}

// Describe is the human form of the user's settings.
func (w WinINET) Describe() string {
	parts := []string{}
	if p := w.Proxy(); p != "" {
		parts = append(parts, "http://"+p)
	}
	if w.AutoConfigURL != "" {
		parts = append(parts, "PAC script "+w.AutoConfigURL)
	}
	if len(parts) == 0 {
		return "direct"
	}
	return strings.Join(parts, " + ")
}
