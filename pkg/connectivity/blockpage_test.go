package connectivity

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reflected is what the test proxies' pages echo back. Real block pages
// quote the request (URL, client address, user); none of it may reach a
// finding.
const reflected = "REFLECTED-\x1b]0;owned\x07-request"

// verdict is a test proxy's answer for one host: a status and a content
// type, plus headers.
type verdict struct {
	status int
	ctype  string
	header http.Header
	// stall: announce a long page, send its start and hold the rest
	// until the client hangs up.
	stall bool
}

// startBlockProxy runs a forward proxy that is not Squid, on 127.0.0.1:
// it tunnels CONNECT to the hosts in allow (every name is 127.0.0.1) and
// answers any other request with its own page per deny (default: 403
// text/html), as web filters and firewalls do, without X-Squid-Error.
// With cert set it is an https:// proxy (TLS to the proxy itself). It
// returns the proxy's URL.
func startBlockProxy(t *testing.T, cert *tls.Certificate, allow map[string]bool, deny map[string]verdict) string {
	t.Helper()
	var wg sync.WaitGroup
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if r.Method == http.MethodConnect && allow[host] {
			tunnel(t, w, r, &wg)
			return
		}
		name, _, _ := strings.Cut(host, ":")
		v, ok := deny[name]
		if !ok {
			v = verdict{status: http.StatusForbidden, ctype: "text/html; charset=utf-8"}
		}
		for k, vs := range v.header {
			w.Header()[k] = vs
		}
		w.Header().Set("Content-Type", v.ctype)
		w.Header().Set("Server", "BlockProxy/1.0")
		if v.stall {
			w.Header().Set("Content-Length", "1000000")
			w.WriteHeader(v.status)
			_, _ = io.WriteString(w, "<html><body>"+reflected)
			_ = http.NewResponseController(w).Flush()
			<-r.Context().Done()
			return
		}
		w.WriteHeader(v.status)
		_, _ = fmt.Fprintf(w, "<html><body><h1>Blocked</h1><p>%s %s for %s: %s</p></body></html>",
			r.Method, r.RequestURI, r.RemoteAddr, reflected)
	}))
	srv.Config.ErrorLog = discardLog()
	if cert != nil {
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{*cert}}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(func() { srv.Close(); wg.Wait() })
	return srv.URL
}

// tunnel answers CONNECT 200 and relays bytes to 127.0.0.1 on the
// requested port.
func tunnel(t *testing.T, w http.ResponseWriter, r *http.Request, wg *sync.WaitGroup) {
	_, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	up, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	down, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		up.Close()
		t.Errorf("hijack: %v", err)
		return
	}
	_, _ = down.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	wg.Add(2)
	go func() { defer wg.Done(); _, _ = io.Copy(up, buf); up.Close() }()
	go func() { defer wg.Done(); _, _ = io.Copy(down, up); down.Close() }()
}

