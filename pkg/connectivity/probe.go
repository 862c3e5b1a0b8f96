package connectivity

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/hybridmgmt/hybridmgmt/pkg/redact"
)

// probeRun is one entry being probed.
type probeRun struct {
	p     *Prober
	plan  *Plan
	e     Endpoint
	o     *outcome
	proxy *url.URL
	// date is the server's Date header with the local time it arrived,
	// for the clock-skew check.
	date, local time.Time
}

func (r *probeRun) hostport() string { return net.JoinHostPort(r.e.Host, strconv.Itoa(r.e.Port)) }

// probe runs every step of the entry's check. It never returns early
// without a finding: a failed step records why and what to do.
func (r *probeRun) probe(ctx context.Context) {
	if !r.e.Direct && r.plan.Proxy.Func != nil {
		u := &url.URL{Scheme: r.e.Check.scheme(), Host: r.hostport(), Path: r.e.path()}
		pu, err := r.plan.Proxy.Func(&http.Request{URL: u})
		if err != nil {
			r.o.fail(CauseProxyUnreachable, "proxy configuration: "+err.Error(), "Fix --proxy, HTTPS_PROXY or the WinHTTP proxy.")
			return
		}
		r.proxy = pu
	}
	if r.proxy != nil {
		r.viaProxy(ctx)
		return
	}
	conn, ok := r.connectDirect(ctx)
	if !ok {
		return
	}
	defer conn.Close()
	release := bindConn(ctx, conn)
	defer release()
	r.overConnection(ctx, conn, false)
}

// connectDirect resolves the host and connects over IPv4 and IPv6 at the
// same time, reporting each family: Windows prefers IPv6, and a broken
// IPv6 path behind a working IPv4 one is a known cause of agent outages.
func (r *probeRun) connectDirect(ctx context.Context) (net.Conn, bool) {
	o := r.o
	o.stage = "dns"
	res, err := r.p.resolve(ctx, r.e.Host)
	if err != nil {
		o.fail(dnsCause(err), "DNS: "+r.e.Host+": "+netReason(err), dnsRemedy(r.e, runtime.GOOS))
		return nil, false
	}
	o.stage = "tcp"
	o.note(res.describe())
	type attempt struct {
		family string
		ips    []net.IP
		conn   net.Conn
		err    error
	}
	attempts := []*attempt{{family: "IPv4", ips: res.v4}, {family: "IPv6", ips: res.v6}}
	done := make(chan struct{}, len(attempts))
	for _, a := range attempts {
		if len(a.ips) == 0 {
			done <- struct{}{}
			continue
		}
		go func(a *attempt) {
			network := "tcp4"
			if a.family == "IPv6" {
				network = "tcp6"
			}
			a.conn, a.err = r.p.dialAny(ctx, network, a.ips, r.e.Port)
			done <- struct{}{}
		}(a)
	}
	for range attempts {
		<-done
	}
	var chosen net.Conn
	var tcp []string
	var broken, firstErr error
	// if rather than switch: Go's coverage profile, which the mutation
	// tests read, does not see case expressions (docs/testing.md).
	for _, a := range attempts {
		if len(a.ips) == 0 {
			continue
		}
		if a.err == nil {
			tcp = append(tcp, a.family+" connected")
			if chosen == nil {
				chosen = a.conn
			} else {
				a.conn.Close()
			}
			continue
		}
		if firstErr == nil {
			firstErr = a.err
		}
		if noRoute(a.err) {
			tcp = append(tcp, a.family+" no route from this machine")
			continue
		}
		tcp = append(tcp, a.family+" "+netReason(a.err))
		broken = a.err
	}
	o.note("TCP " + strings.Join(tcp, ", "))
	if chosen == nil {
		o.fail(tcpCause(firstErr), fmt.Sprintf("TCP %s: %s", r.hostport(), netReason(firstErr)), tcpRemedy(firstErr, r.e))
		return nil, false
	}
	if broken != nil {
		o.warn(CauseIPFamily, "TCP works over one address family only: "+strings.Join(tcp, ", "),
			"Windows prefers IPv6 when the name has IPv6 addresses: fix the IPv6 path (firewall, routing) or stop publishing/using IPv6 for this host on this machine.")
	}
	return chosen, true
}

