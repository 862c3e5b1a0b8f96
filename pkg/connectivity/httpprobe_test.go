package connectivity

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// classifyPlainHTTP's verdicts, one row per signal a port-80 answer can
// carry: what the admin reads (status, cause, error) for each.
func TestClassifyPlainHTTP(t *testing.T) {
	const (
		blockWarn = "the proxy answered with a block page instead of the host's response"
		authFail  = "the proxy requires authentication (HTTP 407); the agent supports only unauthenticated outbound proxies"
	)
	page := "<html><body>blocked</body></html>"
	for _, tc := range []struct {
		name     string
		status   int
		header   map[string]string
		body     string
		viaProxy bool
		want     Status
		cause    Cause
		err      string
	}{
		{name: "origin 200", status: 200, want: Passed},
		{name: "origin 404 page", status: 404, header: map[string]string{"Content-Type": "text/html"}, body: page, want: Passed},
		{name: "origin 403 page, direct", status: 403, header: map[string]string{"Content-Type": "text/html"}, body: page, want: Passed},
		{name: "403 page through the proxy", status: 403, header: map[string]string{"Content-Type": "text/html"}, body: page, viaProxy: true,
			want: Warning, cause: CauseProxyDenied, err: blockWarn},
		{name: "403 page sniffed from the body", status: 403, body: "<!doctype html><HTML><body>no</body></HTML>", viaProxy: true,
			want: Warning, cause: CauseProxyDenied, err: blockWarn},
		{name: "403 page with Via, direct", status: 403, header: map[string]string{"Content-Type": "text/html", "Via": "1.1 filter"}, body: page,
			want: Warning, cause: CauseProxyDenied, err: blockWarn},
		{name: "403 text through the proxy", status: 403, header: map[string]string{"Content-Type": "text/plain"}, body: "no", viaProxy: true, want: Passed},
		{name: "200 page through the proxy", status: 200, header: map[string]string{"Content-Type": "text/html"}, body: page, viaProxy: true, want: Passed},
		{name: "407", status: 407, want: Failed, cause: CauseProxyAuthRequired, err: authFail},
		{name: "squid ERR_CACHE_ACCESS_DENIED", status: 403, header: map[string]string{"X-Squid-Error": "ERR_CACHE_ACCESS_DENIED 0"},
			want: Failed, cause: CauseProxyAuthRequired, err: authFail},
		{name: "squid ERR_ACCESS_DENIED without a page", status: 403, header: map[string]string{"X-Squid-Error": "ERR_ACCESS_DENIED 0"},
			want: Warning, cause: CauseProxyDenied, err: "the proxy answered with a block page (ERR_ACCESS_DENIED) instead of the host's response"},
		{name: "squid ERR_BLOCKED", status: 200, header: map[string]string{"X-Squid-Error": "ERR_BLOCKED"},
			want: Warning, cause: CauseProxyDenied, err: "the proxy answered with a block page (ERR_BLOCKED) instead of the host's response"},
		{name: "squid upstream DNS", status: 503, header: map[string]string{"X-Squid-Error": "ERR_DNS_FAIL 0"},
			want: Failed, cause: CauseProxyUpstreamFailed, err: "the proxy could not fetch the page (HTTP 503, ERR_DNS_FAIL)"},
		{name: "empty squid header", status: 503, header: map[string]string{"X-Squid-Error": "  "}, want: Passed},
		{name: "502 page through the proxy", status: 502, header: map[string]string{"Content-Type": "text/html"}, body: page, viaProxy: true,
			want: Warning, cause: CauseProxyUpstreamFailed, err: "HTTP 502 through the proxy: the proxy may have failed to reach the host"},
		{name: "504 page through the proxy", status: 504, header: map[string]string{"Content-Type": "text/html"}, body: page, viaProxy: true,
			want: Warning, cause: CauseProxyUpstreamFailed, err: "HTTP 504 through the proxy: the proxy may have failed to reach the host"},
		{name: "503 page through the proxy", status: 503, header: map[string]string{"Content-Type": "text/html"}, body: page, viaProxy: true, want: Passed},
		{name: "502 text through the proxy", status: 502, body: "bad gateway", viaProxy: true, want: Passed},
		{name: "502 page direct", status: 502, header: map[string]string{"Content-Type": "text/html"}, body: page, want: Passed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{}}
			for k, v := range tc.header {
				resp.Header.Set(k, v)
			}
			o := &outcome{}
			classifyPlainHTTP(o, resp, []byte(tc.body), tc.viaProxy)
			r := o.result(Endpoint{Check: CheckHTTP}, time.Second)
			assert.Equal(t, tc.want, r.Status)
			assert.Equal(t, tc.cause, r.Cause)
			assert.Equal(t, tc.err, r.Error)
			assert.Equal(t, fmt.Sprintf("HTTP %d", tc.status), r.Detail, "the status is always noted")
		})
	}
}

// The Host header omits the scheme's default port, as browsers and
// Windows do; virtual hosts (CDNs, IIS bindings) route on it.
func TestHostHeaderOmitsDefaultPorts(t *testing.T) {
	ca := newCA(t, "Test Root CA")
	seen := make(chan string, 4)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Host
		w.WriteHeader(http.StatusNoContent)
	})
	plain := httpServer(t, h)
	tlsPort := tlsServer(t, ca.valid(t, "a.test"), 0, 0, h)
	p := testProber(ca.pool(), "a.test")
	p.Dialer = &guardDialer{ports: map[int]int{80: plain, 443: tlsPort}}
	for _, tc := range []struct {
		port  int
		check Check
		host  string
	}{
		{80, CheckHTTP, "a.test"},
		{443, CheckHTTPS, "a.test"},
		{plain, CheckHTTP, fmt.Sprintf("a.test:%d", plain)},
		{tlsPort, CheckHTTPS, fmt.Sprintf("a.test:%d", tlsPort)},
	} {
		r := byName(t, run(t, p, longTimeout, Endpoint{Category: "c", Name: "x", Host: "a.test", Port: tc.port, Check: tc.check}), "x")
		assert.Equal(t, Passed, r.Status, r.Error)
		assert.Equal(t, tc.host, <-seen, "%s on port %d", tc.check, tc.port)
	}
}
