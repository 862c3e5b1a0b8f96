package auth

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

// TestMain lets the test binary play the browser that $BROWSER names, and
// seeds the lab tenant the tests copy.
func TestMain(m *testing.M) {
	if os.Getenv("HYBRIDMGMT_AUTH_TEST_BROWSER") == "1" {
		os.Exit(fakeBrowserMain(os.Args[1:]))
	}
	if err := seedLab(); err != nil {
		fmt.Fprintln(os.Stderr, "seeding the lab tenant:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(labSeed.dir)
	os.Exit(code)
}

// fakeBrowserMain records its arguments and completes the sign-in at the
// lab's sign-in page it was given, trusting only the CA file the test
// names.
func fakeBrowserMain(args []string) int {
	_ = os.WriteFile(os.Getenv("HYBRIDMGMT_AUTH_TEST_BROWSER_LOG"), []byte(strings.Join(args, "\n")), 0o600)
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "fake browser: want one argument, got", len(args))
		return 2
	}
	caPEM, err := os.ReadFile(os.Getenv("HYBRIDMGMT_AUTH_TEST_CA"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if err := labtenant.Browse(context.Background(), client, args[0]); err != nil {
		fmt.Fprintln(os.Stderr, "fake browser:", err)
		return 1
	}
	return 0
}

// logBuf collects Logf output (safe for concurrent use).
type logBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuf) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(&l.b, format+"\n", args...)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is one test's lab tenant, cache directory, log and prompt.
type env struct {
	t   *testing.T
	lab *labtenant.Server
	// skew moves the lab's clock forward (nanoseconds).
	skew   *atomic.Int64
	dir    string
	log    *logBuf
	prompt *syncBuffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	lab, skew := newLab(t)
	return &env{t: t, lab: lab, skew: skew, dir: filepath.Join(t.TempDir(), "cache"), log: &logBuf{}, prompt: &syncBuffer{}}
}

// config is a Config for mode against the lab tenant. User modes sign in
// as testUser in contoso.com; app modes as testAppClientID.
func (e *env) config(mode Mode) Config {
	cfg := Config{
		Mode:              mode,
		CloudName:         "Global",
		AuthorityHost:     e.lab.URL(),
		InstanceDiscovery: false,
		Tenant:            testTenantDomain,
		ClientID:          testClientID,
		Scopes:            []string{graphScope},
		CacheDir:          e.dir,
		HTTPClient:        e.lab.Client(),
		Prompt:            e.prompt,
		Logf:              e.log.logf,
	}
	switch mode {
	case ModeUsernamePassword:
		cfg.Username, cfg.Password = testUser, testPassword
	case ModeClientSecret, ModeClientCertificate, ModeCachedApp:
		cfg.ClientID = testAppClientID
		cfg.Tenant = testTenantID
		cfg.Scopes = []string{graphDefault}
		cfg.ClientSecret = testClientSecret
	case ModeInteractive:
		cfg.Username = testUser
		cfg.OpenURL = func(u string) error {
			e.t.Errorf("unexpected browser sign-in: %s", u)
			return errors.New("no browser in this test")
		}
	}
	return cfg
}

func (e *env) token(cfg Config) (string, error) {
	e.t.Helper()
	c, err := New(cfg)
	if err != nil {
		return "", err
	}
	return c.Token(context.Background())
}

func (e *env) mustToken(cfg Config) string {
	e.t.Helper()
	tok, err := e.token(cfg)
	require.NoError(e.t, err)
	require.NotEmpty(e.t, tok)
	return tok
}

// requireKind checks err's exit code kind and that it is one line.
func requireKind(t *testing.T, err error, kind error) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, kind, "error: %v", err)
	assert.NotContains(t, err.Error(), "\n", "the message must be one line")
}

