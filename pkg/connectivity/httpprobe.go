package connectivity

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const userAgent = "hybridmgmt-test-hybridconnectivity/1"

// get sends one GET over an established connection and reads the answer
// (headers and at most 8 KiB of body; enough to recognise a block page).
// proxyForm writes the absolute URI a forward proxy expects.
func (r *probeRun) get(ctx context.Context, conn net.Conn, scheme string, proxyForm bool) (*http.Response, []byte, error) {
	r.o.stage = "http"
	host := r.e.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if !(scheme == "http" && r.e.Port == 80) && !(scheme == "https" && r.e.Port == 443) {
		host += ":" + strconv.Itoa(r.e.Port)
	}
	u := &url.URL{Scheme: scheme, Host: host, Path: r.e.path()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "*/*")
	req.Close = true
	write := req.Write
	if proxyForm {
		write = req.WriteProxy
	}
	if err := write(conn); err != nil {
		return nil, nil, fmt.Errorf("send the request: %w", err)
	}
	cr := newCapReader(conn)
	resp, err := http.ReadResponse(bufio.NewReader(cr), req)
	if err != nil {
		return nil, nil, headErr(err)
	}
	cr.allow(maxAnswerBody)
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<10))
	return resp, body, nil
}

func (r *probeRun) httpFailure(ctx context.Context, err error) {
	if isTimeout(err) {
		r.o.fail(CauseHTTPTimeout, fmt.Sprintf("HTTP: no answer within %s", r.plan.Timeout),
			"The connection works but the request gets no answer: check proxies, IPS or load balancers in the path.")
		return
	}
	if ctx.Err() != nil {
		r.o.fail(CauseHTTPTimeout, "HTTP: "+netReason(ctx.Err()), "")
		return
	}
	r.o.fail(CauseHTTPError, "HTTP: no valid answer: "+netReason(err), "Something in the path closes or corrupts HTTP to this host.")
}

// squidCode is the first word of Squid's X-Squid-Error, e.g.
// ERR_ACCESS_DENIED.
func squidCode(h http.Header) string {
	f := strings.Fields(h.Get("X-Squid-Error"))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

const remedyProxyAuth = "The agent supports only unauthenticated outbound proxies: let this machine (its Network Service account) through without authentication, e.g. by source address."

// classifyPlainHTTP judges a port-80 answer: any answer from the origin
// means reachable, but a proxy's error or block page only proves the
// proxy is there. A block page is a Warning (the proxy may still allow
// CONNECT); proxy authentication and gateway errors are failures.
func classifyPlainHTTP(o *outcome, resp *http.Response, body []byte, viaProxy bool) {
	code := squidCode(resp.Header)
	o.note(fmt.Sprintf("HTTP %d", resp.StatusCode))
	html := strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "html") ||
		strings.Contains(strings.ToLower(string(body)), "<html")
	// ifs rather than a switch: Go's coverage profile, which the mutation
	// tests read, does not see case expressions (docs/testing.md).
	if resp.StatusCode == http.StatusProxyAuthRequired || code == "ERR_CACHE_ACCESS_DENIED" {
		o.fail(CauseProxyAuthRequired, "the proxy requires authentication (HTTP 407); the agent supports only unauthenticated outbound proxies", remedyProxyAuth)
		return
	}
	// A 403 page is the proxy's when the request went to the proxy, or a
	// Via header says a proxy answered; without either it is the host's.
	if code == "ERR_ACCESS_DENIED" || code == "ERR_BLOCKED" || (resp.StatusCode == http.StatusForbidden && html && (viaProxy || resp.Header.Get("Via") != "")) {
		what := "a block page"
		if code != "" {
			what += " (" + code + ")"
		}
		o.warn(CauseProxyDenied, fmt.Sprintf("the proxy answered with %s instead of the host's response", what),
			"Allow plain-HTTP GET to this host on the proxy: Windows fetches CRLs and OCSP answers this way, and revocation checks fail without them.")
		return
	}
	if code != "" {
		o.fail(CauseProxyUpstreamFailed, fmt.Sprintf("the proxy could not fetch the page (HTTP %d, %s)", resp.StatusCode, code),
			"The proxy itself cannot reach this host: check the proxy's DNS and outbound firewall.")
		return
	}
	if viaProxy && (resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusGatewayTimeout) && html {
		o.warn(CauseProxyUpstreamFailed, fmt.Sprintf("HTTP %d through the proxy: the proxy may have failed to reach the host", resp.StatusCode),
			"Check the proxy's logs for this host.")
	}
}
