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
	"time"
)

// proxyError is a CONNECT that did not answer 200.
type proxyError struct {
	status       int
	squid        string
	authenticate string
}

func (e *proxyError) Error() string {
	s := fmt.Sprintf("the proxy refused CONNECT with HTTP %d", e.status)
	if e.squid != "" {
		s += " (" + e.squid + ")"
	}
	return s
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
	// The tunnel carries TLS from here on, which bounds its own records.
	cr.unlimited()
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		conn.Close()
		return nil, &proxyError{status: resp.StatusCode, squid: resp.Header.Get("X-Squid-Error"), authenticate: resp.Header.Get("Proxy-Authenticate")}
	}
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