func TestInteractiveSignInWithConfiguredOpener(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(ModeInteractive)
	var opened []string
	cfg.OpenURL = func(u string) error {
		opened = append(opened, u)
		return e.browse(u)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	e.requireUserToken(tok, testUser)
	require.Len(t, opened, 1)
	// Discovery names the tenant by id, as Entra does for a domain.
	assert.Contains(t, opened[0], e.lab.URL()+"/"+testTenantID+"/oauth2/v2.0/authorize?")
	q := e.authorizeQuery()
	assert.Equal(t, testUser, q.Get("login_hint"), "the UPN is the login hint")
	assert.Equal(t, "S256", q.Get("code_challenge_method"), "PKCE")
	assert.NotEmpty(t, q.Get("code_challenge"))
	assert.NotEmpty(t, q.Get("state"))
	assert.Equal(t, "form_post", q.Get("response_mode"))
	assert.True(t, strings.HasPrefix(q.Get("redirect_uri"), "http://localhost:"), "a loopback redirect: %s", q.Get("redirect_uri"))
	assert.Equal(t, 1, e.count("token:authorization_code"))
	assert.Contains(t, e.prompt.String(), "browser")

	acct, err := c.SignIn(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Account{
		Username:  testUser,
		TenantID:  testTenantID,
		Cloud:     "Global",
		Authority: e.lab.URL() + "/" + testTenantDomain,
		AppOnly:   false,
	}, acct)
	assert.Equal(t, 1, e.count("token"), "SignIn after a sign-in is silent")
	assert.False(t, c.AppOnly())
}

func TestConcurrentTokenCallsShareOneBrowserSignIn(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(ModeInteractive)
	var mu sync.Mutex
	opens := 0
	cfg.OpenURL = func(u string) error {
		mu.Lock()
		opens++
		mu.Unlock()
		return e.browse(u)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	var wg sync.WaitGroup
	toks := make([]string, 8)
	errs := make([]error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			toks[i], errs[i] = c.Token(context.Background())
		}()
	}
	wg.Wait()
	for i := range 8 {
		require.NoError(t, errs[i])
		assert.Equal(t, toks[0], toks[i])
	}
	assert.Equal(t, 1, opens)
	assert.Equal(t, 1, e.count("token"))
	e.requireUserToken(toks[0], testUser)
}

func TestInteractiveHonoursBROWSER(t *testing.T) {
	e := newEnv(t)
	tmp := t.TempDir()
	caFile := e.lab.CAPath()
	browserLog := filepath.Join(tmp, "browser.log")
	exe, err := os.Executable()
	require.NoError(t, err)
	t.Setenv("BROWSER", exe)
	t.Setenv("HYBRIDMGMT_AUTH_TEST_BROWSER", "1")
	t.Setenv("HYBRIDMGMT_AUTH_TEST_CA", caFile)
	t.Setenv("HYBRIDMGMT_AUTH_TEST_BROWSER_LOG", browserLog)

	cfg := e.config(ModeInteractive)
	cfg.OpenURL = nil
	cfg.Browser = exe
	tok := e.mustToken(cfg)
	e.requireUserToken(tok, testUser)

	got, err := os.ReadFile(browserLog)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(got), e.lab.URL()+"/"+testTenantID+"/oauth2/v2.0/authorize?"),
		"the $BROWSER command gets the authorize URL as its only argument, got %q", got)
	assert.NotContains(t, string(got), "\n")
	assert.Contains(t, e.log.String(), "$BROWSER")
}

func TestBrowserEnvOpenerFailureIsReported(t *testing.T) {
	open := browserEnvOpener(filepath.Join(t.TempDir(), "no-such-browser"))
	err := open("https://login.example/authorize?state=x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no-such-browser")
	assert.NotContains(t, err.Error(), "state=x", "the URL is not echoed")
}

func TestDeviceCode(t *testing.T) {
	e := newEnv(t)
	// One poll answers authorization_pending, the next is approved (as
	// the lab's default user, testUser).
	e.lab.SetSettings(labtenant.Settings{DeviceCodePolls: 1})
	cfg := e.config(ModeDeviceCode)
	c, err := New(cfg)
	require.NoError(t, err)
	acct, err := c.SignIn(context.Background())
	require.NoError(t, err)
	assert.Regexp(t, `use a web browser to open the page `+regexp.QuoteMeta(e.lab.URL())+`/devicelogin and enter the code [A-Z2-9]{9} to authenticate`, e.prompt.String())
	assert.Equal(t, 1, e.count("devicecode"))
	assert.Equal(t, 2, e.count("token:device_code"), "one pending poll, then the token")
	assert.Equal(t, testUser, acct.Username)
	assert.Equal(t, testTenantID, acct.TenantID)
	assert.NotContains(t, e.log.String(), "lab-dc.", "the device code is not logged")

	// Warm cache: a new process (Client) gets the token without the flow.
	before := e.count("token")
	tok := e.mustToken(e.config(ModeDeviceCode))
	assert.Equal(t, before, e.count("token"))
	e.requireUserToken(tok, testUser)
}