// A proxy that is not Squid blocks with its own HTML page and no
// X-Squid-Error: the admin still reads "the proxy refused CONNECT" with
// the proxy's address, never the page's reflected text.
func TestNonSquidProxyBlockPage(t *testing.T) {
	ca := newCA(t, "Test Root CA")
	tlsPort := tlsServer(t, ca.valid(t, "login.test", "blocked.test", "plain.test", "upstream.test", "auth.test", "broken.test"), 0, 0, http.HandlerFunc(ok))
	hp := func(h string) string { return net.JoinHostPort(h, fmt.Sprint(tlsPort)) }
	longRealm := `Basic realm="` + strings.Repeat("r", 500) + `"`
	proxy := startBlockProxy(t, nil, map[string]bool{hp("login.test"): true}, map[string]verdict{
		"plain.test":    {status: http.StatusForbidden, ctype: "text/plain"},
		"upstream.test": {status: http.StatusBadGateway, ctype: "text/html"},
		"broken.test":   {status: http.StatusInternalServerError, ctype: "text/plain"},
		"auth.test":     {status: http.StatusProxyAuthRequired, ctype: "text/html", header: http.Header{"Proxy-Authenticate": {longRealm}}},
	})
	e := func(name, host string, port int, check Check) Endpoint {
		return Endpoint{Category: "c", Name: name, Host: host, Port: port, Check: check}
	}
	p := testProber(ca.pool(), "login.test", "blocked.test", "plain.test", "upstream.test", "auth.test", "broken.test", "crl.test")
	rs := runVia(t, p, explicitProxy(t, proxy),
		e("allowed", "login.test", tlsPort, CheckHTTPS),
		e("blocked", "blocked.test", tlsPort, CheckHTTPS),
		e("plain", "plain.test", tlsPort, CheckHTTPS),
		e("upstream", "upstream.test", tlsPort, CheckHTTPS),
		e("auth", "auth.test", tlsPort, CheckHTTPS),
		e("broken", "broken.test", tlsPort, CheckHTTPS),
		e("crl", "crl.test", closedPort(t), CheckHTTP),
	)
	for _, r := range rs {
		for _, field := range []string{r.Error, r.Detail, r.Remediation} {
			assert.NotContains(t, field, "REFLECTED", "%s: the proxy's page is never shown", r.Name)
			assert.NotContains(t, field, "Blocked", "%s: the proxy's page is never shown", r.Name)
			assert.NotContains(t, field, "BlockProxy", "%s: the proxy's headers are not findings", r.Name)
		}
	}

	r := byName(t, rs, "allowed")
	assert.Equal(t, Passed, r.Status, "the same proxy tunnels what it allows: %s", r.Error)
	assert.True(t, strings.HasPrefix(r.Detail, "via proxy "+proxy+" (flag); CONNECT 200; "), r.Detail)

	r = byName(t, rs, "blocked")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseProxyDenied, r.Cause)
	assert.Equal(t, "the proxy refused CONNECT with HTTP 403 (its own block page)", r.Error)
	assert.True(t, strings.HasPrefix(r.Detail, "via proxy "+proxy+" (flag); direct: TCP open"), r.Detail)
	assert.Equal(t, "Allow CONNECT to "+hp("blocked.test")+" on the proxy "+proxy+" (the connector tunnels to ports 443 and 80). "+
		"The direct path to this host is open: the proxy is what blocks it; fix the proxy rule or bypass the proxy for this host.", r.Remediation)

	r = byName(t, rs, "plain")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseProxyDenied, r.Cause)
	assert.Equal(t, "the proxy refused CONNECT with HTTP 403", r.Error, "no page, no page claimed")

	r = byName(t, rs, "upstream")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseProxyUpstreamFailed, r.Cause)
	assert.Equal(t, "the proxy refused CONNECT with HTTP 502 (its own error page): the proxy could not open the connection", r.Error)
	assert.Contains(t, r.Remediation, "The proxy cannot reach "+hp("upstream.test"))

	r = byName(t, rs, "broken")
	assert.Equal(t, CauseProxyUpstreamFailed, r.Cause, "any 5xx is the proxy's failure to reach the host")
	assert.Equal(t, "the proxy refused CONNECT with HTTP 500: the proxy could not open the connection", r.Error)

	r = byName(t, rs, "auth")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseProxyAuthRequired, r.Cause)
	assert.Equal(t, `the proxy requires authentication (CONNECT answered HTTP 407, Basic realm="`+strings.Repeat("r", maxProxyText-len(`Basic realm="`))+
		`...); the agent supports only unauthenticated outbound proxies`, r.Error, "the challenge is quoted, cut short")

	r = byName(t, rs, "crl")
	assert.Equal(t, Warning, r.Status, "a block page on plain HTTP is a warning")
	assert.Equal(t, CauseProxyDenied, r.Cause)
	assert.Equal(t, "the proxy answered with a block page instead of the host's response", r.Error)
	assert.True(t, strings.HasPrefix(r.Detail, "via proxy "+proxy+" (flag); HTTP 403; "), r.Detail)
}

