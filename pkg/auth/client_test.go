package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

func TestNewNamesTheMissingField(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		mode   Mode
		mutate func(*Config)
		want   string
	}{
		{ModeUsernamePassword, func(c *Config) { c.Username = "" }, "username/password sign-in needs a username"},
		{ModeUsernamePassword, func(c *Config) { c.Password = "" }, "username/password sign-in needs a password on standard input"},
		{ModeDeviceCode, func(c *Config) { c.ClientID = "" }, "sign-in needs a client id"},
		{ModeDeviceCode, func(c *Config) { c.AuthorityHost = "" }, "sign-in needs an authority host"},
		{ModeDeviceCode, func(c *Config) { c.Scopes = []string{} }, "sign-in needs at least one scope"},
		{ModeClientSecret, func(c *Config) { c.Tenant = "" }, "app-only sign-in needs a tenant id"},
		{ModeCachedApp, func(c *Config) { c.Tenant = "" }, "app-only sign-in needs a tenant id"},
		{ModeClientSecret, func(c *Config) { c.ClientSecret = "" }, "client-secret sign-in needs a client secret"},
		{ModeClientCertificate, func(c *Config) { c.CertificatePath = "" }, "certificate sign-in needs a certificate file"},
		{"telepathy", func(*Config) {}, `unknown sign-in mode "telepathy"`},
	} {
		cfg := e.config(c.mode)
		cfg.Mode = c.mode
		c.mutate(&cfg)
		_, err := New(cfg)
		requireKind(t, err, exitcode.ErrUsage)
		assert.Equal(t, c.want, err.Error())
	}
	// A user mode needs no tenant: "organizations" stands in.
	cfg := e.config(ModeDeviceCode)
	cfg.Tenant = ""
	c, err := New(cfg)
	require.NoError(t, err)
	assert.Equal(t, e.lab.URL()+"/organizations", c.authority)
	// Neither does an app need a secret it is not using.
	cfg = e.config(ModeClientCertificate)
	cfg.ClientSecret, cfg.CertificatePath = "", writeFile(t, "not a certificate")
	_, err = New(cfg)
	requireKind(t, err, exitcode.ErrUsage)
	assert.Contains(t, err.Error(), "neither a PEM file")
}

func TestTenantOfAndUserNames(t *testing.T) {
	res := func(tid, home, realm string) public.AuthResult {
		var r public.AuthResult
		r.IDToken.TenantID, r.Account.HomeAccountID, r.Account.Realm = tid, home, realm
		return r
	}
	assert.Equal(t, "tid", tenantOf(res("tid", "uid.utid", "realm"), "fb"), "the id token's tid first")
	assert.Equal(t, "utid", tenantOf(res("", "uid.utid", "realm"), "fb"), "then the home account's tenant")
	assert.Equal(t, "realm", tenantOf(res("", "uid.", "realm"), "fb"), "an empty home tenant does not count")
	assert.Equal(t, "realm", tenantOf(res("", "nodot", "realm"), "fb"))
	for _, alias := range []string{"", "organizations", "common"} {
		assert.Equal(t, "fb", tenantOf(res("", "", alias), "fb"), "%q names no tenant", alias)
	}

	c := &Client{cfg: Config{Username: "typed@contoso.com", Tenant: "contoso.com", CloudName: "Global"}, authority: "https://a/contoso.com"}
	var r public.AuthResult
	r.AccessToken, r.ExpiresOn = "at", time.Unix(5, 0)
	assert.Equal(t, "typed@contoso.com", c.userResult(r).account.Username, "nothing better known")
	r.IDToken.PreferredUsername = "id@contoso.com"
	assert.Equal(t, "id@contoso.com", c.userResult(r).account.Username)
	r.Account.PreferredUsername = "acct@contoso.com"
	got := c.userResult(r)
	assert.Equal(t, result{token: "at", expires: time.Unix(5, 0), account: Account{Username: "acct@contoso.com", TenantID: "contoso.com", Cloud: "Global", Authority: "https://a/contoso.com"}}, got)
	r.Metadata.TokenSource = public.TokenSourceCache
	assert.True(t, c.userResult(r).fromCache)
}