// dnsRemedy is advice for a name that does not resolve: internal names
// (an Exchange server, a single label, a suffix that is not a public one)
// are the internal DNS's business; public names must resolve through
// whatever DNS this machine uses. The lookup command fits the OS.
func dnsRemedy(e Endpoint, goos string) string {
	lookup := "nslookup " + e.Host
	if goos == "windows" {
		lookup = "Resolve-DnsName " + e.Host
	}
	if e.Direct || IsInternalName(e.Host) {
		return "This machine's DNS servers do not resolve " + e.Host + ": check the internal DNS zone and the DNS servers this machine uses (" + lookup + ")."
	}
	return "Make sure this machine's DNS resolves public names, including every CNAME in the chain (" + lookup + ")."
}

// IsInternalName reports whether host can only resolve in internal DNS: a
// single label, or a suffix that is not a public one (contoso.local).
func IsInternalName(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if net.ParseIP(host) != nil {
		return false
	}
	if !strings.Contains(host, ".") {
		return true
	}
	_, icann := publicsuffix.PublicSuffix(host)
	return !icann
}

func tcpRemedy(err error, e Endpoint) string {
	port := e.Port
	if e.Direct {
		// Exchange is reached directly on the internal network: no
		// outbound proxy is involved, whatever this machine's settings.
		switch netReason(err) {
		case "connection refused":
			return fmt.Sprintf("%s refuses TCP %d: check that the service listens there (IIS for 80/443, WinRM for 5985/5986) and that the Windows Firewall on the server allows it.", e.Host, port)
		case "no answer (timed out)":
			return fmt.Sprintf("A firewall between this machine and %s drops TCP %d: allow it (the agent reaches Exchange directly on the internal network).", e.Host, port)
		}
		return fmt.Sprintf("Check routing and firewalls between this machine and %s for TCP %d.", e.Host, port)
	}
	switch netReason(err) {
	case "connection refused":
		return fmt.Sprintf("Something rejects outbound TCP %d: allow it on the firewall (for services running as Network Service), or set the outbound proxy.", port)
	case "no answer (timed out)":
		return fmt.Sprintf("A firewall drops outbound TCP %d to this host: allow it (for services running as Network Service), or configure the outbound proxy.", port)
	}
	return fmt.Sprintf("Check routing and firewalls for outbound TCP %d to this host.", port)
}

// viaProxy probes through the proxy and, next to it, whether the direct
// path is open, so the report can say "direct blocked, proxy works".
func (r *probeRun) viaProxy(ctx context.Context) {
	o := r.o
	o.stage = "proxy"
	o.note("via proxy " + r.proxy.Redacted() + " (" + r.plan.Proxy.Source + ")")
	direct := make(chan directResult, 1)
	go func() { direct <- r.directPath(ctx) }()
	defer func() {
		d := <-direct
		if d.unresolvable && !(o.failed() && o.failStage == "proxy") {
			// Only a proxy that answered can be said to resolve it.
			d.note = strings.TrimSuffix(d.note, ")") + "; the proxy resolves it)"
		}
		o.note(d.note)
		if o.failed() && d.open {
			o.remedy("The direct path to this host is open: the proxy is what blocks it; fix the proxy rule or bypass the proxy for this host.")
		}
	}()

	if r.e.Check == CheckHTTP {
		conn, err := r.p.dialProxy(ctx, r.proxy)
		if err != nil {
			r.proxyFailure(&proxyDialError{err})
			return
		}
		defer conn.Close()
		release := bindConn(ctx, conn)
		defer release()
		resp, body, err := r.get(ctx, conn, "http", true)
		if err != nil {
			r.httpFailure(ctx, err)
			return
		}
		classifyPlainHTTP(o, resp, body, true)
		return
	}
	conn, err := r.p.connectTunnel(ctx, r.proxy, r.hostport())
	if err != nil {
		r.proxyFailure(err)
		return
	}
	defer conn.Close()
	release := bindConn(ctx, conn)
	defer release()
	o.note("CONNECT 200")
	r.overConnection(ctx, conn, true)
}

