// Package auth signs the user (or the CI app) in to Microsoft Entra through
// MSAL Go and hands out Graph access tokens, silently from a persistent cache
// whenever it can. One file per sign-in mode; the mode is chosen by the
// command layer from flags and the AZURE_* environment.
//
// It must never import pkg/appproxy or pkg/cmdlets (rules in
// pkg/architecture).
package auth

import (
	"context"
	"io"
	"net/http"
)

// Mode is how the caller signs in.
type Mode string

const (
	// ModeInteractive opens the system browser (auth code + PKCE).
	ModeInteractive Mode = "interactive"
	// ModeDeviceCode prints a code for another device's browser.
	ModeDeviceCode Mode = "devicecode"
	// ModeUsernamePassword is ROPC: deprecated, MFA-incompatible, kept for
	// the original module's -Credential parameter.
	ModeUsernamePassword Mode = "usernamepassword"
	// ModeClientSecret is app-only with a client secret.
	ModeClientSecret Mode = "clientsecret"
	// ModeClientCertificate is app-only with a certificate (PEM or PFX).
	ModeClientCertificate Mode = "clientcertificate"
	// ModeCached uses only what an earlier sign-in cached; it never prompts.
	ModeCached Mode = "cached"
	// ModeCachedApp uses only the app token an earlier app-only connect with
	// a client secret cached; once it expires the secret is needed again.
	ModeCachedApp Mode = "cachedapp"
)

// AppOnly reports whether the mode yields application (not user) tokens.
func (m Mode) AppOnly() bool {
	return m == ModeClientSecret || m == ModeClientCertificate || m == ModeCachedApp
}

// Config is everything a sign-in needs. The command layer fills and
// validates it (exit 2 on bad input) before anything touches the network.
type Config struct {
	Mode Mode
	// CloudName is the --cloud name, reported by connect.
	CloudName string
	// AuthorityHost is scheme://host[:port] of the Entra authority.
	AuthorityHost string
	// InstanceDiscovery is false for hosts that are not Microsoft login
	// hosts (private and test authorities).
	InstanceDiscovery bool
	// Tenant is a tenant GUID or verified domain. For user sign-in it
	// defaults to the UPN's domain; empty means "organizations".
	Tenant string
	// ClientID is the application (client) id.
	ClientID string
	// Username is the UPN: the login hint, the ROPC user, and the key that
	// picks the cached account.
	Username string
	// Password is the ROPC password (from stdin only).
	Password string
	// ClientSecret is the app secret (stdin or AZURE_CLIENT_SECRET).
	ClientSecret string
	// CertificatePath is a PEM (certificate + key) or PFX file;
	// CertificatePassword decrypts a PFX (stdin).
	CertificatePath     string
	CertificatePassword string
	// Scopes requested, e.g. https://graph.microsoft.com/Directory.ReadWrite.All
	// for users or https://graph.microsoft.com/.default for apps.
	Scopes []string
	// CacheDir holds the persistent MSAL cache (owner-only).
	CacheDir string
	// HTTPClient carries the proxy and CA trust settings.
	HTTPClient *http.Client
	// Prompt receives sign-in instructions (device code message); stderr.
	Prompt io.Writer
	// OpenURL opens the browser for interactive sign-in; nil uses Browser,
	// else the system browser.
	OpenURL func(url string) error
	// Browser is the $BROWSER value the command layer read: commands to
	// try, separated by ':'. Getenv answers the desktop-session variables
	// (DISPLAY, WAYLAND_DISPLAY); nil means none is set. This package reads
	// no environment of its own.
	Browser string
	Getenv  func(string) string
	// Logf receives redacted diagnostics under --verbose; may be nil.
	Logf func(format string, args ...any)
	// Progress shows a person what is being waited for (terminals only);
	// may be nil.
	Progress func(line string)
	// Force signs a user in again even when the cache could serve a token
	// (connect --force, e.g. after activating a PIM role).
	Force bool
}

// Account is what connect prints.
type Account struct {
	Username  string `json:"username"`
	TenantID  string `json:"tenantId"`
	Cloud     string `json:"cloud"`
	Authority string `json:"authority"`
	AppOnly   bool   `json:"appOnly"`
	// ClientID and Credential describe an app-only sign-in ("secret" or
	// "certificate <thumbprint>"); empty for users.
	ClientID   string `json:"clientId,omitempty"`
	Credential string `json:"credential,omitempty"`
}

// TokenSource hands out Graph access tokens.
type TokenSource interface {
	// Token returns a valid access token, from the cache when possible.
	Token(ctx context.Context) (string, error)
	// AppOnly reports whether tokens are application tokens.
	AppOnly() bool
}

// compile-time check that Client satisfies the interface the Graph client
// consumes.
var _ TokenSource = (*Client)(nil)

// Ensure io.Discard-style defaults exist for optional fields.
func (c Config) prompt() io.Writer {
	if c.Prompt == nil {
		return io.Discard
	}
	return c.Prompt
}

func (c Config) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}