// cancelWriter cancels a context when the device code message is printed.
type cancelWriter struct{ cancel context.CancelFunc }

func (w cancelWriter) Write(p []byte) (int, error) { w.cancel(); return len(p), nil }

func TestDeviceCodeCancellationPassesThrough(t *testing.T) {
	e := newEnv(t)
	// The code is never approved: the lab waits for POST /devicelogin.
	e.lab.SetSettings(labtenant.Settings{DeviceCodePolls: -1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := e.config(ModeDeviceCode)
	cfg.Prompt = cancelWriter{cancel}
	c, err := New(cfg)
	require.NoError(t, err)
	_, err = c.Token(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
}

func TestUsernamePasswordAndWarmCache(t *testing.T) {
	e := newEnv(t)
	first := e.mustToken(e.config(ModeUsernamePassword))
	e.requireUserToken(first, testUser)
	assert.Equal(t, 1, e.count("userrealm"))
	assert.Equal(t, 1, e.count("token:password"))
	assert.Equal(t, 1, e.count("token"))

	// New clients (later processes) with the same cache dir: no token
	// request at all, in every user mode.
	for _, mode := range []Mode{ModeCached, ModeUsernamePassword, ModeInteractive, ModeDeviceCode} {
		t.Run(string(mode), func(t *testing.T) {
			cfg := e.config(mode)
			if mode == ModeCached || mode == ModeDeviceCode {
				cfg.Username = ""
			}
			tok := e.mustToken(cfg)
			assert.Equal(t, first, tok)
			assert.Equal(t, 1, e.count("token"), "warm cache must make zero token requests")
		})
	}
	assert.Zero(t, e.count("devicecode"))
	assert.Zero(t, e.count("authorize"))
}

func TestRefreshTokenWhenAccessTokenExpired(t *testing.T) {
	e := newEnv(t)
	// MSAL treats an access token within 5 minutes of expiry as expired.
	e.lab.SetSettings(labtenant.Settings{TokenLifetime: labtenant.Duration(time.Minute)})
	first := e.mustToken(e.config(ModeUsernamePassword))

	cfg := e.config(ModeCached)
	cfg.Username = testUser
	c, err := New(cfg)
	require.NoError(t, err)
	second, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, first, second)
	e.requireUserToken(second, testUser)
	assert.Equal(t, 1, e.count("token:password"))
	assert.Equal(t, 1, e.count("token:refresh_token"))

	// A short-lived token is not served from memory either.
	third, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, second, third)
	assert.Equal(t, 2, e.count("token:refresh_token"))
}

func TestTokenIsKeptInMemory(t *testing.T) {
	e := newEnv(t)
	c, err := New(e.config(ModeUsernamePassword))
	require.NoError(t, err)
	first, err := c.Token(context.Background())
	require.NoError(t, err)
	require.NoError(t, os.Remove(CachePath(e.dir)))
	second, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, first, second)
	assert.Equal(t, 1, e.count("token"))
	assert.Equal(t, 1, strings.Count(e.log.String(), "auth: token for"), "the second call does not reach MSAL")
}

func TestCachedModeWithEmptyCache(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(ModeCached)
	_, err := e.token(cfg)
	requireKind(t, err, exitcode.ErrAuth)
	assert.Equal(t, exitcode.Auth, exitcode.Of(err))
	assert.Contains(t, err.Error(), "not signed in")
	assert.Contains(t, err.Error(), "hybridmgmt connect")

	cfg.Username = testUser
	_, err = e.token(cfg)
	requireKind(t, err, exitcode.ErrAuth)
	assert.Contains(t, err.Error(), "not signed in as "+testUser)
	assert.Zero(t, e.count("token"))
}