func TestCertificateAccountNamesTheThumbprint(t *testing.T) {
	e := newEnv(t)
	cert, _, pemData := labCert(t)
	path := filepath.Join(t.TempDir(), "ci.pem")
	require.NoError(t, os.WriteFile(path, pemData, 0o600))
	cfg := e.config(ModeClientCertificate)
	cfg.ClientSecret, cfg.CertificatePath = "", path
	c, err := New(cfg)
	require.NoError(t, err)
	acct, err := c.SignIn(context.Background())
	require.NoError(t, err)
	sum := sha1.Sum(cert.Raw)
	assert.Equal(t, "certificate "+strings.ToUpper(hex.EncodeToString(sum[:])), acct.Credential)
	assert.True(t, acct.AppOnly)

	u, err := New(e.config(ModeUsernamePassword))
	require.NoError(t, err)
	assert.Empty(t, u.credentialName(), "users have no app credential")
}

// connect with a client secret caches the app token; later commands
// (ModeCachedApp) use it without the secret until it expires.
func TestCachedAppUsesConnectsTokenThenAsksForTheSecret(t *testing.T) {
	e := newEnv(t)
	first := e.mustToken(e.config(ModeClientSecret))
	cfg := e.config(ModeCachedApp)
	cfg.ClientSecret = ""
	c, err := New(cfg)
	require.NoError(t, err)
	acct, err := c.SignIn(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "secret", acct.Credential)
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, first, tok)
	assert.Equal(t, 1, e.count("token"))

	// A token MSAL counts as expired: no secret to renew it with.
	e2 := newEnv(t)
	e2.lab.SetSettings(labtenant.Settings{TokenLifetime: labtenant.Duration(time.Minute)})
	e2.mustToken(e2.config(ModeClientSecret))
	cfg = e2.config(ModeCachedApp)
	cfg.ClientSecret = ""
	_, err = e2.token(cfg)
	requireKind(t, err, exitcode.ErrAuth)
	assert.ErrorIs(t, err, errAppSecretNeeded)
	assert.Equal(t, 1, e2.count("token"), "nothing was sent without a credential")
}

func TestForceSignsInAgain(t *testing.T) {
	e := newEnv(t)
	first := e.mustToken(e.config(ModeUsernamePassword))
	cfg := e.config(ModeUsernamePassword)
	cfg.Force = true
	second := e.mustToken(cfg)
	assert.NotEqual(t, first, second)
	assert.Equal(t, 2, e.count("token:password"), "the cache was not asked")

	// ModeCached never prompts, so Force changes nothing there.
	cfg = e.config(ModeCached)
	cfg.Force = true
	assert.Equal(t, second, e.mustToken(cfg))
	assert.Equal(t, 2, e.count("token"))
}

func TestInteractiveWithoutABrowserUsesTheDeviceCode(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(ModeInteractive)
	cfg.OpenURL = nil // no $BROWSER, no opener, no DISPLAY (Getenv nil)
	tok := e.mustToken(cfg)
	e.requireUserToken(tok, testUser)
	assert.Contains(t, e.prompt.String(), "No browser can be opened here (no DISPLAY); signing in with a device code instead.\n")
	assert.Equal(t, 1, e.count("devicecode"))
	assert.Zero(t, e.count("authorize"))

	// A desktop session: the system browser is tried (and here fails to
	// start, as no browser is installed); the device code follows.
	e2 := newEnv(t)
	cfg = e2.config(ModeInteractive)
	cfg.OpenURL = func(string) error { return errors.New("no browser\nfound") }
	tok = e2.mustToken(cfg)
	e2.requireUserToken(tok, testUser)
	assert.Contains(t, e2.prompt.String(), "The browser could not be opened (no browser found); signing in with a device code instead.\n")
	assert.Equal(t, 1, e2.count("devicecode"))
}

// The browser had another account signed in and the admin picked it:
// later commands act as that account, so the user is told.
func TestSignedInAsAnotherAccountWarns(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(ModeInteractive)
	cfg.OpenURL = func(u string) error {
		return e.browse(strings.Replace(u, "login_hint="+strings.ReplaceAll(testUser, "@", "%40"), "login_hint="+strings.ReplaceAll(testUser2, "@", "%40"), 1))
	}
	c, err := New(cfg)
	require.NoError(t, err)
	acct, err := c.SignIn(context.Background())
	require.NoError(t, err)
	assert.Equal(t, testUser2, acct.Username)
	assert.Contains(t, e.prompt.String(), "warning: signed in as "+testUser2+", not "+testUser+" as requested")

	// The same account in other letters is no mismatch.
	e2 := newEnv(t)
	cfg = e2.config(ModeInteractive)
	cfg.Username = strings.ToUpper(testUser)
	cfg.OpenURL = e2.browse
	e2.mustToken(cfg)
	assert.NotContains(t, e2.prompt.String(), "warning")
}

