package netproxy

import (
	"encoding/binary"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// winhttpBlob builds a WinHttpSettings value the way netsh stores it.
func winhttpBlob(flags uint32, proxy, bypass string) []byte {
	var b []byte
	put := func(v uint32) { b = binary.LittleEndian.AppendUint32(b, v) }
	put(0x28)
	put(7)
	put(flags)
	put(uint32(len(proxy)))
	b = append(b, proxy...)
	put(uint32(len(bypass)))
	b = append(b, bypass...)
	return b
}

func TestDecodeWinHTTPSettings(t *testing.T) {
	s, err := DecodeWinHTTPSettings(winhttpBlob(flagProxy|flagDirect, "proxy.contoso.com:8080", "<local>;*.contoso.local"))
	require.NoError(t, err)
	assert.Equal(t, Settings{Proxy: "proxy.contoso.com:8080", Bypass: "<local>;*.contoso.local"}, s)

	// netsh winhttp reset proxy: direct flag only, empty strings.
	s, err = DecodeWinHTTPSettings(winhttpBlob(flagDirect, "", ""))
	require.NoError(t, err)
	assert.Equal(t, Settings{}, s)

	// Some servers store a proxy string but the flag says direct.
	s, err = DecodeWinHTTPSettings(winhttpBlob(flagDirect, "stale:8080", ""))
	require.NoError(t, err)
	assert.Empty(t, s.Proxy)

	_, err = DecodeWinHTTPSettings([]byte{0x18, 0, 0})
	assert.ErrorIs(t, err, errShort)
	bad := winhttpBlob(flagProxy, "proxy:8080", "")
	binary.LittleEndian.PutUint32(bad[12:], 1<<30)
	_, err = DecodeWinHTTPSettings(bad)
	assert.Error(t, err)
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func TestSettingsProxyFunc(t *testing.T) {
	s := Settings{Proxy: "http=p1:80;https=p2:8443", Bypass: "<local>;*.contoso.local;10.*"}
	f := s.ProxyFunc()
	p, err := f(&http.Request{URL: mustURL("https://graph.microsoft.com/beta")})
	require.NoError(t, err)
	assert.Equal(t, "http://p2:8443", p.String())
	p, _ = f(&http.Request{URL: mustURL("http://crl3.digicert.com/")})
	assert.Equal(t, "http://p1:80", p.String())
	for _, direct := range []string{"https://exch01/", "https://exch01.contoso.local/", "https://10.1.1.1/"} {
		p, _ = f(&http.Request{URL: mustURL(direct)})
		assert.Nil(t, p, direct)
	}
	g := Settings{Proxy: "proxy:3128"}.ProxyFunc()
	p, _ = g(&http.Request{URL: mustURL("https://login.microsoftonline.com/")})
	assert.Equal(t, "http://proxy:3128", p.String())
}

type fakeSystem struct {
	s   Settings
	err error
}

func (f fakeSystem) WinHTTP() (Settings, error) { return f.s, f.err }

func TestResolveOrder(t *testing.T) {
	env := map[string]string{"HTTPS_PROXY": "http://envproxy:3128", "NO_PROXY": "graph.local"}
	getenv := func(k string) string { return env[k] }
	sys := fakeSystem{s: Settings{Proxy: "winhttp:8080"}}
	target := mustURL("https://graph.microsoft.com/beta/")

	c, err := Resolver{Explicit: "http://flag:1", Getenv: getenv, System: sys}.Resolve()
	require.NoError(t, err)
	assert.Equal(t, "http://flag:1 (flag)", c.Describe(target))

	c, _ = Resolver{Getenv: getenv, System: sys}.Resolve()
	assert.Equal(t, "http://envproxy:3128 (environment)", c.Describe(target))
	assert.Equal(t, "direct", c.Describe(mustURL("https://graph.local/")))

	c, _ = Resolver{Getenv: func(string) string { return "" }, System: sys}.Resolve()
	assert.Equal(t, "http://winhttp:8080 (winhttp)", c.Describe(target))

	c, _ = Resolver{System: fakeSystem{err: errors.New("no key")}}.Resolve()
	assert.Equal(t, "direct", c.Source)
	assert.Equal(t, "direct", c.Describe(target))
}