func TestCachedAccountMatching(t *testing.T) {
	e := newEnv(t)
	e.mustToken(e.config(ModeUsernamePassword))
	cfg2 := e.config(ModeUsernamePassword)
	cfg2.Username, cfg2.Password = testUser2, labSeed.creds.Password(testUser2)
	e.requireUserToken(e.mustToken(cfg2), testUser2)
	require.Equal(t, 2, e.count("token"))

	// UPNs match case-insensitively.
	cfg := e.config(ModeCached)
	cfg.Username = strings.ToUpper(testUser2)
	c, err := New(cfg)
	require.NoError(t, err)
	acct, err := c.SignIn(context.Background())
	require.NoError(t, err)
	assert.Equal(t, testUser2, acct.Username)

	// Two accounts and no username: ambiguous, named in the error.
	cfg.Username = ""
	_, err = e.token(cfg)
	requireKind(t, err, exitcode.ErrAuth)
	assert.Contains(t, err.Error(), testUser)
	assert.Contains(t, err.Error(), testUser2)
	assert.Contains(t, err.Error(), "--user-principal-name")

	// An account that is not cached.
	cfg.Username = "nobody@contoso.com"
	_, err = e.token(cfg)
	requireKind(t, err, exitcode.ErrAuth)
	assert.Contains(t, err.Error(), "not signed in as nobody@contoso.com")
	assert.Equal(t, 2, e.count("token"))
}

func TestWrongPasswordAADSTS50126(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(ModeUsernamePassword)
	cfg.Password = "wrong-Password-123"
	_, err := e.token(cfg)
	requireKind(t, err, exitcode.ErrAuth)
	assert.Equal(t, exitcode.Auth, exitcode.Of(err))
	assert.Contains(t, err.Error(), "sign-in failed: AADSTS50126: Error validating credentials due to invalid username or password.")
	assert.NotContains(t, err.Error(), "wrong-Password-123")
	assert.NotContains(t, err.Error(), "Trace ID")
	assert.NotContains(t, e.log.String(), "wrong-Password-123")
}

func TestMFARequiredHint(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(ModeUsernamePassword)
	// The right password: Entra checks it before the MFA policy.
	cfg.Username, cfg.Password = testMFAUser, labSeed.creds.Password(testMFAUser)
	_, err := e.token(cfg)
	requireKind(t, err, exitcode.ErrAuth)
	assert.Contains(t, err.Error(), "AADSTS50076: Due to a configuration change made by your administrator")
	assert.Contains(t, err.Error(), "use --user-principal-name or --device-code instead of --password-stdin")
	assert.NotContains(t, err.Error(), cfg.Password)
}

func TestAADSTSHints(t *testing.T) {
	t.Run("7000215 wrong client secret", func(t *testing.T) {
		e := newEnv(t)
		cfg := e.config(ModeClientSecret)
		cfg.ClientSecret = "not-the-secret-value-xyz"
		_, err := e.token(cfg)
		requireKind(t, err, exitcode.ErrAuth)
		assert.Contains(t, err.Error(), "AADSTS7000215")
		assert.Contains(t, err.Error(), "client secret is wrong")
		assert.NotContains(t, err.Error(), "not-the-secret-value-xyz")
	})
	t.Run("700016 unknown client id", func(t *testing.T) {
		e := newEnv(t)
		cfg := e.config(ModeClientSecret)
		cfg.ClientID = "11111111-2222-3333-4444-555555555555"
		_, err := e.token(cfg)
		requireKind(t, err, exitcode.ErrAuth)
		assert.Contains(t, err.Error(), "AADSTS700016")
		assert.Contains(t, err.Error(), "--client-id")
	})
	t.Run("90002 tenant not found", func(t *testing.T) {
		e := newEnv(t)
		cfg := e.config(ModeUsernamePassword)
		cfg.Tenant = "nosuch.example"
		_, err := e.token(cfg)
		requireKind(t, err, exitcode.ErrAuth)
		assert.Contains(t, err.Error(), "AADSTS90002: Tenant 'nosuch.example' not found.")
		assert.Contains(t, err.Error(), "--tenant-id")
	})
}

func TestDescribeAndHints(t *testing.T) {
	oe := oauthError{
		Error:            "invalid_grant",
		ErrorDescription: "AADSTS65001: The user or administrator has not consented to use the application with ID 'x'. Send an interactive authorization request.\r\nTrace ID: t",
	}
	assert.Equal(t, "AADSTS65001: The user or administrator has not consented to use the application with ID 'x'.", describe(oe))
	assert.Contains(t, aadstsHints[aadstsCode(oe)], "admin consent")
	assert.Equal(t, "invalid_request: Bad thing.", describe(oauthError{Error: "invalid_request", ErrorDescription: "Bad thing. More."}))
	assert.Equal(t, "AADSTS50079: Enroll.", describe(oauthError{ErrorDescription: "Enroll.", ErrorCodes: []int{50079}}))
	assert.Equal(t, mfaHint, aadstsHints[50079])
}