func (r *probeRun) proxyFailure(err error) {
	var pe *proxyError
	var de *proxyDialError
	if errors.As(err, &pe) {
		r.proxyRefused(pe)
		return
	}
	if errors.As(err, &de) {
		r.o.fail(CauseProxyUnreachable, "the proxy "+r.proxy.Redacted()+" is unreachable: "+netReason(de.err), "Check the proxy address (--proxy, HTTPS_PROXY or WinHTTP) and that this machine may reach it.")
		return
	}
	r.o.fail(CauseProxyUnreachable, "proxy: "+err.Error(), "Check the proxy.")
}

// proxyRefused judges the proxy's own answer to CONNECT by its status.
func (r *probeRun) proxyRefused(pe *proxyError) {
	if pe.status == http.StatusProxyAuthRequired {
		r.o.fail(CauseProxyAuthRequired, fmt.Sprintf("the proxy requires authentication (CONNECT answered HTTP 407%s); the agent supports only unauthenticated outbound proxies", authNote(pe.authenticate)), remedyProxyAuth)
		return
	}
	if pe.status >= 500 {
		r.o.fail(CauseProxyUpstreamFailed, pe.Error()+": the proxy could not open the connection", "The proxy cannot reach "+r.hostport()+": check the proxy's DNS and outbound firewall, and that it allows CONNECT to port "+strconv.Itoa(r.e.Port)+".")
		return
	}
	r.o.fail(CauseProxyDenied, pe.Error(), "Allow CONNECT to "+r.hostport()+" on the proxy "+r.proxy.Redacted()+" (the connector tunnels to ports 443 and 80).")
}

// authNote quotes the proxy's challenge (its scheme and realm name the
// product), bounded and without credentials like any server text.
func authNote(challenge string) string {
	if challenge == "" {
		return ""
	}
	return ", " + redact.ServerText(challenge, maxProxyText)
}

// overConnection runs the TLS and HTTP steps on an open path.
func (r *probeRun) overConnection(ctx context.Context, conn net.Conn, tunnelled bool) {
	switch r.e.Check {
	case CheckTCP:
		return
	case CheckHTTP:
		resp, body, err := r.get(ctx, conn, "http", false)
		if err != nil {
			r.httpFailure(ctx, err)
			return
		}
		classifyPlainHTTP(r.o, resp, body, tunnelled)
		return
	}
	tc, ok := r.handshake(ctx, conn)
	if !ok {
		return
	}
	if r.e.Check == CheckTLS {
		return
	}
	resp, _, err := r.get(ctx, tc, "https", false)
	if err != nil {
		r.httpFailure(ctx, err)
		return
	}
	if r.e.Check == CheckWindowsAuth {
		classifyWindowsAuth(r.o, r.e, resp)
		return
	}
	r.o.note(fmt.Sprintf("HTTP %d", resp.StatusCode))
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		r.date, r.local = d, r.p.now()
	}
}

// reopen opens a fresh path to the entry (same route as the first) for
// the TLS version re-probe.
func (r *probeRun) reopen(ctx context.Context) (net.Conn, error) {
	if r.proxy != nil {
		return r.p.connectTunnel(ctx, r.proxy, r.hostport())
	}
	return r.p.dialHost(ctx, r.e.Host, r.e.Port)
}

type directResult struct {
	note         string
	open         bool
	unresolvable bool
}

// directPath checks whether this machine could reach the host without the
// proxy. It gets at most DirectTimeout: on a network that drops direct
// traffic it would otherwise hold every proxied entry for the full
// --timeout.
func (r *probeRun) directPath(ctx context.Context) directResult {
	limit := r.p.DirectTimeout
	if limit <= 0 {
		limit = DefaultDirectTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	res, err := r.p.resolve(ctx, r.e.Host)
	if err != nil {
		return directResult{note: "direct: name not resolvable here (" + netReason(err) + ")", unresolvable: true}
	}
	conn, err := r.p.dialAny(ctx, "tcp", append(append([]net.IP(nil), res.v4...), res.v6...), r.e.Port)
	if err != nil {
		return directResult{note: "direct: TCP blocked (" + netReason(err) + "); this machine must use the proxy"}
	}
	conn.Close()
	return directResult{note: "direct: TCP open", open: true}
}