func TestUnreadableCacheKeepsTheToken(t *testing.T) {
	e := newEnv(t)
	c, err := New(e.config(ModeUsernamePassword))
	require.NoError(t, err)
	cached, err := New(e.config(ModeCached))
	require.NoError(t, err)
	// A folder where the cache file goes, planted after New checked.
	require.NoError(t, os.Mkdir(CachePath(e.dir), 0o700))
	tok, err := c.Token(context.Background())
	require.NoError(t, err, "the sign-in goes on with MSAL's memory")
	e.requireUserToken(tok, testUser)
	assert.Equal(t, 1, strings.Count(e.prompt.String(), "warning: could not read the token cache "+CachePath(e.dir)), e.prompt.String())

	// The cache alone cannot serve: the error names the file, not a
	// missing sign-in (exit 1).
	_, err = cached.Token(context.Background())
	require.Error(t, err)
	assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
	assert.Contains(t, err.Error(), "could not read the token cache "+CachePath(e.dir))
}

func TestDeviceCodeShowsProgress(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(ModeDeviceCode)
	var lines []string
	cfg.Progress = func(l string) { lines = append(lines, l) }
	e.mustToken(cfg)
	require.Len(t, lines, 1)
	assert.Regexp(t, `^Waiting for the sign-in to finish \(the code expires at \d\d:\d\d; Ctrl-C stops\)…$`, lines[0])
	assert.Regexp(t, `auth: waiting for the device code sign-in \(expires \d\d:\d\d:\d\d\)`, e.log.String())
}

func TestAmbiguousAccountMessage(t *testing.T) {
	err := &ambiguousAccountError{names: []string{"a@contoso.com", "b@contoso.com"}}
	assert.Equal(t, "2 accounts are signed in (a@contoso.com, b@contoso.com): pass --user-principal-name to choose one", err.Error())
}

func TestUsableTokenBounds(t *testing.T) {
	assert.NoError(t, usableToken(strings.Repeat("a", MaxTokenBytes)), "exactly the limit")
	assert.EqualError(t, usableToken(strings.Repeat("a", MaxTokenBytes+1)), "larger than 64 KiB")
	assert.NoError(t, usableToken("!~eyJ.abc-_"), "the printable ASCII range, ends included")
	for _, bad := range []string{" ", "a\x7fb", "\x00", "é", "a\tb"} {
		assert.EqualError(t, usableToken(bad), "contains control, space or non-ASCII characters", "%q", bad)
	}
}

func TestDropUnusableTokens(t *testing.T) {
	in := `{"AccessToken":{"good":{"secret":"abc"},"bad":{"secret":"a b"}},"RefreshToken":{"r":{"secret":"` + strings.Repeat("r", MaxTokenBytes+1) + `"}},"IdToken":{"i":{"secret":"ok"}},"Account":{"x":{"secret":"a b"}}}`
	var got map[string]map[string]map[string]any
	require.NoError(t, json.Unmarshal(dropUnusableTokens([]byte(in)), &got))
	assert.Equal(t, map[string]map[string]any{"good": {"secret": "abc"}}, got["AccessToken"])
	assert.Empty(t, got["RefreshToken"])
	assert.Equal(t, map[string]map[string]any{"i": {"secret": "ok"}}, got["IdToken"])
	assert.Contains(t, got["Account"], "x", "only token sections are checked")

	clean := []byte(`{"AccessToken":{"good":{"secret":"abc"}}, "Other": 1}`)
	assert.Equal(t, clean, dropUnusableTokens(clean), "nothing to drop: the bytes as they were")
	assert.Equal(t, []byte("not json"), dropUnusableTokens([]byte("not json")))
}

func TestUsesSavedConnection(t *testing.T) {
	base := PolicyInput{ClientID: testClientID, AuthorityHost: "https://login.microsoftonline.com", GraphRoot: "https://graph.microsoft.com", CloudGraph: "https://graph.microsoft.com"}
	assert.True(t, base.UsesSavedConnection(), "no credential flag: the record decides")
	withFlag := base
	withFlag.DeviceCode = true
	assert.False(t, withFlag.UsesSavedConnection())
	refused := base
	refused.UPN, refused.PasswordStdin, refused.StdinIsTerminal = testUser, true, true
	assert.False(t, refused.UsesSavedConnection(), "an input error decides nothing")
	saved := base
	saved.Saved = &Connection{AppOnly: true, ClientID: "x", TenantID: "t", AuthorityHost: base.AuthorityHost}
	assert.True(t, saved.UsesSavedConnection(), "the record itself is not consulted")
}

