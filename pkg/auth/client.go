package auth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
)

// organizations is the multi-tenant authority segment used for user
// sign-in when no tenant is known.
const organizations = "organizations"

// memorySkew is how long before its expiry an access token held in memory
// stops being handed out (MSAL's own cache uses the same five minutes).
const memorySkew = 5 * time.Minute

// Client signs in with one Config and hands out access tokens. It is safe
// for concurrent use; concurrent callers share one sign-in.
type Client struct {
	cfg       Config
	authority string
	secrets   []string

	// Exactly one of pub (user modes) and conf (app-only modes) is set.
	pub  *public.Client
	conf *confidential.Client
	// flow is the user mode's interactive part (interactive.go,
	// devicecode.go, usernamepassword.go, cached.go).
	flow userFlow
	// thumbprint is the app certificate's SHA-1 thumbprint (connect shows it).
	thumbprint string
	// store is the persistent cache (nil without a cache directory); it
	// keeps local read and save failures for acquire to report.
	store *persistentCache
	// cacheWarned: Token reports a cache failure once per process.
	cacheWarned bool

	// sem serialises acquisitions so that concurrent Token calls share one
	// browser or device-code prompt; a channel so waiting honours ctx.
	sem chan struct{}
	// The token of this process (guarded by sem).
	token   string
	expires time.Time
	account Account
}

// result is a token with the identity it belongs to.
type result struct {
	token     string
	expires   time.Time
	account   Account
	fromCache bool
}

// userFlow is a user sign-in mode: it runs when the silent attempt from the
// cache found nothing usable.
type userFlow interface {
	acquire(ctx context.Context, c *Client) (public.AuthResult, error)
}

// New checks cfg, opens the persistent token cache and builds the MSAL
// client for cfg.Mode. It does not touch the network.
func New(cfg Config) (*Client, error) {
	if err := validate(&cfg); err != nil {
		return nil, err
	}
	tenant := cfg.Tenant
	if tenant == "" {
		tenant = organizations
	}
	c := &Client{
		cfg:       cfg,
		authority: strings.TrimRight(cfg.AuthorityHost, "/") + "/" + tenant,
		secrets:   nonEmpty(cfg.Password, cfg.ClientSecret, cfg.CertificatePassword),
		sem:       make(chan struct{}, 1),
	}
	c.logf("auth: mode %s, authority %s, client id %s", cfg.Mode, c.authority, cfg.ClientID)
	// Whatever client the caller built, MSAL gets it wrapped in the
	// sign-in rules: https only, no redirects, bounded answers
	// (transport.go).
	cfg.HTTPClient = signInClient(cfg.HTTPClient)
	c.cfg.HTTPClient = cfg.HTTPClient

	var store cache.ExportReplace
	if cfg.CacheDir != "" {
		s, err := openCache(cfg.CacheDir, c.logf)
		if err != nil {
			return nil, err
		}
		store = s
		c.store = s
		c.logf("auth: token cache %s", CachePath(cfg.CacheDir))
	} else {
		c.logf("auth: no cache directory, tokens are kept in memory only")
	}

	if cfg.Mode.AppOnly() {
		cred, err := c.credential()
		if err != nil {
			return nil, err
		}
		opts := []confidential.Option{
			confidential.WithInstanceDiscovery(cfg.InstanceDiscovery),
			// Never probe Azure IMDS for a region (MSAL_FORCE_REGION): a CLI
			// on an admin workstation has no region and must not call
			// link-local addresses.
			confidential.WithAzureRegion("DisableMsalForceRegion"),
		}
		opts = append(opts, confidential.WithHTTPClient(cfg.HTTPClient))
		if store != nil {
			opts = append(opts, confidential.WithCache(store))
		}
		app, err := confidential.New(c.authority, cfg.ClientID, cred, opts...)
		if err != nil {
			return nil, exitcode.Usagef("sign-in configuration: %s", c.redact(err.Error()))
		}
		c.conf = &app
		return c, nil
	}

	switch cfg.Mode {
	case ModeInteractive:
		c.flow = interactiveFlow{}
	case ModeDeviceCode:
		c.flow = deviceCodeFlow{}
	case ModeUsernamePassword:
		c.flow = usernamePasswordFlow{}
	case ModeCached:
		c.flow = cachedFlow{}
	}
	opts := []public.Option{
		public.WithAuthority(c.authority),
		public.WithInstanceDiscovery(cfg.InstanceDiscovery),
	}
	opts = append(opts, public.WithHTTPClient(cfg.HTTPClient))
	if store != nil {
		opts = append(opts, public.WithCache(store))
	}
	app, err := public.New(cfg.ClientID, opts...)
	if err != nil {
		return nil, exitcode.Usagef("sign-in configuration: %s", c.redact(err.Error()))
	}
	c.pub = &app
	return c, nil
}

