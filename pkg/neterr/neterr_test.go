package neterr

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func get(t *testing.T, target string, proxy *url.URL) error {
	t.Helper()
	base := &http.Transport{}
	if proxy != nil {
		base.Proxy = http.ProxyURL(proxy)
	}
	c := &http.Client{Transport: &Transport{Base: base, Proxy: base.Proxy, ProxyHint: "check --proxy / HTTPS_PROXY"}}
	req, err := http.NewRequestWithContext(context.Background(), "GET", target, nil)
	require.NoError(t, err)
	resp, err := c.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	require.Error(t, err)
	return err
}

func TestPlainMessages(t *testing.T) {
	dead := closedAddr(t)
	proxy, _ := url.Parse("http://" + dead)
	err := get(t, "https://graph.microsoft.com/beta/applications", proxy)
	e, ok := As(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, "cannot reach the proxy http://"+dead+" (connection refused); check --proxy / HTTPS_PROXY", e.Error())
	assert.True(t, e.Fast())
	assert.Equal(t, exitcode.Unavailable, exitcode.Of(err))

	err = get(t, "https://"+dead+"/", nil)
	e, _ = As(err)
	require.NotNil(t, e, "%v", err)
	assert.Equal(t, "cannot reach "+dead+" from this machine (connection refused)", e.Error())

	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	err = get(t, srv.URL, nil)
	e, _ = As(err)
	require.NotNil(t, e, "%v", err)
	assert.Contains(t, e.Error(), "the TLS certificate of 127.0.0.1 is not trusted from this machine (issued by an unknown authority)")
	assert.True(t, e.Permanent())

	denying := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	defer denying.Close()
	pu, _ := url.Parse(denying.URL)
	err = get(t, "https://graph.microsoft.com/", pu)
	e, _ = As(err)
	require.NotNil(t, e, "%v", err)
	assert.Equal(t, "the proxy "+denying.URL+" would not connect to graph.microsoft.com:443 (Proxy Authentication Required); check --proxy / HTTPS_PROXY", e.Error())

	err = get(t, "https://graph.invalid/", nil)
	e, _ = As(err)
	require.NotNil(t, e, "%v", err)
	assert.Contains(t, e.Error(), "cannot resolve graph.invalid from this machine")
	assert.Equal(t, DNS, e.Kind)
}

func TestCancelIsNotDescribed(t *testing.T) {
	assert.Nil(t, Describe(context.Canceled, &url.URL{Scheme: "https", Host: "x"}, nil, ""))
}
