package connectivity

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/netproxy"
)

func explicitProxy(t *testing.T, u string) netproxy.Choice {
	t.Helper()
	c, err := netproxy.Resolver{Explicit: u}.Resolve()
	require.NoError(t, err)
	return c
}

func runVia(t *testing.T, p *Prober, proxy netproxy.Choice, es ...Endpoint) []Result {
	t.Helper()
	return p.Run(t.Context(), Plan{Endpoints: es, Timeout: longTimeout, Parallel: 8, SkipMachine: "x", Proxy: proxy})
}

func TestSquidConnect(t *testing.T) {
	sq := needSquid(t)
	ca := newCA(t, "Test Root CA")
	tlsPort := tlsServer(t, ca.valid(t, "login.test"), 0, 0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
	}))
	closed := closedPort(t)
	login := Endpoint{Category: "c", Name: "login", Host: "login.test", Port: tlsPort, Check: CheckHTTPS}
	tcp := Endpoint{Category: "c", Name: "tcp", Host: "login.test", Port: tlsPort, Check: CheckTCP}
	gone := Endpoint{Category: "c", Name: "closed", Host: "login.test", Port: closed, Check: CheckTLS}

	p := testProber(ca.pool(), "login.test")
	rs := runVia(t, p, explicitProxy(t, sq.allow), login, tcp, gone)
	r := byName(t, rs, "login")
	assert.Equal(t, Passed, r.Status, r.Error)
	assert.True(t, strings.HasPrefix(r.Detail, fmt.Sprintf("via proxy %s (flag); CONNECT 200; ", sq.allow)), r.Detail)
	assert.Contains(t, r.Detail, "TLS 1.3, issuer Test Root CA")
	assert.Contains(t, r.Detail, "HTTP 400; direct: TCP open")

	r = byName(t, rs, "tcp")
	assert.Equal(t, Passed, r.Status, r.Error)
	assert.Contains(t, r.Detail, "CONNECT 200")

	r = byName(t, rs, "closed")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, "the proxy refused CONNECT with HTTP 503 (ERR_CONNECT_FAIL 111): the proxy could not open the connection", r.Error)
	assert.Contains(t, r.Remediation, "check the proxy's DNS and outbound firewall")

	// The firewall drops the direct path; only the proxy gets through.
	p.Dialer = &guardDialer{refuse: map[int]bool{tlsPort: true}}
	r = byName(t, runVia(t, p, explicitProxy(t, sq.allow), login), "login")
	assert.Equal(t, Passed, r.Status, r.Error)
	assert.Contains(t, r.Detail, "direct: TCP blocked (connection refused); this machine must use the proxy")

	// Internal DNS that cannot resolve public names is normal behind a
	// proxy: the proxy resolves them.
	p.Resolver = mapResolver{}
	r = byName(t, runVia(t, p, explicitProxy(t, sq.allow), login), "login")
	assert.Equal(t, Passed, r.Status, r.Error)
	assert.Contains(t, r.Detail, "direct: name not resolvable here (name not found; the proxy resolves it)")
}

func TestSquidDeniedAndAuth(t *testing.T) {
	sq := needSquid(t)
	ca := newCA(t, "Test Root CA")
	tlsPort := tlsServer(t, ca.valid(t, "login.test"), 0, 0, http.HandlerFunc(ok))
	login := Endpoint{Category: "c", Name: "login", Host: "login.test", Port: tlsPort, Check: CheckHTTPS}
	p := testProber(ca.pool(), "login.test")

	r := byName(t, runVia(t, p, explicitProxy(t, sq.deny), login), "login")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, "the proxy refused CONNECT with HTTP 403 (ERR_ACCESS_DENIED 0)", r.Error)
	assert.Contains(t, r.Remediation, "Allow CONNECT to login.test:")
	assert.Contains(t, r.Remediation, "The direct path to this host is open: the proxy is what blocks it")
	assert.Equal(t, CauseProxyDenied, r.Cause)

	r = byName(t, runVia(t, p, explicitProxy(t, sq.auth), login), "login")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, `the proxy requires authentication (CONNECT answered HTTP 407, Basic realm="hybridmgmt-test"); the agent supports only unauthenticated outbound proxies`, r.Error)
	assert.Contains(t, r.Remediation, "only unauthenticated outbound proxies")
	assert.Equal(t, CauseProxyAuthRequired, r.Cause)
}

func TestSquidPlainHTTP(t *testing.T) {
	sq := needSquid(t)
	crlPort := httpServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A forward proxy sends the absolute URI; the origin sees the path.
		if r.URL.Path != "/pkiops/" {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	crl := Endpoint{Category: "c", Name: "crl", Host: "crl.test", Port: crlPort, Check: CheckHTTP, Path: "/pkiops/"}
	p := testProber(nil, "crl.test")

	r := byName(t, runVia(t, p, explicitProxy(t, sq.allow), crl), "crl")
	assert.Equal(t, Passed, r.Status, r.Error)
	assert.True(t, strings.HasPrefix(r.Detail, "via proxy "+sq.allow+" (flag); HTTP 200; direct: TCP open"), r.Detail)

	r = byName(t, runVia(t, p, explicitProxy(t, sq.deny), crl), "crl")
	assert.Equal(t, Warning, r.Status, "a proxy's block page on plain HTTP is a warning")
	assert.Equal(t, "the proxy answered with a block page (ERR_ACCESS_DENIED) instead of the host's response", r.Error)
	assert.Equal(t, CauseProxyDenied, r.Cause)

	r = byName(t, runVia(t, p, explicitProxy(t, sq.auth), crl), "crl")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, "the proxy requires authentication (HTTP 407); the agent supports only unauthenticated outbound proxies", r.Error)
	assert.Equal(t, CauseProxyAuthRequired, r.Cause)
}

