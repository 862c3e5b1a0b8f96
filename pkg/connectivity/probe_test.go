package connectivity

import (
	"crypto/tls"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const longTimeout = 10 * time.Second

func TestTLSVariants(t *testing.T) {
	ca := newCA(t, "Test Root CA")
	other := newCA(t, "Contoso Inspection CA")
	now := time.Now()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) })
	ports := map[string]int{
		"tls13":   tlsServer(t, ca.valid(t, "tls13.test"), tls.VersionTLS13, 0, h),
		"tls12":   tlsServer(t, ca.valid(t, "tls12.test"), tls.VersionTLS12, tls.VersionTLS12, h),
		"tls10":   tlsServer(t, ca.valid(t, "tls10.test"), tls.VersionTLS10, tls.VersionTLS10, h),
		"expired": tlsServer(t, ca.issue(t, []string{"expired.test"}, now.Add(-60*24*time.Hour), now.Add(-24*time.Hour)), 0, 0, h),
		"wrong":   tlsServer(t, ca.valid(t, "other.test"), 0, 0, h),
		"unknown": tlsServer(t, other.valid(t, "unknown.test"), 0, 0, h),
	}
	p := testProber(ca.pool(), "tls13.test", "tls12.test", "tls10.test", "expired.test", "wrong.test", "unknown.test")
	ep := func(name, host string, port int) Endpoint {
		return Endpoint{Category: "TLS", Name: name, Host: host, Port: port, Check: CheckHTTPS}
	}
	rs := run(t, p, longTimeout,
		ep("tls13", "tls13.test", ports["tls13"]),
		ep("tls12", "tls12.test", ports["tls12"]),
		ep("tls10", "tls10.test", ports["tls10"]),
		ep("expired", "expired.test", ports["expired"]),
		ep("wrong", "wrong.test", ports["wrong"]),
		ep("unknown", "unknown.test", ports["unknown"]),
	)

	r := byName(t, rs, "tls13")
	assert.Equal(t, Passed, r.Status, r.Error)
	assert.Contains(t, r.Detail, "DNS: IPv4 127.0.0.1; IPv6 none; TCP IPv4 connected; TLS 1.3, issuer Test Root CA, root Test Root CA, certificate expires in 8")
	assert.Contains(t, r.Detail, "HTTP 404", "any HTTP answer over a verified session is reachable")
	assert.Empty(t, r.Error)
	assert.Empty(t, r.Cause, "a passed check has no cause")

	r = byName(t, rs, "tls12")
	assert.Equal(t, Passed, r.Status, r.Error)
	assert.Contains(t, r.Detail, "TLS 1.2, issuer Test Root CA")

	r = byName(t, rs, "tls10")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, "TLS: the server offers only TLS 1.0; TLS 1.2 or later is required", r.Error)
	assert.Equal(t, CauseTLSVersion, r.Cause)
	assert.Contains(t, r.Remediation, "SCHANNEL TLS 1.2")

	r = byName(t, rs, "expired")
	assert.Equal(t, Failed, r.Status)
	assert.Contains(t, r.Error, "TLS: the certificate has expired or is not yet valid")
	assert.Equal(t, CauseTLSExpired, r.Cause)

	r = byName(t, rs, "wrong")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, "TLS: the certificate does not cover wrong.test (it names other.test)", r.Error)
	assert.Equal(t, CauseTLSNameMismatch, r.Cause)

	r = byName(t, rs, "unknown")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, `TLS: the certificate chain is not trusted here (issued by "Contoso Inspection CA")`, r.Error)
	assert.Equal(t, CauseTLSUntrusted, r.Cause)
	assert.Contains(t, r.Remediation, "exempt this host from inspection")
}

func TestExpectedIssuersDetectInspection(t *testing.T) {
	ca := newCA(t, "Contoso Inspection CA")
	port := tlsServer(t, ca.valid(t, "login.test"), 0, 0, http.HandlerFunc(ok))
	p := testProber(ca.pool(), "login.test")
	rs := run(t, p, longTimeout,
		Endpoint{Category: "c", Name: "inspected", Host: "login.test", Port: port, Check: CheckTLS, ExpectedIssuers: microsoftRoots},
		Endpoint{Category: "c", Name: "expected", Host: "login.test", Port: port, Check: CheckHTTPS, ExpectedIssuers: []string{"contoso inspection ca"}},
	)
	r := byName(t, rs, "inspected")
	assert.Equal(t, Warning, r.Status)
	assert.Equal(t, "TLS inspection detected; the connector's certificate authentication breaks behind it; bypass inspection for these hosts", r.Error)
	assert.Contains(t, r.Remediation, `The chain ends at "Contoso Inspection CA"`)
	assert.Equal(t, CauseTLSInspection, r.Cause, "warnings carry a cause too")
	assert.NotContains(t, r.Detail, "HTTP", "a tls check stops after the handshake")

	r = byName(t, rs, "expected")
	assert.Equal(t, Passed, r.Status, "issuer names match case-insensitively")
}

