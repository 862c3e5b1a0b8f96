package connectivity

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/hybridmgmt/hybridmgmt/pkg/netproxy"
)

// An entry's own advice follows a failure of the step it is about, and a
// failure outside any step (the proxy configuration), never an earlier
// step's failure: TCP advice does not help a name that does not resolve.
func TestEntryAdviceFollowsTheFailedStep(t *testing.T) {
	const advice = "ENTRY-ADVICE"
	closed := closedPort(t)
	proxy := netproxy.Choice{Source: "flag", Func: func(r *http.Request) (*url.URL, error) {
		if r.URL.Hostname() == "badproxy.test" {
			return nil, errors.New("invalid proxy URL")
		}
		return nil, nil
	}}
	e := func(name, host string) Endpoint {
		return Endpoint{Category: "c", Name: name, Host: host, Port: closed, Check: CheckTCP, Advice: advice}
	}
	p := testProber(nil, "closed.test")
	rs := runVia(t, p, proxy, e("tcp", "closed.test"), e("dns", "nodns.test"), e("proxy", "badproxy.test"))

	r := byName(t, rs, "tcp")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseTCPRefused, r.Cause)
	assert.Contains(t, r.Remediation, advice, "the TCP step failed: the TCP entry's advice")

	r = byName(t, rs, "dns")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseDNSNotFound, r.Cause)
	assert.NotContains(t, r.Remediation, advice, "DNS failed before the step the advice is for")
	assert.Contains(t, r.Remediation, "nodns.test")

	r = byName(t, rs, "proxy")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseProxyUnreachable, r.Cause)
	assert.Equal(t, "proxy configuration: invalid proxy URL", r.Error)
	assert.Equal(t, "Fix --proxy, HTTPS_PROXY or the WinHTTP proxy. "+advice, r.Remediation)
}

// With no route in either family the finding is the first family's
// reason, not an empty one.
func TestNoRouteInEitherFamily(t *testing.T) {
	p := &Prober{Resolver: mapResolver{"far.test": {"192.0.2.1", "2001:db8::1"}}, Dialer: &guardDialer{otherErr: syscall.ENETUNREACH}, Now: time.Now}
	r := byName(t, run(t, p, longTimeout, Endpoint{Category: "c", Name: "far", Host: "far.test", Port: 443, Check: CheckTCP}), "far")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseTCPUnreachable, r.Cause)
	assert.Equal(t, "TCP far.test:443: network unreachable", r.Error)
	assert.Equal(t, "DNS: IPv4 192.0.2.1; IPv6 2001:db8::1; TCP IPv4 no route from this machine, IPv6 no route from this machine", r.Detail)
}

// Progress hears every finished entry once, counting up to the total.
func TestProgressCountsEveryEntry(t *testing.T) {
	closed := closedPort(t)
	var got [][2]int
	plan := Plan{Parallel: 2, Timeout: longTimeout, SkipMachine: "x", Progress: func(done, total int) { got = append(got, [2]int{done, total}) }}
	for _, n := range []string{"a", "b", "c"} {
		plan.Endpoints = append(plan.Endpoints, Endpoint{Category: "c", Name: n, Host: "a.test", Port: closed, Check: CheckTCP})
	}
	testProber(nil, "a.test").Run(t.Context(), plan)
	assert.Equal(t, [][2]int{{1, 3}, {2, 3}, {3, 3}}, got)
}

// An IP literal is dialled in its own family, and a host's addresses are
// tried in turn until one connects.
func TestLiteralsAndAddressFallback(t *testing.T) {
	port := httpServer(t, http.HandlerFunc(ok))
	p := testProber(nil)
	p.Resolver = mapResolver{"two.test": {"192.0.2.1", "127.0.0.1"}, "many.test": {"127.0.0.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"}}
	rs := run(t, p, longTimeout,
		Endpoint{Category: "c", Name: "literal", Host: "127.0.0.1", Port: port, Check: CheckTCP},
		Endpoint{Category: "c", Name: "two", Host: "two.test", Port: port, Check: CheckTCP},
		Endpoint{Category: "c", Name: "many", Host: "many.test", Port: port, Check: CheckTCP},
	)
	assert.Equal(t, "DNS: IPv4 127.0.0.1, 192.0.2.2, 192.0.2.3, +2 more; IPv6 none; TCP IPv4 connected", byName(t, rs, "many").Detail,
		"three addresses are listed, the rest counted")
	r := byName(t, rs, "literal")
	assert.Equal(t, Passed, r.Status, r.Error)
	assert.Equal(t, "IP literal; TCP IPv4 connected", r.Detail)
	r = byName(t, rs, "two")
	assert.Equal(t, Passed, r.Status, "the second address connects: %s", r.Error)
	assert.Equal(t, "DNS: IPv4 192.0.2.1, 127.0.0.1; IPv6 none; TCP IPv4 connected", r.Detail)
}

// The proxy configuration is asked with the scheme the check uses:
// WinHTTP and NO_PROXY rules can differ between http and https.
func TestProxyIsAskedPerScheme(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	proxy := netproxy.Choice{Source: "flag", Func: func(r *http.Request) (*url.URL, error) {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, r.URL.String())
		return nil, nil
	}}
	closed := closedPort(t)
	p := testProber(nil, "a.test")
	runVia(t, p, proxy,
		Endpoint{Category: "c", Name: "http", Host: "a.test", Port: closed, Check: CheckHTTP, Path: "/crl"},
		Endpoint{Category: "c", Name: "tls", Host: "a.test", Port: closed, Check: CheckTLS},
	)
	assert.ElementsMatch(t, []string{fmt.Sprintf("http://a.test:%d/crl", closed), fmt.Sprintf("https://a.test:%d/", closed)}, asked)
}

// A warning gets the entry's advice only when it comes from the step the
// advice is for: a broken IPv6 path is no reason to read EWS advice.
func TestEntryAdviceFollowsTheWarnedStep(t *testing.T) {
	const advice = "ENTRY-ADVICE"
	ca := newCA(t, "Contoso Inspection CA")
	port := tlsServer(t, ca.valid(t, "dual.test"), 0, 0, http.HandlerFunc(ok))
	p := &Prober{Resolver: mapResolver{"dual.test": {"127.0.0.1", "2001:db8::1"}}, Dialer: &guardDialer{}, Roots: ca.pool(), Now: time.Now}
	rs := run(t, p, longTimeout,
		Endpoint{Category: "c", Name: "https", Host: "dual.test", Port: port, Check: CheckHTTPS, Advice: advice},
		Endpoint{Category: "c", Name: "tls", Host: "dual.test", Port: port, Check: CheckTLS, Advice: advice, ExpectedIssuers: microsoftRoots},
	)
	r := byName(t, rs, "https")
	assert.Equal(t, Warning, r.Status)
	assert.Equal(t, CauseIPFamily, r.Cause)
	assert.NotContains(t, r.Remediation, advice, "the TCP step warned; the advice is for the HTTP step")

	r = byName(t, rs, "tls")
	assert.Equal(t, Warning, r.Status)
	assert.Equal(t, CauseIPFamily, r.Cause, "the first warning's cause")
	assert.Contains(t, r.Remediation, advice, "the TLS step warned too (inspection): the TLS entry's advice")
}