func TestSquidFromEnvironment(t *testing.T) {
	sq := needSquid(t)
	ca := newCA(t, "Test Root CA")
	tlsPort := tlsServer(t, ca.valid(t, "login.test", "route.test"), 0, 0, http.HandlerFunc(ok))
	env := map[string]string{"HTTPS_PROXY": sq.allow, "NO_PROXY": "route.test"}
	choice, err := netproxy.Resolver{Getenv: func(k string) string { return env[k] }}.Resolve()
	require.NoError(t, err)
	p := testProber(ca.pool(), "login.test", "route.test")
	rs := runVia(t, p, choice,
		Endpoint{Category: "c", Name: "login", Host: "login.test", Port: tlsPort, Check: CheckHTTPS},
		Endpoint{Category: "c", Name: "route", Host: "route.test", Port: tlsPort, Check: CheckHTTPS},
	)
	r := byName(t, rs, "login")
	assert.Equal(t, Passed, r.Status, r.Error)
	assert.True(t, strings.HasPrefix(r.Detail, "via proxy "+sq.allow+" (environment); CONNECT 200"), r.Detail)
	r = byName(t, rs, "route")
	assert.Equal(t, Passed, r.Status, r.Error)
	assert.NotContains(t, r.Detail, "via proxy", "NO_PROXY sends it direct")
}

func TestProxyUnreachable(t *testing.T) {
	closed := closedPort(t)
	p := testProber(nil, "login.test")
	p.DirectTimeout = time.Second
	r := byName(t, runVia(t, p, explicitProxy(t, fmt.Sprintf("http://127.0.0.1:%d", closed)),
		Endpoint{Category: "c", Name: "login", Host: "login.test", Port: 443, Check: CheckHTTPS}), "login")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, fmt.Sprintf("the proxy http://127.0.0.1:%d is unreachable: connection refused", closed), r.Error)
	assert.Contains(t, r.Remediation, "Check the proxy address")
}

func TestProxyUnreachableCause(t *testing.T) {
	closed := closedPort(t)
	p := testProber(nil, "login.test")
	p.DirectTimeout = time.Second
	r := byName(t, runVia(t, p, explicitProxy(t, fmt.Sprintf("http://127.0.0.1:%d", closed)),
		Endpoint{Category: "c", Name: "login", Host: "login.test", Port: 443, Check: CheckHTTPS}), "login")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseProxyUnreachable, r.Cause)
}

// With the proxy unreachable, the direct note never claims the proxy
// resolves the name.
func TestProxyUnreachableDirectNote(t *testing.T) {
	closed := closedPort(t)
	p := testProber(nil) // no name resolves directly
	p.DirectTimeout = time.Second
	r := byName(t, runVia(t, p, explicitProxy(t, fmt.Sprintf("http://127.0.0.1:%d", closed)),
		Endpoint{Category: "c", Name: "login", Host: "login.test", Port: 443, Check: CheckHTTPS}), "login")
	assert.Equal(t, Failed, r.Status)
	assert.Contains(t, r.Detail, "direct: name not resolvable here")
	assert.NotContains(t, r.Detail, "the proxy resolves it")
}

// HTTPS_PROXY alone also carries port-80 checks, as WinHTTP's one proxy does.
func TestHTTPSProxyAloneCarriesPort80(t *testing.T) {
	env := map[string]string{"HTTPS_PROXY": "http://proxy.contoso.com:3128"}
	choice, err := netproxy.Resolver{Getenv: func(k string) string { return env[k] }}.Resolve()
	require.NoError(t, err)
	u, _ := url.Parse("http://crl.microsoft.com/pki/crl")
	assert.Equal(t, "http://proxy.contoso.com:3128 (environment)", choice.Describe(u))
}

// An untrusted certificate on Exchange gets certificate advice, not the
// EWS or MRSProxy advice of the HTTP step it never reached.
func TestExchangeTLSTrustFailureGetsCertificateAdvice(t *testing.T) {
	other := newCA(t, "Contoso Enterprise CA")
	port := tlsServer(t, other.valid(t, "exch01.test"), 0, 0, http.HandlerFunc(ok))
	p := testProber(newCA(t, "Trusted Root").pool(), "exch01.test")
	var es []Endpoint
	for _, e := range ExchangeEndpoints("exch01.test") {
		if e.Port == 443 && e.Check != CheckTCP {
			e.Port = port
			es = append(es, e)
		}
	}
	rs := run(t, p, 2*time.Second, es...)
	for _, name := range []string{"EWS /EWS/Exchange.asmx", "MRSProxy /EWS/mrsproxy.svc"} {
		r := byName(t, rs, name)
		assert.Equal(t, Failed, r.Status)
		assert.Contains(t, r.Remediation, "The Exchange certificate must chain to a root this machine trusts")
		assert.NotContains(t, r.Remediation, "MRSProxyEnabled")
		assert.NotContains(t, r.Remediation, "EWS virtual directory")
		assert.NotContains(t, r.Remediation, "inspection")
	}
}