func TestUnreachable(t *testing.T) {
	ca := newCA(t, "Test Root CA")
	silent := silentListener(t)
	closed := closedPort(t)
	p := testProber(ca.pool(), "silent.test", "closed.test")
	rs := run(t, p, 300*time.Millisecond,
		Endpoint{Category: "c", Name: "silent", Host: "silent.test", Port: silent, Check: CheckHTTPS},
		Endpoint{Category: "c", Name: "silent tcp", Host: "silent.test", Port: silent, Check: CheckTCP},
		Endpoint{Category: "c", Name: "closed", Host: "closed.test", Port: closed, Check: CheckTCP},
		Endpoint{Category: "c", Name: "nxdomain", Host: "nowhere.test", Port: 443, Check: CheckHTTPS},
	)
	r := byName(t, rs, "silent")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, "TLS: no handshake answer within 300ms: the TCP connection was accepted but TLS never completed", r.Error)
	assert.Contains(t, r.Remediation, "accepts the connection and then holds it")
	assert.Equal(t, CauseTLSTimeout, r.Cause)

	assert.Equal(t, Passed, byName(t, rs, "silent tcp").Status, "a tcp check only needs the connection")

	r = byName(t, rs, "closed")
	assert.Equal(t, Failed, r.Status)
	assert.Contains(t, r.Error, ": connection refused")
	assert.Contains(t, r.Remediation, "rejects outbound TCP")
	assert.Equal(t, CauseTCPRefused, r.Cause)

	r = byName(t, rs, "nxdomain")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, "DNS: nowhere.test: name not found", r.Error)
	assert.Equal(t, CauseDNSNotFound, r.Cause)
	assert.Contains(t, r.Remediation, "do not resolve nowhere.test: check the internal DNS zone", ".test is not a public suffix")
}

// Advice fits the failing step, the kind of name and the OS.
func TestRemedies(t *testing.T) {
	exch := ExchangeEndpoints("exch01.contoso.local")[0]
	public := Endpoint{Host: "login.microsoftonline.com", Port: 443, Check: CheckHTTPS}
	assert.Equal(t, "Make sure this machine's DNS resolves public names, including every CNAME in the chain (nslookup login.microsoftonline.com).", dnsRemedy(public, "linux"))
	assert.Contains(t, dnsRemedy(public, "windows"), "(Resolve-DnsName login.microsoftonline.com)")
	assert.NotContains(t, dnsRemedy(public, "darwin"), "Resolve-DnsName")
	assert.Contains(t, dnsRemedy(exch, "linux"), "do not resolve exch01.contoso.local: check the internal DNS zone")
	assert.Contains(t, dnsRemedy(Endpoint{Host: "exch01"}, "linux"), "internal DNS zone", "a single label is internal")
	for _, h := range []string{"exch01", "exch01.contoso.local", "mail.corp", "x.internal"} {
		assert.True(t, IsInternalName(h), h)
	}
	for _, h := range []string{"graph.microsoft.com", "mail.contoso.co.uk", "127.0.0.1"} {
		assert.False(t, IsInternalName(h), h)
	}
	refused := &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	assert.NotContains(t, tcpRemedy(refused, exch), "proxy", "Exchange is reached directly")
	assert.Contains(t, tcpRemedy(refused, exch), "exch01.contoso.local refuses TCP 443")
	assert.Contains(t, tcpRemedy(refused, public), "outbound proxy")
}