func TestUnreachableAuthority(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())

	e := newEnv(t)
	for _, mode := range []Mode{ModeUsernamePassword, ModeClientSecret} {
		cfg := e.config(mode)
		cfg.AuthorityHost = "https://" + addr
		_, err = e.token(cfg)
		requireKind(t, err, exitcode.ErrUnavailable)
		assert.Equal(t, exitcode.Unavailable, exitcode.Of(err))
		assert.Contains(t, err.Error(), "cannot reach the sign-in service https://"+addr)
		assert.NotContains(t, err.Error(), testPassword)
		assert.NotContains(t, err.Error(), testClientSecret)
	}
}

func TestUntrustedAuthorityCertificate(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(ModeClientSecret)
	cfg.HTTPClient = &http.Client{} // system roots: the test CA is unknown
	_, err := e.token(cfg)
	requireKind(t, err, exitcode.ErrUnavailable)
	assert.Contains(t, err.Error(), "certificate")
}

func TestAuthority5xxIsUnavailable(t *testing.T) {
	e := newEnv(t)
	e.fault(labtenant.Fault{Kind: labtenant.FaultTokenError, AADSTS: 90033})
	_, err := e.token(e.config(ModeClientSecret))
	requireKind(t, err, exitcode.ErrUnavailable)
	assert.Contains(t, err.Error(), "HTTP 503")
	assert.Contains(t, err.Error(), "AADSTS90033")
}

func TestClientSecretAndWarmAppCache(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(ModeClientSecret)
	c, err := New(cfg)
	require.NoError(t, err)
	assert.True(t, c.AppOnly())
	acct, err := c.SignIn(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Account{
		Username: testAppClientID, TenantID: testTenantID, Cloud: "Global",
		Authority: e.lab.URL() + "/" + testTenantID, AppOnly: true,
		ClientID: testAppClientID, Credential: "secret",
	}, acct)
	assert.Equal(t, 1, e.count("token:client_credentials"))

	assert.Contains(t, e.log.String(), "auth: token for "+testAppClientID+" from "+e.lab.URL()+"/"+testTenantID+"\n")
	assert.NotContains(t, e.log.String(), "from the cache")

	tok := e.mustToken(e.config(ModeClientSecret))
	e.requireAppToken(tok)
	assert.Equal(t, 1, e.count("token"), "warm app cache must make zero token requests")
	assert.Contains(t, e.log.String(), "auth: token for "+testAppClientID+" from the cache\n")
}

func TestCertificatePEM(t *testing.T) {
	e := newEnv(t)
	_, _, pemData := labCert(t)
	path := filepath.Join(t.TempDir(), "ci.pem")
	require.NoError(t, os.WriteFile(path, pemData, 0o600))
	cfg := e.config(ModeClientCertificate)
	cfg.ClientSecret = ""
	cfg.CertificatePath = path
	tok := e.mustToken(cfg)
	e.requireAppToken(tok)
	assert.Equal(t, 1, e.count("token:client_credentials"))

	e.mustToken(cfg)
	assert.Equal(t, 1, e.count("token"), "warm app cache")
}

func TestCertificatePFX(t *testing.T) {
	e := newEnv(t)
	cert, key, _ := labCert(t)
	const pfxPassword = "pfx-Pa55word!"
	pfx, err := pkcs12.Modern.Encode(key, cert, nil, pfxPassword)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "ci.pfx")
	require.NoError(t, os.WriteFile(path, pfx, 0o600))

	cfg := e.config(ModeClientCertificate)
	cfg.ClientSecret = ""
	cfg.CertificatePath = path
	cfg.CertificatePassword = pfxPassword
	tok := e.mustToken(cfg)
	e.requireAppToken(tok)

	cfg.CertificatePassword = "not-the-pfx-password"
	_, err = New(cfg)
	requireKind(t, err, exitcode.ErrUsage)
	assert.Equal(t, exitcode.Usage, exitcode.Of(err))
	assert.Contains(t, err.Error(), "wrong PFX password")
	assert.NotContains(t, err.Error(), "not-the-pfx-password")
	assert.NotContains(t, err.Error(), pfxPassword)
}

