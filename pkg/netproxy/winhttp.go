package netproxy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Settings is the machine-wide WinHTTP proxy configuration, as
// `netsh winhttp show proxy` prints it.
type Settings struct {
	Proxy  string // "proxy:8080" or "http=p1:80;https=p2:8080"
	Bypass string // "<local>;*.contoso.com"
}

// WinHTTP flags in the registry blob (WINHTTP_PROXY_INFO access types as
// netsh stores them).
const (
	flagDirect = 0x1
	flagProxy  = 0x2
)

// DecodeWinHTTPSettings decodes the REG_BINARY value WinHttpSettings under
// HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections.
// Layout (little-endian): DWORD version (0x18 or 0x28), DWORD counter,
// DWORD flags, DWORD proxy length, proxy bytes (ANSI), DWORD bypass length,
// bypass bytes. A blob with the proxy flag unset means "direct access".
// Kept OS-independent so it is tested on every platform.
func DecodeWinHTTPSettings(b []byte) (Settings, error) {
	var s Settings
	r := blob{b: b}
	if _, err := r.u32(); err != nil { // version
		return s, err
	}
	if _, err := r.u32(); err != nil { // change counter
		return s, err
	}
	flags, err := r.u32()
	if err != nil {
		return s, err
	}
	proxy, err := r.str()
	if err != nil {
		return s, fmt.Errorf("winhttp proxy: %w", err)
	}
	bypass, err := r.str()
	if err != nil && !errors.Is(err, errShort) {
		return s, fmt.Errorf("winhttp bypass: %w", err)
	}
	if flags&flagProxy == 0 {
		return s, nil
	}
	s.Proxy, s.Bypass = proxy, bypass
	return s, nil
}

var errShort = errors.New("truncated WinHttpSettings value")

type blob struct {
	b   []byte
	off int
}

func (r *blob) u32() (uint32, error) {
	if r.off+4 > len(r.b) {
		return 0, errShort
	}
	v := binary.LittleEndian.Uint32(r.b[r.off:])
	r.off += 4
	return v, nil
}

func (r *blob) str() (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	if n > 32<<10 || r.off+int(n) > len(r.b) {
		return "", errShort
	}
	s := string(r.b[r.off : r.off+int(n)])
	r.off += int(n)
	return strings.TrimRight(s, "\x00"), nil
}

// proxyFor picks the proxy for scheme from a WinHTTP proxy list: either one
// host:port for every scheme, or "scheme=host:port" entries.
func (s Settings) proxyFor(scheme string) string {
	var generic string
	for _, part := range strings.FieldsFunc(s.Proxy, func(r rune) bool { return r == ';' || r == ' ' }) {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			if generic == "" {
				generic = part
			}
			continue
		}
		if strings.EqualFold(k, scheme) {
			return v
		}
	}
	return generic
}

// bypassed reports whether host matches the WinHTTP bypass list: "<local>"
// matches names without a dot, "*" wildcards match any run of characters.
func (s Settings) bypassed(host string) bool {
	host = strings.ToLower(host)
	for _, pat := range strings.FieldsFunc(s.Bypass, func(r rune) bool { return r == ';' || r == ' ' || r == ',' }) {
		pat = strings.ToLower(pat)
		if pat == "<local>" {
			if !strings.Contains(host, ".") && net.ParseIP(host) == nil {
				return true
			}
			continue
		}
		if wildcardMatch(pat, host) {
			return true
		}
	}
	return false
}

func wildcardMatch(pat, s string) bool {
	if !strings.Contains(pat, "*") {
		return pat == s
	}
	parts := strings.Split(pat, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		last := i == len(parts)-2
		if last {
			return strings.HasSuffix(s, p)
		}
		j := strings.Index(s, p)
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return true
}

// ProxyFunc applies the settings to requests.
func (s Settings) ProxyFunc() func(*http.Request) (*url.URL, error) {
	return func(req *http.Request) (*url.URL, error) {
		if s.bypassed(req.URL.Hostname()) {
			return nil, nil
		}
		p := s.proxyFor(req.URL.Scheme)
		if p == "" {
			return nil, nil
		}
		if !strings.Contains(p, "://") {
			p = "http://" + p
		}
		return url.Parse(p)
	}
}