func TestAddressFamilies(t *testing.T) {
	ca := newCA(t, "Test Root CA")
	port := tlsServer(t, ca.valid(t, "dual.test"), 0, 0, http.HandlerFunc(ok))
	// The IPv6 address is a documentation address: the guard dialer fails
	// it without sending anything.
	res := mapResolver{"dual.test": {"127.0.0.1", "2001:db8::1"}}
	e := Endpoint{Category: "c", Name: "dual", Host: "dual.test", Port: port, Check: CheckHTTPS}

	p := &Prober{Resolver: res, Dialer: &guardDialer{}, Roots: ca.pool(), Now: time.Now}
	r := byName(t, run(t, p, longTimeout, e), "dual")
	assert.Equal(t, Warning, r.Status, "IPv6 refused while IPv4 works")
	assert.Contains(t, r.Detail, "DNS: IPv4 127.0.0.1; IPv6 2001:db8::1; TCP IPv4 connected, IPv6 connection refused")
	assert.Contains(t, r.Detail, "HTTP 200", "the probe still completes over IPv4")
	assert.Contains(t, r.Remediation, "Windows prefers IPv6")
	assert.Equal(t, CauseIPFamily, r.Cause)

	p.Dialer = &guardDialer{otherErr: syscall.ENETUNREACH}
	r = byName(t, run(t, p, longTimeout, e), "dual")
	assert.Equal(t, Passed, r.Status, "no IPv6 route at all is configuration, not a block")
	assert.Contains(t, r.Detail, "IPv6 no route from this machine")
}

func TestHTTPStatusVariants(t *testing.T) {
	ca := newCA(t, "Test Root CA")
	port := tlsServer(t, ca.valid(t, "status.test"), 0, 0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		w.WriteHeader(code)
	}))
	p := testProber(ca.pool(), "status.test")
	var es []Endpoint
	for _, code := range []int{200, 301, 400, 401, 403, 404, 500, 503} {
		es = append(es, Endpoint{Category: "c", Name: http.StatusText(code), Host: "status.test", Port: port, Check: CheckHTTPS, Path: "/" + strconv.Itoa(code)})
	}
	for _, r := range run(t, p, longTimeout, es...) {
		if r.Category != "c" {
			continue
		}
		assert.Equal(t, Passed, r.Status, "%s: any HTTP answer over verified TLS means reachable", r.Name)
		assert.Contains(t, r.Detail, "HTTP ")
	}
}

func TestPlainHTTP(t *testing.T) {
	origin := httpServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	}))
	// What a transparent proxy hands back instead of the CRL.
	block := httpServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("X-Squid-Error", "ERR_ACCESS_DENIED 0")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("<html><body>Access denied</body></html>"))
	}))
	p := testProber(nil, "crl.test")
	rs := run(t, p, longTimeout,
		Endpoint{Category: "c", Name: "origin", Host: "crl.test", Port: origin, Check: CheckHTTP},
		Endpoint{Category: "c", Name: "block", Host: "crl.test", Port: block, Check: CheckHTTP},
	)
	r := byName(t, rs, "origin")
	assert.Equal(t, Passed, r.Status)
	assert.Contains(t, r.Detail, "HTTP 404")
	r = byName(t, rs, "block")
	assert.Equal(t, Warning, r.Status)
	assert.Equal(t, "the proxy answered with a block page (ERR_ACCESS_DENIED) instead of the host's response", r.Error)
}

func TestClockSkew(t *testing.T) {
	ca := newCA(t, "Test Root CA")
	port := tlsServer(t, ca.valid(t, "login.test", "other.test"), 0, 0, http.HandlerFunc(ok))
	es := []Endpoint{
		{Category: "a", Name: "other", Host: "other.test", Port: port, Check: CheckHTTPS},
		{Category: "b", Name: "login", Host: "login.test", Port: port, Check: CheckHTTPS},
	}
	p := testProber(ca.pool(), "login.test", "other.test")
	r := byName(t, run(t, p, longTimeout, es...), "Clock skew")
	assert.Equal(t, Passed, r.Status)
	assert.Equal(t, "login.test", r.Host, "a login host is preferred")
	assert.Contains(t, r.Detail, "login.test's Date header")

	p.Now = func() time.Time { return time.Now().Add(-10 * time.Minute) }
	r = byName(t, run(t, p, longTimeout, es...), "Clock skew")
	assert.Equal(t, Warning, r.Status)
	assert.Contains(t, r.Detail, "behind login.test")
	assert.Contains(t, r.Error, "more than 5m0s")

	r = byName(t, run(t, p, longTimeout, Endpoint{Category: "a", Name: "tcp", Host: "login.test", Port: port, Check: CheckTCP}), "Clock skew")
	assert.Equal(t, Skipped, r.Status)
	assert.Equal(t, "no HTTPS endpoint answered with a Date header", r.Detail)
}