// On the direct path a 403 page is a proxy's only when something says a
// proxy answered (Via): an origin's own 403 page means the host answered.
func TestTransparentProxyBlockPageNeedsVia(t *testing.T) {
	page := func(via string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			if via != "" {
				w.Header().Set("Via", via)
			}
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, "<html><body>Forbidden "+reflected+"</body></html>")
		}
	}
	p := testProber(nil, "crl.test")
	rs := run(t, p, longTimeout,
		Endpoint{Category: "c", Name: "transparent", Host: "crl.test", Port: httpServer(t, page("1.1 filter.contoso.com")), Check: CheckHTTP},
		Endpoint{Category: "c", Name: "origin", Host: "crl.test", Port: httpServer(t, page("")), Check: CheckHTTP},
	)
	r := byName(t, rs, "transparent")
	assert.Equal(t, Warning, r.Status)
	assert.Equal(t, CauseProxyDenied, r.Cause)
	assert.Equal(t, "the proxy answered with a block page instead of the host's response", r.Error)
	assert.NotContains(t, r.Detail, "REFLECTED")

	r = byName(t, rs, "origin")
	assert.Equal(t, Passed, r.Status, "the host itself answered: %s", r.Error)
	assert.Contains(t, r.Detail, "HTTP 403")
}

// A block page that never ends does not hold the finding: the verdict is
// in the header, and the body is not read. With the body drained first,
// this probe would wait for the hour-long timeout (and the test binary's
// own timeout would fail it).
func TestNonSquidBlockPageIsNotRead(t *testing.T) {
	ca := newCA(t, "Test Root CA")
	proxy := startBlockProxy(t, nil, nil, map[string]verdict{
		"stall.test": {status: http.StatusForbidden, ctype: "text/html", stall: true},
	})
	p := testProber(ca.pool(), "stall.test")
	p.DirectTimeout = time.Millisecond // the direct-path comparison is not under test
	rs := p.Run(t.Context(), Plan{Timeout: time.Hour, Parallel: 1, SkipMachine: "x", Proxy: explicitProxy(t, proxy),
		Endpoints: []Endpoint{{Category: "c", Name: "stall", Host: "stall.test", Port: 443, Check: CheckHTTPS}}})
	r := byName(t, rs, "stall")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseProxyDenied, r.Cause)
	assert.Equal(t, "the proxy refused CONNECT with HTTP 403 (its own block page)", r.Error)
}

// An https:// proxy is reached over TLS verified like any other server,
// on port 443 when the URL names none (80 for http://).
func TestProxyOverTLSAndDefaultPorts(t *testing.T) {
	ca := newCA(t, "Test Root CA")
	target := tlsServer(t, ca.valid(t, "login.test"), 0, 0, http.HandlerFunc(ok))
	allow := map[string]bool{net.JoinHostPort("login.test", fmt.Sprint(target)): true}
	cert := ca.valid(t, "127.0.0.1")
	tlsProxy := portFromURL(t, startBlockProxy(t, &cert, allow, nil))
	plainProxy := portFromURL(t, startBlockProxy(t, nil, allow, nil))
	login := Endpoint{Category: "c", Name: "login", Host: "login.test", Port: target, Check: CheckHTTPS}

	p := testProber(ca.pool(), "login.test")
	p.Dialer = &guardDialer{ports: map[int]int{443: tlsProxy, 80: plainProxy}}
	for _, proxy := range []string{"https://127.0.0.1", "http://127.0.0.1", fmt.Sprintf("https://127.0.0.1:%d", tlsProxy)} {
		r := byName(t, runVia(t, p, explicitProxy(t, proxy), login), "login")
		assert.Equal(t, Passed, r.Status, "%s: %s", proxy, r.Error)
		assert.True(t, strings.HasPrefix(r.Detail, "via proxy "+proxy+" (flag); CONNECT 200; TLS 1.3"), r.Detail)
	}

	// The proxy's certificate is checked: one from another CA fails as
	// an unusable proxy, before any CONNECT.
	other := newCA(t, "Other CA").valid(t, "127.0.0.1")
	untrusted := startBlockProxy(t, &other, allow, nil)
	r := byName(t, runVia(t, p, explicitProxy(t, untrusted), login), "login")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseProxyUnreachable, r.Cause)
	assert.True(t, strings.HasPrefix(r.Error, "the proxy "+untrusted+" is unreachable: TLS to the proxy: tls: failed to verify certificate"), r.Error)
}

func portFromURL(t *testing.T, u string) int {
	t.Helper()
	_, port, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://"))
	require.NoError(t, err)
	n, err := strconv.Atoi(port)
	require.NoError(t, err)
	return n
}