// validate reports inputs New cannot work with. The command layer checks
// the user's input first; these are programming errors or odd env values.
func validate(cfg *Config) error {
	switch cfg.Mode {
	case ModeInteractive, ModeDeviceCode, ModeCached, ModeClientSecret, ModeClientCertificate, ModeCachedApp:
	case ModeUsernamePassword:
		if cfg.Username == "" {
			return exitcode.Usagef("username/password sign-in needs a username")
		}
		if cfg.Password == "" {
			return exitcode.Usagef("username/password sign-in needs a password on standard input")
		}
	default:
		return exitcode.Usagef("unknown sign-in mode %q", cfg.Mode)
	}
	// ifs rather than a switch: Go's coverage profile cannot see a switch
	// case's expression, so mutation testing could not either.
	if cfg.ClientID == "" {
		return exitcode.Usagef("sign-in needs a client id")
	}
	if cfg.AuthorityHost == "" {
		return exitcode.Usagef("sign-in needs an authority host")
	}
	if len(cfg.Scopes) == 0 {
		return exitcode.Usagef("sign-in needs at least one scope")
	}
	if cfg.Mode.AppOnly() && cfg.Tenant == "" {
		return exitcode.Usagef("app-only sign-in needs a tenant id")
	}
	if cfg.Mode == ModeClientSecret && cfg.ClientSecret == "" {
		return exitcode.Usagef("client-secret sign-in needs a client secret")
	}
	if cfg.Mode == ModeClientCertificate && cfg.CertificatePath == "" {
		return exitcode.Usagef("certificate sign-in needs a certificate file")
	}
	return nil
}

// credential builds the app-only credential (clientsecret.go, clientcert.go).
func (c *Client) credential() (confidential.Credential, error) {
	switch c.cfg.Mode {
	case ModeClientSecret:
		return secretCredential(c.cfg.ClientSecret)
	case ModeCachedApp:
		return cachedAppCredential(), nil
	}
	cred, thumb, err := certificateCredential(c.cfg.CertificatePath, c.cfg.CertificatePassword)
	c.thumbprint = thumb
	return cred, err
}

// credentialName says how an app signs in, for connect: the certificate's
// thumbprint, or "secret" (never the secret).
func (c *Client) credentialName() string {
	if c.thumbprint != "" {
		return "certificate " + c.thumbprint
	}
	if c.cfg.Mode == ModeClientSecret || c.cfg.Mode == ModeCachedApp {
		return "secret"
	}
	return ""
}

// AppOnly reports whether the tokens are application (not user) tokens.
func (c *Client) AppOnly() bool { return c.cfg.Mode.AppOnly() }

// Token returns a Graph access token: from this process's memory, else
// silently from the persistent cache (refreshing with the refresh token if
// needed), else by running the mode's sign-in flow.
func (c *Client) Token(ctx context.Context) (string, error) {
	if err := c.lock(ctx); err != nil {
		return "", err
	}
	defer c.unlock()
	if c.token != "" && time.Until(c.expires) > memorySkew {
		return c.token, nil
	}
	r, cacheErr, err := c.acquire(ctx)
	if err != nil {
		return "", err
	}
	if cacheErr != nil && !c.cacheWarned {
		// The command goes on with the token it has; only the next one
		// will have to sign in again. Said once, on stderr and not only
		// under --verbose (the user needs to fix the disk or folder), as
		// "warning: ...", which the PowerShell module shows as a warning;
		// "hybridmgmt: ..." would read as the command's error.
		c.cacheWarned = true
		fmt.Fprintf(c.cfg.prompt(), "warning: %s; continuing with the token just obtained (the next command may ask you to sign in again)\n",
			c.redact(cacheErr.Error()))
	}
	return r.token, nil
}