func TestInvalidCertificateFiles(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	cases := map[string][]byte{
		"garbage.pfx":  []byte("this is not a certificate"),
		"certonly.pem": func() []byte { _, _, p := labCert(t); return p[:bytes.Index(p, []byte("-----BEGIN PRIVATE KEY"))] }(),
		"empty.pem":    {},
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			require.NoError(t, os.WriteFile(path, data, 0o600))
			cfg := e.config(ModeClientCertificate)
			cfg.CertificatePath = path
			cfg.CertificatePassword = "pw-should-not-show"
			_, err := New(cfg)
			requireKind(t, err, exitcode.ErrUsage)
			assert.Contains(t, err.Error(), path)
			assert.NotContains(t, err.Error(), "pw-should-not-show")
		})
	}
	cfg := e.config(ModeClientCertificate)
	cfg.CertificatePath = filepath.Join(dir, "missing.pem")
	_, err := New(cfg)
	requireKind(t, err, exitcode.ErrUsage)
	assert.Zero(t, e.count("token"))
}

func TestConcurrentClientsShareCacheDir(t *testing.T) {
	e := newEnv(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := e.config(ModeUsernamePassword)
			if i%2 == 1 {
				cfg = e.config(ModeClientSecret)
			}
			c, err := New(cfg)
			if err == nil {
				_, err = c.Token(context.Background())
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	raw, err := os.ReadFile(CachePath(e.dir))
	require.NoError(t, err)
	var contract map[string]map[string]any
	require.NoError(t, json.Unmarshal(raw, &contract), "the cache file must still parse")
	assert.NotEmpty(t, contract["RefreshToken"])

	assert.NotEmpty(t, contract["Account"])
	assert.Len(t, contract["AccessToken"], 2, "the user's and the app's access tokens both survive")

	// Later processes are served silently, users and apps alike.
	before := e.count("token")
	cfg := e.config(ModeCached)
	cfg.Username = testUser
	e.mustToken(cfg)
	e.mustToken(e.config(ModeClientSecret))
	assert.Equal(t, before, e.count("token"), "later silent calls are served by the cache")
}

func TestDamagedCacheIsReplaced(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, os.MkdirAll(e.dir, 0o700))
	require.NoError(t, os.WriteFile(CachePath(e.dir), []byte(`{"AccessToken": {`), 0o600))
	_, err := e.token(e.config(ModeCached))
	requireKind(t, err, exitcode.ErrAuth)
	assert.Contains(t, err.Error(), "not signed in")

	e.mustToken(e.config(ModeUsernamePassword))
	raw, err := os.ReadFile(CachePath(e.dir))
	require.NoError(t, err)
	assert.True(t, json.Valid(raw))
	assert.Contains(t, e.log.String(), "damaged")
}

func TestClearCache(t *testing.T) {
	e := newEnv(t)
	e.mustToken(e.config(ModeUsernamePassword))
	require.FileExists(t, CachePath(e.dir))
	require.NoError(t, ClearCache(e.dir))
	assert.NoFileExists(t, CachePath(e.dir))
	_, err := e.token(e.config(ModeCached))
	requireKind(t, err, exitcode.ErrAuth)
	assert.Contains(t, err.Error(), "not signed in")

	require.NoError(t, ClearCache(e.dir), "clearing twice")
	require.NoError(t, ClearCache(filepath.Join(t.TempDir(), "never-created")))
	require.NoError(t, ClearCache(""))
	assert.Equal(t, filepath.Join("x", "msal_token_cache"+cacheFileExt), CachePath("x"))
}

func TestLogsNeverCarrySecrets(t *testing.T) {
	e := newEnv(t)
	issued := []string{
		e.mustToken(e.config(ModeUsernamePassword)),
		e.mustToken(e.config(ModeClientSecret)),
		e.mustToken(e.config(ModeCached)),
	}
	logs := e.log.String()
	assert.Contains(t, logs, "auth: mode usernamepassword")
	assert.Contains(t, logs, "auth: cached account "+testUser)
	assert.Contains(t, logs, "from the cache")
	// The lab's tokens start lab-at. (access) and lab-rt. (refresh).
	for _, secret := range append([]string{testPassword, testClientSecret, "lab-at.", "lab-rt."}, issued...) {
		assert.NotContains(t, logs, secret)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	e := newEnv(t)
	for name, mutate := range map[string]func(*Config){
		"unknown mode":       func(c *Config) { c.Mode = "telepathy" },
		"no client id":       func(c *Config) { c.ClientID = "" },
		"no scopes":          func(c *Config) { c.Scopes = nil },
		"no password":        func(c *Config) { c.Password = "" },
		"http authority":     func(c *Config) { c.AuthorityHost = "http://127.0.0.1:1" },
		"cache dir is afile": func(c *Config) { c.CacheDir = writeFile(t, "x") },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := e.config(ModeUsernamePassword)
			mutate(&cfg)
			_, err := New(cfg)
			requireKind(t, err, exitcode.ErrUsage)
			assert.NotContains(t, err.Error(), testPassword)
		})
	}
}