func TestRunShapeAndOrder(t *testing.T) {
	closed := closedPort(t)
	p := testProber(nil, "a.test")
	plan := Plan{Parallel: 3, Timeout: longTimeout, Notes: []Result{{Category: "Cloud", Name: "note", Status: Warning}}}
	for _, n := range []string{"z", "b", "m", "a"} {
		plan.Endpoints = append(plan.Endpoints, Endpoint{Category: "Zeta", Name: n, Host: "a.test", Port: closed, Check: CheckTCP})
	}
	plan.Endpoints = append(plan.Endpoints, Endpoint{Category: "alpha", Name: "x", Host: "a.test", Port: closed, Check: CheckTCP})
	rs := p.Run(t.Context(), plan)
	var got []string
	for _, r := range rs {
		got = append(got, r.Category+"/"+r.Name)
	}
	assert.Equal(t, []string{
		"alpha/x", "Cloud/note",
		"Machine/.NET Framework 4.7.2 or later",
		"Machine/.NET strong crypto (SchUseStrongCrypto, SystemDefaultTlsVersions)",
		"Machine/Clock skew",
		"Machine/Hybrid Agent service (mshybridsvc)",
		"Machine/Proxy for Network Service",
		"Machine/TLS 1.2 (SCHANNEL client and server)",
		"Zeta/a", "Zeta/b", "Zeta/m", "Zeta/z",
	}, got)
	for _, r := range rs {
		if r.Category == "Machine" && r.Name != "Clock skew" {
			assert.Equal(t, Skipped, r.Status)
			assert.Regexp(t, `^Windows-only check; this machine runs \w+$`, r.Detail)
		}
	}
}

func TestCancelReportsWhatFinished(t *testing.T) {
	ca := newCA(t, "Test Root CA")
	hit := make(chan struct{})
	fast := tlsServer(t, ca.valid(t, "fast.test"), 0, 0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(hit)
	}))
	silent, hello := helloListener(t)
	p := testProber(ca.pool(), "fast.test", "silent.test")
	ctx, cancel := contextWithCancel(t)
	go func() {
		// Cancel once the fast entry is answering and the silent one is
		// past TCP (its TLS hello arrived): on a loaded machine the
		// silent dial could otherwise still be running.
		<-hit
		<-hello
		cancel()
	}()
	plan := Plan{Parallel: 2, Timeout: time.Minute, SkipMachine: "x", Endpoints: []Endpoint{
		{Category: "c", Name: "fast", Host: "fast.test", Port: fast, Check: CheckHTTPS},
		{Category: "c", Name: "silent", Host: "silent.test", Port: silent, Check: CheckHTTPS},
	}}
	rs := p.Run(ctx, plan)
	require.Len(t, rs, 8)
	r := byName(t, rs, "silent")
	assert.Equal(t, Skipped, r.Status)
	assert.Equal(t, "interrupted before this check finished", r.Error)
	assert.Equal(t, CauseNotRun, r.Cause, "a check the interrupt cut short did not run to a cause")
	assert.Contains(t, r.Detail, "TCP IPv4 connected", "steps that finished are kept")
	// The fast entry may or may not have read its answer before the
	// cancel landed; either way it has exactly one result.
	assert.Contains(t, []Status{Passed, Skipped}, byName(t, rs, "fast").Status)
}

func TestMaxDuration(t *testing.T) {
	silent := silentListener(t)
	p := testProber(newCA(t, "x").pool(), "silent.test")
	plan := Plan{Parallel: 1, Timeout: time.Minute, MaxDuration: 200 * time.Millisecond, SkipMachine: "x", Endpoints: []Endpoint{
		{Category: "c", Name: "first", Host: "silent.test", Port: silent, Check: CheckTLS},
		{Category: "c", Name: "second", Host: "silent.test", Port: silent, Check: CheckTLS},
	}}
	rs := p.Run(t.Context(), plan)
	for _, n := range []string{"first", "second"} {
		r := byName(t, rs, n)
		assert.Equal(t, Failed, r.Status, n)
		assert.Equal(t, "not finished within --max-duration 200ms", r.Error, n)
	}
}