func TestCertificateFilesThatAreNotUsable(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.pfx")
	require.NoError(t, os.WriteFile(big, make([]byte, maxCertificateFile+1), 0o600))
	_, _, err := certificateCredential(big, "")
	requireKind(t, err, exitcode.ErrUsage)
	assert.Equal(t, "certificate "+big+" is over 1 MiB: not a certificate file", err.Error())

	exact := filepath.Join(dir, "exact.pfx")
	require.NoError(t, os.WriteFile(exact, make([]byte, maxCertificateFile), 0o600))
	_, _, err = certificateCredential(exact, "")
	requireKind(t, err, exitcode.ErrUsage)
	assert.Contains(t, err.Error(), "neither a PEM file", "a file of exactly 1 MiB is read")

	_, _, err = certificateCredential(dir, "")
	requireKind(t, err, exitcode.ErrUsage)
	assert.Equal(t, "certificate "+dir+" is a directory, not a certificate file", err.Error())

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big1, Subject: pkix.Name{CommonName: "ec"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	ec := filepath.Join(dir, "ec.pem")
	require.NoError(t, os.WriteFile(ec, append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...), 0o600))
	_, _, err = certificateCredential(ec, "")
	requireKind(t, err, exitcode.ErrUsage)
	assert.Contains(t, err.Error(), "RSA")
}

var big1 = big.NewInt(1)

// The device code's lifetime passed with nobody signing in: MSAL stops
// polling, and the user is told what happened rather than "deadline
// exceeded".
func TestDeviceCodeExpiry(t *testing.T) {
	e := newEnv(t)
	e.lab.SetSettings(labtenant.Settings{DeviceCodePolls: -1, DeviceCodeLifetime: labtenant.Duration(time.Second)})
	_, err := e.token(e.config(ModeDeviceCode))
	requireKind(t, err, exitcode.ErrAuth)
	assert.Equal(t, "sign-in failed: the device code expired before sign-in was completed. Run the command again and enter the code before it expires.", err.Error())
}

// declineWriter declines the device code it is shown, as a user who
// clicks "No, cancel" on the verification page.
type declineWriter struct {
	e    *env
	done chan error
}

func (w declineWriter) Write(p []byte) (int, error) {
	code := regexp.MustCompile(`enter the code ([A-Z2-9]{9})`).FindSubmatch(p)
	go func() {
		if code == nil {
			w.done <- errors.New("no user code in the message")
			return
		}
		resp, err := w.e.lab.Client().PostForm(w.e.lab.URL()+"/devicelogin", url.Values{"user_code": {string(code[1])}, "decline": {"1"}})
		if err == nil {
			resp.Body.Close()
		}
		w.done <- err
	}()
	return len(p), nil
}

func TestDeviceCodeDeclined(t *testing.T) {
	e := newEnv(t)
	e.lab.SetSettings(labtenant.Settings{DeviceCodePolls: -1})
	cfg := e.config(ModeDeviceCode)
	w := declineWriter{e: e, done: make(chan error, 1)}
	cfg.Prompt = w
	_, err := e.token(cfg)
	require.NoError(t, <-w.done)
	requireKind(t, err, exitcode.ErrAuth)
	assert.Contains(t, err.Error(), "AADSTS700020: The user declined the authentication request.", "the authority's reason, not an expiry")
}

// When renewing the cached token fails, what the user is told depends on
// why: an authority that refuses (the refresh token is no good any more)
// means connect again; one that is down means try later, and no browser
// is opened for nothing.
func TestRenewalFailures(t *testing.T) {
	e := newEnv(t)
	e.lab.SetSettings(labtenant.Settings{TokenLifetime: labtenant.Duration(time.Minute)})
	e.mustToken(e.config(ModeUsernamePassword))

	e.fault(labtenant.Fault{Kind: labtenant.FaultTokenError, AADSTS: 70000})
	cfg := e.config(ModeCached)
	cfg.Username = testUser
	_, err := e.token(cfg)
	requireKind(t, err, exitcode.ErrAuth)
	assert.Contains(t, err.Error(), "AADSTS70000")
	assert.Equal(t, 1, strings.Count(err.Error(), reconnectHint), "the cache alone cannot help: connect again, said once: %v", err)

	// A code with a hint of its own (MFA now required) keeps that hint
	// instead of the generic one.
	e.fault(labtenant.Fault{Kind: labtenant.FaultTokenError, AADSTS: 50076})
	_, err = e.token(cfg)
	requireKind(t, err, exitcode.ErrAuth)
	assert.Equal(t, 1, strings.Count(err.Error(), mfaHint), "the MFA hint, said once: %v", err)
	assert.NotContains(t, err.Error(), reconnectHint)

	e.fault(labtenant.Fault{Kind: labtenant.FaultTokenError, AADSTS: 90033})
	_, err = e.token(cfg)
	requireKind(t, err, exitcode.ErrUnavailable)
	assert.NotContains(t, err.Error(), "hybridmgmt connect", "a service that is down is not fixed by signing in again")

	// A mode that could prompt does not, while the authority is down.
	before := e.count("token")
	_, err = e.token(e.config(ModeInteractive)) // its opener fails the test if called
	requireKind(t, err, exitcode.ErrUnavailable)
	assert.Zero(t, e.count("authorize"))
	assert.Equal(t, before+1, e.count("token"), "one renewal attempt, then the answer")
}

