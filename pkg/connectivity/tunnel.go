package connectivity

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hybridmgmt/hybridmgmt/pkg/redact"
)

// proxyError is a CONNECT that did not answer 200. Every non-200 answer
// to CONNECT comes from the proxy itself (the target is not reached before
// the tunnel opens), so its status is the proxy's verdict whatever the
// product.
type proxyError struct {
	status int
	// squid is Squid's X-Squid-Error, e.g. "ERR_ACCESS_DENIED 0".
	squid        string
	authenticate string
	// page: the answer is an HTML page of the proxy's own (its block or
	// error page), as its Content-Type says. Proxies other than Squid
	// send no X-Squid-Error; the page is their sign. Its text is neither
	// read nor shown: it often reflects the request.
	page bool
}

// maxProxyText bounds the proxy's own header text quoted in a finding.
const maxProxyText = 80

func (e *proxyError) Error() string {
	s := fmt.Sprintf("the proxy refused CONNECT with HTTP %d", e.status)
	switch {
	case e.squid != "":
		s += " (" + redact.ServerText(e.squid, maxProxyText) + ")"
	case e.page && e.status == http.StatusForbidden:
		s += " (its own block page)"
	case e.page:
		s += " (its own error page)"
	}
	return s
}

// newProxyError reads the proxy's verdict from its answer's header only:
// the body is not needed to recognise a block page, and reading it could
// wait for bytes a proxy never sends.
func newProxyError(resp *http.Response) *proxyError {
	ct := strings.ToLower(resp.Header.Get("Content-Type"))
	return &proxyError{
		status:       resp.StatusCode,
		squid:        resp.Header.Get("X-Squid-Error"),
		authenticate: resp.Header.Get("Proxy-Authenticate"),
		page:         strings.Contains(ct, "html"),
	}
}

// dialProxy opens a connection to the proxy itself, over TLS for an
// https:// proxy.
func (p *Prober) dialProxy(ctx context.Context, proxy *url.URL) (net.Conn, error) {
	port := proxy.Port()
	if port == "" {
		port = "80"
		if proxy.Scheme == "https" {
			port = "443"
		}
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return nil, fmt.Errorf("proxy port %q: %w", port, err)
	}
	conn, err := p.dialHost(ctx, proxy.Hostname(), n)
	if err != nil {
		return nil, err
	}
	if proxy.Scheme != "https" {
		return conn, nil
	}
	release := bindConn(ctx, conn)
	defer release()
	tc := tls.Client(conn, &tls.Config{ServerName: proxy.Hostname(), MinVersion: tls.VersionTLS12, RootCAs: p.Roots, Time: p.Now})
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("TLS to the proxy: %w", err)
	}
	return tc, nil
}

// connectTunnel asks the proxy for a CONNECT tunnel to target, the way
// the connector does. Go's own transport hides the CONNECT status; here it
// is the finding.
func (p *Prober) connectTunnel(ctx context.Context, proxy *url.URL, target string) (net.Conn, error) {
	conn, err := p.dialProxy(ctx, proxy)
	if err != nil {
		return nil, &proxyDialError{err}
	}
	release := bindConn(ctx, conn)
	defer release()
	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Opaque: target},
		Host:   target,
		Header: http.Header{"User-Agent": {userAgent}},
	}
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("send CONNECT: %w", err)
	}
	cr := newCapReader(conn)
	br := bufio.NewReader(cr)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("read the CONNECT answer: %w", headErr(err))
	}
	if resp.StatusCode != http.StatusOK {
		// Closed before the body: closing the body would first read it
		// to its end, and a proxy's page need not end.
		conn.Close()
		resp.Body.Close()
		return nil, newProxyError(resp)
	}
	// The tunnel carries TLS from here on, which bounds its own records.
	cr.unlimited()
	resp.Body.Close()
	_ = conn.SetDeadline(time.Time{})
	return &bufferedConn{Conn: conn, r: br}, nil
}

// proxyDialError marks a failure to reach the proxy itself.
type proxyDialError struct{ err error }

func (e *proxyDialError) Error() string { return e.err.Error() }
func (e *proxyDialError) Unwrap() error { return e.err }

// bufferedConn keeps bytes the CONNECT reader buffered past the header.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(b []byte) (int, error) { return c.r.Read(b) }
