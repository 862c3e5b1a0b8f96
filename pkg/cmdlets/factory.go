package cmdlets

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/auth"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
	"github.com/hybridmgmt/hybridmgmt/pkg/neterr"
	"github.com/hybridmgmt/hybridmgmt/pkg/netproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
)

// Factory holds the lazily built dependencies every command shares. Tests
// replace any constructor; commands never build clients themselves.
type Factory struct {
	IO      *iostreams.IOStreams
	Getenv  func(string) string
	Now     func() time.Time
	Version string

	// Global is bound to the root's persistent flags.
	Global *GlobalOptions

	// System is the OS proxy source (WinHTTP on Windows, nil elsewhere).
	System netproxy.SystemSource

	// HTTPClient returns the client for Graph and sign-in traffic.
	HTTPClient func() (*http.Client, error)
	// Tokens returns the token source for the resolved sign-in settings.
	Tokens func() (auth.TokenSource, error)
	// AppProxy returns the Graph App Proxy client.
	AppProxy func() (appproxy.API, error)
	// OpenURL overrides the browser opener (tests); nil = system browser.
	OpenURL func(string) error

	settingsOnce sync.Once
	settings     *Settings
	settingsErr  error

	httpOnce   sync.Once
	httpClient *http.Client
	httpErr    error

	// interactiveDefault makes a call without credential flags sign in
	// interactively (connect) instead of using only the cache.
	interactiveDefault bool
	// forceSignIn is connect --force: skip the cache.
	forceSignIn bool

	authOnce sync.Once
	authCfg  *auth.Config
	authErr  error
}

// NewFactory wires the production dependencies.
func NewFactory(version string) *Factory {
	f := &Factory{
		IO:      iostreams.System(),
		Getenv:  os.Getenv,
		Now:     time.Now,
		Version: version,
		Global:  &GlobalOptions{},
		System:  netproxy.System(),
	}
	f.HTTPClient = f.defaultHTTPClient
	f.Tokens = f.defaultTokens
	f.AppProxy = f.defaultAppProxy
	return f
}

// Settings validates and resolves the global options once.
func (f *Factory) Settings() (*Settings, error) {
	f.settingsOnce.Do(func() {
		f.settings, f.settingsErr = resolveSettings(f.Global, f.Getenv)
	})
	return f.settings, f.settingsErr
}

func (f *Factory) defaultHTTPClient() (*http.Client, error) {
	f.httpOnce.Do(func() { f.httpClient, f.httpErr = f.buildHTTPClient() })
	return f.httpClient, f.httpErr
}