// A sign-in that fails is reported as such even when the cache could not
// be read: the cache is only blamed when it alone was to serve.
func TestSignInFailureWinsOverAnUnreadableCache(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(ModeUsernamePassword)
	cfg.Password = "wrong-Password-1"
	c, err := New(cfg)
	require.NoError(t, err)
	app, err := New(func() Config { c := e.config(ModeCachedApp); c.ClientSecret = ""; return c }())
	require.NoError(t, err)
	require.NoError(t, os.Mkdir(CachePath(e.dir), 0o700))

	_, err = c.Token(context.Background())
	requireKind(t, err, exitcode.ErrAuth)
	assert.Contains(t, err.Error(), "AADSTS50126")

	_, err = app.Token(context.Background())
	require.Error(t, err)
	assert.Equal(t, exitcode.Unexpected, exitcode.Of(err), "%v", err)
	assert.Contains(t, err.Error(), "could not read the token cache "+CachePath(e.dir))
}

func TestBrowserEnvOpenerCommands(t *testing.T) {
	const u = "https://login.example/authorize?state=s"
	assert.NoError(t, browserEnvOpener("/bin/false:/bin/true")(u), "the first command that succeeds wins")
	err := browserEnvOpener("/bin/false")(u)
	require.Error(t, err)
	assert.Equal(t, "$BROWSER command /bin/false: exited with exit status 1", err.Error())
	assert.EqualError(t, browserEnvOpener(": :")(u), "$BROWSER names no command")

	// The URL goes where %s stands, else last; the command itself is
	// never rewritten.
	exe, err := os.Executable()
	require.NoError(t, err)
	logFile := filepath.Join(t.TempDir(), "args")
	t.Setenv("HYBRIDMGMT_AUTH_TEST_BROWSER", "1")
	t.Setenv("HYBRIDMGMT_AUTH_TEST_BROWSER_LOG", logFile)
	t.Setenv("HYBRIDMGMT_AUTH_TEST_CA", filepath.Join(t.TempDir(), "none.pem"))
	for value, want := range map[string]string{
		exe + " --url=%s --again=%s": "--url=" + u + "\n--again=" + u,
		exe + " -a  -b":              "-a\n-b\n" + u,
		exe:                          u,
	} {
		require.Error(t, browserEnvOpener(value)(u), "the fake browser cannot finish this sign-in")
		got, err := os.ReadFile(logFile)
		require.NoError(t, err)
		assert.Equal(t, want, string(got), value)
	}
}

func TestHTTPSPageOnly(t *testing.T) {
	var opened []string
	open := httpsPageOnly(func(u string) error { opened = append(opened, u); return nil })
	require.NoError(t, open("HTTPS://login.example/authorize"))
	err := open("http://login.example/authorize?code=x")
	require.ErrorIs(t, err, errSignInRefused)
	assert.Equal(t, "the authority's sign-in page is not https (http://login.example); refusing to open it", err.Error())
	err = open("%zz://bad")
	require.ErrorIs(t, err, errSignInRefused)
	assert.Equal(t, "the authority's sign-in page is not https (an unparsable address); refusing to open it", err.Error())
	assert.Equal(t, []string{"HTTPS://login.example/authorize"}, opened)
}

// The cache is shared by every cloud: an account signed in at another
// authority host does not count here.
func TestCachedAccountsOfAnotherHostDoNotCount(t *testing.T) {
	e := newEnv(t)
	other := newEnv(t) // another lab: another host:port, one cache folder
	other.dir = e.dir
	e.mustToken(e.config(ModeUsernamePassword))
	cfg := other.config(ModeUsernamePassword)
	cfg.Username, cfg.Password = testUser2, labSeed.creds.Password(testUser2)
	other.mustToken(cfg)

	c, err := New(e.config(ModeCached))
	require.NoError(t, err)
	acct, err := c.SignIn(context.Background())
	require.NoError(t, err, "one account at this host, not two")
	assert.Equal(t, testUser, acct.Username)
}
