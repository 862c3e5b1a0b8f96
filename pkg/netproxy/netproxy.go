// Package netproxy decides which outbound proxy a request uses, in the order
// Exchange admins expect: an explicit --proxy, then the HTTPS_PROXY/NO_PROXY
// environment, then (on Windows) the machine's WinHTTP proxy, which is what
// `netsh winhttp set proxy` configures on servers that never set env proxies.
package netproxy

import (
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpproxy"

	"github.com/hybridmgmt/hybridmgmt/pkg/validate"
)

// SystemSource reads the operating system's proxy settings. The Windows
// implementation reads the WinHTTP registry blob; elsewhere there is none.
type SystemSource interface {
	WinHTTP() (Settings, error)
}

// Resolver picks the proxy for a request.
type Resolver struct {
	// Explicit is a validated --proxy value; empty means none.
	Explicit string
	// Getenv reads the environment (os.Getenv in production).
	Getenv func(string) string
	// System is consulted when neither Explicit nor the environment names a
	// proxy; nil means no system proxy.
	System SystemSource
}

// Choice is the outcome of resolving, for requests and for diagnostics.
type Choice struct {
	// Source is "flag", "environment", "winhttp" or "direct".
	Source string
	Func   func(*http.Request) (*url.URL, error)
}

// Describe names the proxy that applies to u, for --verbose and for
// connectivity results ("via proxy http://proxy:3128 (environment)").
func (c Choice) Describe(u *url.URL) string {
	p, err := c.Func(&http.Request{URL: u})
	if err != nil || p == nil {
		return "direct"
	}
	return p.Redacted() + " (" + c.Source + ")"
}

// Resolve builds the proxy function once per process.
func (r Resolver) Resolve() (Choice, error) {
	if r.Explicit != "" {
		pu, err := url.Parse(r.Explicit)
		if err != nil {
			return Choice{}, err
		}
		return Choice{Source: "flag", Func: func(*http.Request) (*url.URL, error) { return pu, nil }}, nil
	}
	getenv := r.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if err := CheckEnv(getenv); err != nil {
		return Choice{}, err
	}
	env := envConfig(getenv)
	if env.HTTPProxy == "" && env.HTTPSProxy != "" {
		// One proxy for both schemes, as WinHTTP (what the agent uses)
		// has: with only HTTPS_PROXY set, port-80 checks (CRL, remote
		// PowerShell) would otherwise test a direct path the agent never
		// takes.
		env.HTTPProxy = env.HTTPSProxy
	}
	if env.HTTPProxy != "" || env.HTTPSProxy != "" {
		f := env.ProxyFunc()
		return Choice{Source: "environment", Func: func(req *http.Request) (*url.URL, error) { return f(req.URL) }}, nil
	}
	if r.System != nil {
		s, err := r.System.WinHTTP()
		if err == nil && s.Proxy != "" {
			return Choice{Source: "winhttp", Func: s.ProxyFunc()}, nil
		}
	}
	return Choice{Source: "direct", Func: func(*http.Request) (*url.URL, error) { return nil, nil }}, nil
}

// CheckEnv validates the proxy variables that will be used exactly as
// --proxy is validated (http(s)://host[:port], no credentials, no path),
// so a bad value is a usage error (exit 2) before any network call rather
// than a failure mid-run, and a proxy password is never sent (docs/security.md).
// It runs only when --proxy is not given: the flag replaces them.
func CheckEnv(getenv func(string) string) error {
	if getenv == nil {
		return nil
	}
	for _, pair := range [][2]string{{"HTTPS_PROXY", "https_proxy"}, {"HTTP_PROXY", "http_proxy"}} {
		name, v := first(getenv, pair[0], pair[1])
		if v == "" {
			continue
		}
		if _, err := validate.ProxyURL(name, v); err != nil {
			return err
		}
	}
	return nil
}

// first returns the first set variable of names and its value.
func first(getenv func(string) string, names ...string) (string, string) {
	for _, n := range names {
		if v := strings.TrimSpace(getenv(n)); v != "" {
			return n, v
		}
	}
	return "", ""
}

// envConfig reads the proxy variables the way curl and Go do, upper case first.
func envConfig(getenv func(string) string) *httpproxy.Config {
	value := func(names ...string) string {
		_, v := first(getenv, names...)
		return v
	}
	return &httpproxy.Config{
		HTTPProxy:  value("HTTP_PROXY", "http_proxy"),
		HTTPSProxy: value("HTTPS_PROXY", "https_proxy"),
		NoProxy:    value("NO_PROXY", "no_proxy"),
	}
}