func (f *Factory) buildHTTPClient() (*http.Client, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	choice, err := netproxy.Resolver{Explicit: s.Proxy, Getenv: f.Getenv, System: f.System}.Resolve()
	if err != nil {
		return nil, err
	}
	f.verbosef("proxy for Graph: %s", choice.Describe(&url.URL{Scheme: "https", Host: strings.TrimPrefix(s.GraphRoot, "https://")}))
	// The header timeout follows the per-attempt timeout, so it also bounds
	// sign-in calls; Graph attempts are bounded as a whole by appproxy.
	headerTimeout := s.RequestTimeout
	if headerTimeout <= 0 {
		headerTimeout = DefaultRequestTimeout
	}
	// The system roots already honour SSL_CERT_FILE on Linux and the
	// certificate store on Windows, which is where admins add inspection
	// or private CAs; verification is never turned off.
	tr := &http.Transport{
		Proxy:                 choice.Func,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: headerTimeout,
		IdleConnTimeout:       30 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     true,
	}
	hint := "check --proxy / HTTPS_PROXY"
	if choice.Source == "winhttp" {
		hint = "check the WinHTTP proxy (netsh winhttp show proxy) or pass --proxy"
	}
	// Transport failures come back in plain words, for Graph and sign-in.
	// No redirect is followed with a token or a credential: appproxy and
	// auth wrap this client in their own stricter rules as well.
	return &http.Client{
		Transport:     &neterr.Transport{Base: tr, Proxy: choice.Func, ProxyHint: hint},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

func (f *Factory) defaultTokens() (auth.TokenSource, error) {
	cfg, err := f.AuthConfig()
	if err != nil {
		return nil, err
	}
	return auth.New(*cfg)
}

func (f *Factory) defaultAppProxy() (appproxy.API, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	hc, err := f.HTTPClient()
	if err != nil {
		return nil, err
	}
	ts, err := f.Tokens()
	if err != nil {
		return nil, err
	}
	return appproxy.New(appproxy.Options{
		BaseURL:        s.GraphBeta,
		HTTPClient:     hc,
		Tokens:         ts,
		Cloud:          s.Cloud,
		RetryBudget:    s.RetryBudget,
		RequestTimeout: s.RequestTimeout,
		Now:            f.Now,
		Logf:           f.verbosef,
		Progress:       func(line string) { f.IO.Progressf("%s", line) },
	}), nil
}

// verbosef writes a diagnostic line to stderr under --verbose.
func (f *Factory) verbosef(format string, args ...any) {
	if f.Global == nil || !f.Global.Verbose {
		return
	}
	// Diagnostics carry server text (Graph error messages, retry reasons):
	// escape it like every other line that reaches the terminal.
	fmt.Fprintln(f.IO.ErrOut, "verbose: "+output.EscapeTerminal(fmt.Sprintf(format, args...)))
}

// defaultCacheDir is the per-user cache directory for tokens.
func defaultCacheDir(getenv func(string) string) (string, error) {
	if d := getenv("HYBRIDMGMT_CACHE_DIR"); d != "" {
		return filepath.Clean(d), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory (set HYBRIDMGMT_CACHE_DIR): %w", err)
	}
	return filepath.Join(d, "hybridmgmt"), nil
}

func (f *Factory) outputFormat() (output.Format, error) {
	s, err := f.Settings()
	if err != nil {
		return "", err
	}
	return s.Output, nil
}

// requireSignInConfig resolves the sign-in inputs (reading any secret from
// stdin) so that every input error surfaces as exit 2 before a request.
func (f *Factory) requireSignInConfig() error {
	_, err := f.AuthConfig()
	return err
}

// hybridSuffix is the published-route DNS suffix of the selected cloud.
func (f *Factory) hybridSuffix() string {
	s, err := f.Settings()
	if err != nil {
		return ""
	}
	return s.Cloud.HybridRouteSuffix
}

// cachedStatus reads the cached sign-in for connect --status: settings and
// the cache directory only, no credentials, no network.
func (f *Factory) cachedStatus(ctx context.Context) (auth.Status, bool, error) {
	if _, err := f.Settings(); err != nil {
		return auth.Status{}, false, err
	}
	dir, err := defaultCacheDir(f.Getenv)
	if err != nil {
		return auth.Status{}, false, err
	}
	return auth.CachedStatus(ctx, dir)
}

// signIn performs connect's sign-in with the resolved configuration.
func (f *Factory) signIn(ctx context.Context) (auth.Account, error) {
	cfg, err := f.AuthConfig()
	if err != nil {
		return auth.Account{}, err
	}
	c, err := auth.New(*cfg)
	if err != nil {
		return auth.Account{}, err
	}
	acct, err := c.SignIn(ctx)
	if err != nil {
		return auth.Account{}, err
	}
	conn := auth.Connection{
		AppOnly: acct.AppOnly, Username: acct.Username, TenantID: acct.TenantID, ClientID: cfg.ClientID,
		Cloud: cfg.CloudName, AuthorityHost: cfg.AuthorityHost,
	}
	if st, err := f.Settings(); err == nil {
		conn.GraphEndpoint = st.GraphRoot
	}
	if cfg.Mode == auth.ModeClientCertificate {
		if abs, err := filepath.Abs(cfg.CertificatePath); err == nil {
			conn.CertificatePath = abs
		}
	}
	if conn.AppOnly {
		conn.Username = ""
	}
	if err := auth.SaveConnection(cfg.CacheDir, conn); err != nil {
		// A local failure (exit 1): the sign-in worked, but later
		// commands cannot reuse it as connect promises.
		return acct, fmt.Errorf("signed in as %s, but could not save the connection record %s: %w", acct.Username, auth.ConnectionPath(cfg.CacheDir), err)
	}
	return acct, nil
}

// requireModernHybridCloud refuses writes in clouds where Microsoft does not
// support Modern Hybrid (R12): there the route suffix is undocumented, so a
// write would publish a route nothing uses.
func (f *Factory) requireModernHybridCloud(force bool) error {
	s, err := f.Settings()
	if err != nil {
		return err
	}
	if s.Cloud.ModernHybridSupported {
		return nil
	}
	if !force {
		return exitcode.Usagef("Modern Hybrid (the Hybrid Agent) is not supported in the %s cloud (GCC High, DoD and 21Vianet), and its route suffix there is undocumented; nothing was written (--force writes anyway)", s.Cloud.Name)
	}
	fmt.Fprintf(f.IO.ErrOut, "warning: --force: writing in the %s cloud, where Microsoft does not support Modern Hybrid and the route suffix %s is a guess\n", s.Cloud.Name, s.Cloud.HybridRouteSuffix)
	return nil
}
