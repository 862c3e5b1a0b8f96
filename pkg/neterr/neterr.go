// Package neterr says in plain words why a request could not reach Graph or
// the sign-in service from this machine: a dead proxy, a name that does not
// resolve, a refused port, an untrusted certificate. Go's own texts
// ("proxyconnect tcp: dial tcp 127.0.0.1:9: connect: connection refused")
// name internals an Exchange admin cannot act on.
package neterr

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"syscall"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// Kind is what went wrong, which decides whether a retry can help.
type Kind int

const (
	// Other transport failures (reset, closed early): retried as usual.
	Other Kind = iota
	// Refused: nothing listens (a dead proxy or host); retried at most
	// twice, quickly.
	Refused
	// DNS: the name does not resolve; retried at most twice, quickly
	// (a resolver hiccup), never for long.
	DNS
	// TLS: the certificate is not trusted; a retry cannot help.
	TLS
	// ProxyDenied: the proxy answered CONNECT with an error status.
	ProxyDenied
	// Timeout: no connection within the dial timeout.
	Timeout
)

// Error is a transport failure in plain words. It is an unavailable error
// (exit 6) and keeps the original for errors.As.
type Error struct {
	Kind Kind
	Msg  string
	Err  error
}

func (e *Error) Error() string   { return e.Msg }
func (e *Error) Unwrap() []error { return []error{e.Err, exitcode.ErrUnavailable} }

// Fast reports whether retrying should stop after two quick tries: the
// failure is immediate and the same next time.
func (e *Error) Fast() bool { return e.Kind == Refused || e.Kind == DNS }

// Permanent reports whether no retry can help.
func (e *Error) Permanent() bool { return e.Kind == TLS || e.Kind == ProxyDenied }

// As finds a *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Describe explains err, the failure of a request to target through proxy
// (nil when direct); proxyHint says where the proxy was configured
// ("check --proxy / HTTPS_PROXY"). It returns nil for errors that are not
// transport failures (cancellation, for one).
func Describe(err error, target *url.URL, proxy *url.URL, proxyHint string) *Error {
	if err == nil || errors.Is(err, context.Canceled) {
		return nil
	}
	if e, ok := As(err); ok {
		return e
	}
	host := target.Host
	if target.Port() == "" {
		host = net.JoinHostPort(target.Hostname(), defaultPort(target.Scheme))
	}
	var (
		opErr   *net.OpError
		dnsErr  *net.DNSError
		unkCA   x509.UnknownAuthorityError
		hostErr x509.HostnameError
		certErr *tls.CertificateVerificationError
	)
	viaProxy := proxy != nil
	if errors.As(err, &opErr) && opErr.Op == "proxyconnect" && proxy != nil {
		kind, cause := cause(err)
		return &Error{Kind: kind, Err: err, Msg: fmt.Sprintf("cannot reach the proxy %s (%s); %s", proxy.Redacted(), cause, proxyHint)}
	}
	switch {
	case errors.As(err, &certErr), errors.As(err, &unkCA), errors.As(err, &hostErr):
		msg := fmt.Sprintf("the TLS certificate of %s is not trusted from this machine (%s)", target.Hostname(), tlsCause(err))
		if viaProxy {
			msg += "; a TLS-inspecting proxy needs its CA in this machine's trust store, or an exception for " + target.Hostname()
		} else {
			msg += "; " + trustHint(runtime.GOOS)
		}
		return &Error{Kind: TLS, Err: err, Msg: msg}
	case errors.As(err, &dnsErr):
		if viaProxy {
			// The proxy resolves the target; a local DNS error names the proxy.
			return &Error{Kind: DNS, Err: err, Msg: fmt.Sprintf("cannot resolve the proxy %s from this machine; %s", proxy.Redacted(), proxyHint)}
		}
		return &Error{Kind: DNS, Err: err, Msg: fmt.Sprintf("cannot resolve %s from this machine (check its DNS servers, or set --proxy if only a proxy reaches the internet)", dnsErr.Name)}
	case errors.As(err, &opErr):
		kind, c := cause(err)
		return &Error{Kind: kind, Err: err, Msg: fmt.Sprintf("cannot reach %s from this machine (%s)", host, c)}
	case viaProxy && isProxyStatus(err):
		return &Error{Kind: ProxyDenied, Err: err, Msg: fmt.Sprintf("the proxy %s would not connect to %s (%s); %s", proxy.Redacted(), host, oneLine(innermost(err)), proxyHint)}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &Error{Kind: Other, Err: err, Msg: fmt.Sprintf("the connection to %s closed early", host)}
	}
	return nil
}

// trustHint says where this OS keeps the roots Go trusts.
func trustHint(goos string) string {
	switch goos {
	case "windows":
		return "check the trusted root certificates of this machine (certlm.msc)"
	case "darwin":
		return "check the System keychain's trusted roots"
	}
	return "check the system's CA bundle (or SSL_CERT_FILE)"
}

// cause names the innermost socket error in a few words.
func cause(err error) (Kind, string) {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return Refused, "connection refused"
	case errors.As(err, &dnsErr):
		return DNS, "name does not resolve: " + dnsErr.Name
	case errors.Is(err, syscall.ECONNRESET):
		return Other, "connection reset"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return Refused, "network unreachable"
	case errors.Is(err, syscall.Errno(10061)), strings.Contains(strings.ToLower(innermost(err)), "refused"):
		// Windows: "No connection could be made because the target
		// machine actively refused it."
		return Refused, "connection refused"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return Timeout, "timed out"
	}
	return Other, oneLine(innermost(err))
}

func tlsCause(err error) string {
	var (
		unkCA   x509.UnknownAuthorityError
		hostErr x509.HostnameError
	)
	switch {
	case errors.As(err, &unkCA):
		return "issued by an unknown authority"
	case errors.As(err, &hostErr):
		return "issued for another name"
	}
	return oneLine(innermost(err))
}

// isProxyStatus matches Go's error for a CONNECT answered with an error:
// the bare status text ("Forbidden", "Proxy Authentication Required").
func isProxyStatus(err error) bool {
	s := innermost(err)
	return http.StatusText(statusOf(s)) != "" || s == "unknown status code"
}

func statusOf(text string) int {
	for code := 400; code < 600; code++ {
		if http.StatusText(code) == text {
			return code
		}
	}
	return 0
}

func defaultPort(scheme string) string {
	if scheme == "http" {
		return "80"
	}
	return "443"
}

func innermost(err error) string {
	for {
		var next error
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			next = u.Unwrap()
		case interface{ Unwrap() []error }:
			if es := u.Unwrap(); len(es) > 0 {
				next = es[0]
			}
		}
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Transport wraps an http.RoundTripper so transport failures come back as
// *Error, for Graph and for MSAL alike (both use the factory's client).
type Transport struct {
	Base http.RoundTripper
	// Proxy is the same function the base transport uses, to name the
	// proxy in messages.
	Proxy func(*http.Request) (*url.URL, error)
	// ProxyHint says where the proxy is configured.
	ProxyHint string
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.Base.RoundTrip(req)
	if err == nil || req.Context().Err() != nil {
		return resp, err
	}
	var proxy *url.URL
	if t.Proxy != nil {
		proxy, _ = t.Proxy(req)
	}
	if e := Describe(err, req.URL, proxy, t.ProxyHint); e != nil {
		return nil, e
	}
	return resp, err
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the base.
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.Base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