// SignIn acquires a token now (silently when the cache allows) and returns
// the account it belongs to; connect prints it.
func (c *Client) SignIn(ctx context.Context) (Account, error) {
	if err := c.lock(ctx); err != nil {
		return Account{}, err
	}
	defer c.unlock()
	r, cacheErr, err := c.acquire(ctx)
	if err != nil {
		return Account{}, err
	}
	if cacheErr != nil {
		// connect's job is the saved sign-in: without it, it failed
		// (exit 1), though the sign-in itself worked.
		return r.account, fmt.Errorf("signed in as %s, but %s", r.account.Username, c.redact(cacheErr.Error()))
	}
	return r.account, nil
}

func (c *Client) lock(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) unlock() { <-c.sem }

// acquire gets a token and records it in memory. Callers hold sem.
// cacheErr is a local failure of the persistent cache that did not stop
// the sign-in.
func (c *Client) acquire(ctx context.Context) (r result, cacheErr *CacheError, err error) {
	if c.conf != nil {
		r, err = c.acquireApp(ctx)
	} else {
		r, err = c.acquireUser(ctx)
	}
	cacheErr = c.store.take()
	if err != nil {
		if cacheErr != nil && (c.cfg.Mode == ModeCached || c.cfg.Mode == ModeCachedApp) && errors.Is(err, exitcode.ErrAuth) {
			// "Not signed in" because the cache could not be read: say
			// that, naming the file (exit 1).
			return result{}, nil, errors.New(c.redact(cacheErr.Error()))
		}
		return result{}, nil, err
	}
	if err := usableToken(r.token); err != nil {
		// Checked once here: Go's client would refuse it on every Graph
		// attempt and the retries would end as "unavailable".
		return result{}, nil, exitcode.Authf("the sign-in service %s returned an unusable access token (%v); run `hybridmgmt connect` again", c.host(), err)
	}
	if r.fromCache {
		c.logf("auth: token for %s from the cache", r.account.Username)
	} else {
		c.logf("auth: token for %s from %s", r.account.Username, c.authority)
	}
	c.token, c.expires, c.account = r.token, r.expires, r.account
	return r, cacheErr, nil
}

// acquireApp runs the client-credentials grant; MSAL answers from its app
// token cache first.
func (c *Client) acquireApp(ctx context.Context) (result, error) {
	res, err := c.conf.AcquireTokenByCredential(ctx, c.cfg.Scopes)
	if err != nil {
		return result{}, c.wrapErr(ctx, err)
	}
	return result{
		token:     res.AccessToken,
		expires:   res.ExpiresOn,
		fromCache: res.Metadata.TokenSource == confidential.TokenSourceCache,
		account: Account{
			Username:   c.cfg.ClientID,
			TenantID:   c.cfg.Tenant,
			Cloud:      c.cfg.CloudName,
			Authority:  c.authority,
			AppOnly:    true,
			ClientID:   c.cfg.ClientID,
			Credential: c.credentialName(),
		},
	}, nil
}

// acquireUser tries the cache silently, then the mode's flow. Force
// (connect --force, after a PIM role activation) skips the cache.
func (c *Client) acquireUser(ctx context.Context) (result, error) {
	if !c.cfg.Force || c.cfg.Mode == ModeCached {
		res, silentErr := c.silent(ctx)
		if silentErr == nil {
			return c.userResult(res), nil
		}
		if ctx.Err() != nil {
			return result{}, ctx.Err()
		}
		if c.cfg.Mode == ModeCached || errors.Is(silentErr, exitcode.ErrUnavailable) {
			// Cached mode never prompts; an unreachable authority would fail
			// the prompt too, after opening a browser for nothing.
			return result{}, silentErr
		}
	}
	res, err := c.flow.acquire(ctx, c)
	if err != nil {
		return result{}, c.wrapErr(ctx, err)
	}
	r := c.userResult(res)
	if want := c.cfg.Username; want != "" && !strings.EqualFold(want, r.account.Username) {
		// The browser had another account signed in, and the admin picked
		// it: later commands act as that account.
		fmt.Fprintf(c.cfg.prompt(), "warning: signed in as %s, not %s as requested; sign out of %s in the browser and run `hybridmgmt connect --force` to switch\n",
			output.EscapeTerminal(r.account.Username), want, output.EscapeTerminal(r.account.Username))
	}
	return r, nil
}