func writeFile(t *testing.T, content string) string {
	p := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestRedact(t *testing.T) {
	in := `POST password=hunter2&client_secret=abc&scope=x {"refresh_token":"rt-1","ok":"yes"} ` +
		`Authorization: Bearer abc.def-ghi eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ4In0. my-pfx-pass`
	out := Redact(in, "my-pfx-pass", "")
	for _, s := range []string{"hunter2", "client_secret=abc", "rt-1", "abc.def-ghi", "eyJ", "my-pfx-pass"} {
		assert.NotContains(t, out, s)
	}
	assert.Contains(t, out, "scope=x")
	assert.Contains(t, out, `"ok":"yes"`)
	assert.Equal(t, "nothing to hide", Redact("nothing to hide"))
}

func TestRefusedRefreshToken(t *testing.T) {
	e := newEnv(t)
	e.lab.SetSettings(labtenant.Settings{TokenLifetime: labtenant.Duration(time.Minute)})
	e.mustToken(e.config(ModeUsernamePassword))
	// 91 days later the refresh token (90 days) has expired.
	e.skew.Store(int64(91 * 24 * time.Hour))

	cfg := e.config(ModeCached)
	cfg.Username = testUser
	_, err := e.token(cfg)
	requireKind(t, err, exitcode.ErrAuth)
	assert.Contains(t, err.Error(), "AADSTS700082: The refresh token has expired due to inactivity.")
	assert.Equal(t, 1, strings.Count(err.Error(), "hybridmgmt connect"), "one hint: %v", err)

	// A mode that can prompt signs in again instead.
	icfg := e.config(ModeInteractive)
	icfg.OpenURL = e.browse
	e.mustToken(icfg)
	assert.Equal(t, 1, e.count("token:authorization_code"))
}

func TestPickAccount(t *testing.T) {
	const host = "login.microsoftonline.com"
	a := public.Account{HomeAccountID: "u1.t", Environment: host, Realm: "t", PreferredUsername: "Admin@Contoso.com"}
	guest := a
	guest.Realm = "other-tenant"
	china := public.Account{HomeAccountID: "u9.t", Environment: "login.chinacloudapi.cn", PreferredUsername: "admin@contoso.com"}
	b := public.Account{HomeAccountID: "u2.t", Environment: host, Realm: "t", PreferredUsername: "b@contoso.com"}

	got, err := pickAccount([]public.Account{china, a}, "ADMIN@contoso.COM", host)
	require.NoError(t, err)
	assert.Equal(t, "u1.t", got.HomeAccountID, "case-insensitive, this cloud's account")

	got, err = pickAccount([]public.Account{a, guest, china}, "", host)
	require.NoError(t, err, "one user in two tenants and another cloud is still one account here")
	assert.Equal(t, "u1.t", got.HomeAccountID)

	_, err = pickAccount([]public.Account{a, b}, "", host)
	var amb *ambiguousAccountError
	require.ErrorAs(t, err, &amb)
	assert.Equal(t, []string{"Admin@Contoso.com", "b@contoso.com"}, amb.names)

	_, err = pickAccount([]public.Account{china}, "admin@contoso.com", host)
	require.ErrorIs(t, err, errNoCachedAccount)
	_, err = pickAccount(nil, "", host)
	require.ErrorIs(t, err, errNoCachedAccount)
}

func TestNoBrowserReason(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	assert.Equal(t, "no DISPLAY", noBrowserReason(env(nil), "linux"))
	assert.Equal(t, "", noBrowserReason(env(map[string]string{"DISPLAY": ":0"}), "linux"))
	assert.Equal(t, "", noBrowserReason(env(map[string]string{"WAYLAND_DISPLAY": "wayland-0"}), "freebsd"))
	assert.Equal(t, "", noBrowserReason(env(nil), "windows"))
	assert.Equal(t, "", noBrowserReason(env(nil), "darwin"))
}