// errNoCachedAccount means the cache holds no account for this sign-in.
var errNoCachedAccount = errors.New("no cached account")

// silent acquires a token from the cache for the matching account. Errors
// are already classified (ModeCached returns them as they are).
func (c *Client) silent(ctx context.Context) (public.AuthResult, error) {
	accounts, err := c.pub.Accounts(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return public.AuthResult{}, ctx.Err()
		}
		// Not fatal for the modes that can prompt: they sign in afresh.
		c.logf("auth: token cache unreadable: %s", c.redact(err.Error()))
		return public.AuthResult{}, fmt.Errorf("reading the token cache in %s: %s", c.cfg.CacheDir, c.redact(err.Error()))
	}
	acct, err := pickAccount(accounts, c.cfg.Username, c.authorityHostPort())
	if err != nil {
		c.logf("auth: cache miss: %s", err.Error())
		return public.AuthResult{}, c.notSignedIn(err)
	}
	c.logf("auth: cached account %s", acct.PreferredUsername)
	res, err := c.pub.AcquireTokenSilent(ctx, c.cfg.Scopes, public.WithSilentAccount(acct))
	if err == nil {
		return res, nil
	}
	if ctx.Err() != nil {
		return public.AuthResult{}, ctx.Err()
	}
	werr := c.wrapErr(ctx, err)
	c.logf("auth: silent sign-in failed: %s", werr.Error())
	if isOAuthOrNetwork(err) {
		// The refresh token was refused (expired, revoked, MFA now
		// required) or the authority is unreachable: say so.
		if d := detailsOf(werr); c.cfg.Mode == ModeCached && errors.Is(werr, exitcode.ErrAuth) && d.Hint == "" {
			return public.AuthResult{}, signInFailed(werr.Error(), d.Code, reconnectHint)
		}
		return public.AuthResult{}, werr
	}
	// MSAL's "no token found" and the like: nothing usable is cached.
	return public.AuthResult{}, c.notSignedIn(err)
}

// authorityHostPort is the host[:port] MSAL records as the environment of
// the accounts it caches for this authority.
func (c *Client) authorityHostPort() string {
	if u, err := url.Parse(c.cfg.AuthorityHost); err == nil {
		return u.Host
	}
	return ""
}

// notSignedIn is ModeCached's answer when the cache cannot serve a token.
func (c *Client) notSignedIn(cause error) error {
	var amb *ambiguousAccountError
	if errors.As(cause, &amb) {
		return exitcode.Wrap(exitcode.ErrAuth, amb)
	}
	if c.cfg.Username != "" {
		return signInFailed("not signed in as "+c.cfg.Username+".", "", notSignedInHint)
	}
	return signInFailed("not signed in.", "", notSignedInHint)
}

// userResult converts MSAL's result for a user token.
func (c *Client) userResult(res public.AuthResult) result {
	name := res.Account.PreferredUsername
	if name == "" {
		name = res.IDToken.PreferredUsername
	}
	if name == "" {
		name = c.cfg.Username
	}
	return result{
		token:     res.AccessToken,
		expires:   res.ExpiresOn,
		fromCache: res.Metadata.TokenSource == public.TokenSourceCache,
		account: Account{
			Username:  name,
			TenantID:  tenantOf(res, c.cfg.Tenant),
			Cloud:     c.cfg.CloudName,
			Authority: c.authority,
		},
	}
}

// tenantOf is the tenant GUID of a user result: the id token's tid, else
// the home tenant in the home account id (<uid>.<utid>), else the realm.
func tenantOf(res public.AuthResult, fallback string) string {
	if res.IDToken.TenantID != "" {
		return res.IDToken.TenantID
	}
	if _, utid, ok := strings.Cut(res.Account.HomeAccountID, "."); ok && utid != "" {
		return utid
	}
	if r := res.Account.Realm; r != "" && r != organizations && r != "common" {
		return r
	}
	return fallback
}

// logf writes a redacted diagnostic.
func (c *Client) logf(format string, args ...any) {
	if c.cfg.Logf == nil {
		return
	}
	c.cfg.logf("%s", c.redact(fmt.Sprintf(format, args...)))
}

func (c *Client) redact(s string) string { return Redact(s, c.secrets...) }

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
