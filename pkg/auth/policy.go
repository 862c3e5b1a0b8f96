package auth

import (
	"strings"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// PolicyInput is everything the sign-in decision depends on: the flags,
// what the environment says, the last connect's record and whether a
// person is at a terminal. It holds no secret, only whether one is there.
type PolicyInput struct {
	// Flags, already validated.
	UPN               string // --user-principal-name, or --username's value
	UPNDomain         string
	PasswordStdin     bool // --username with --password-stdin (ROPC)
	ClientSecretStdin bool
	Certificate       string // --certificate
	DeviceCode        bool
	TenantID          string
	ClientID          string
	ClientIDSet       bool // a flag or AZURE_CLIENT_ID named the client

	// Environment.
	EnvClientSecret    bool   // AZURE_CLIENT_SECRET is set
	EnvCertificatePath string // AZURE_CLIENT_CERTIFICATE_PATH
	EnvPFXPassword     bool   // AZURE_CLIENT_CERTIFICATE_PASSWORD is set
	// CanOpenBrowser: $BROWSER, a desktop session, or an opener the caller
	// injected. Without one the interactive sign-in is a device code.
	CanOpenBrowser bool
	// StdinIsTerminal: secrets are never read from a terminal.
	StdinIsTerminal bool

	// InteractiveDefault makes a call without credential flags sign in
	// interactively (connect) instead of using only the cache.
	InteractiveDefault bool
	// Saved is the last connect's record, when one exists.
	Saved *Connection

	// Where this call goes: the saved sign-in's tokens go to nothing else.
	AuthorityHost string
	GraphRoot     string // the cloud's or the override
	CloudGraph    string // the cloud's own Graph root
}

// SecretSource says where the plan's secret comes from.
type SecretSource int

// The places a secret may come from; never an argument.
const (
	NoSecret SecretSource = iota
	SecretFromStdin
	SecretFromEnv
	// SecretFromEnvOrStdin is a PFX password: the environment, else one
	// piped line, else none (an unprotected PFX is legal).
	SecretFromEnvOrStdin
)

// Plan is the resolved sign-in: the mode and the identity it signs in as,
// and where its secret is read from. Executing it (reading the secret,
// calling MSAL) is the caller's job.
type Plan struct {
	Mode            Mode
	Tenant          string
	Username        string
	ClientID        string
	CertificatePath string
	// Secret names where the secret comes from; SecretWhat says what it
	// is, for messages ("the client secret").
	Secret     SecretSource
	SecretWhat string
	// FromConnection says the saved connection shaped the plan.
	FromConnection bool
}

// Decide is the whole sign-in policy: which mode, tenant, account and
// client, and where the secret comes from. It is pure: the same input
// always gives the same plan or the same usage error.
func Decide(in PolicyInput) (Plan, error) {
	p := Plan{Tenant: in.TenantID, Username: in.UPN, ClientID: in.ClientID}
	certPath := in.Certificate
	if certPath == "" {
		certPath = in.EnvCertificatePath
	}
	userFlags := (in.UPN != "" && !in.PasswordStdin) || in.DeviceCode
	switch {
	case in.PasswordStdin:
		p.Mode, p.Secret, p.SecretWhat = ModeUsernamePassword, SecretFromStdin, "the password for --username"
	case in.ClientSecretStdin:
		p.Mode, p.Secret, p.SecretWhat = ModeClientSecret, SecretFromStdin, "the client secret"
	case !userFlags && in.Certificate == "" && in.EnvClientSecret:
		p.Mode, p.Secret, p.SecretWhat = ModeClientSecret, SecretFromEnv, "the client secret"
	case certPath != "" && !userFlags:
		p.Mode, p.CertificatePath = ModeClientCertificate, certPath
		if IsPFX(certPath) {
			p.Secret, p.SecretWhat = SecretFromEnvOrStdin, "the PFX password"
		}
	case in.DeviceCode:
		p.Mode = ModeDeviceCode
	case in.UPN != "" || in.InteractiveDefault:
		p.Mode = ModeInteractive
		if !in.CanOpenBrowser {
			p.Mode = ModeDeviceCode
		}
	default:
		p.Mode = ModeCached
		if err := applySaved(&p, in); err != nil {
			return Plan{}, err
		}
	}
	if p.Secret == SecretFromStdin && in.StdinIsTerminal {
		return Plan{}, exitcode.Usagef("%s must be piped on standard input (it is never read from a terminal prompt or an argument)", p.SecretWhat)
	}
	if p.Mode.AppOnly() {
		// Still the public default: neither a flag, AZURE_CLIENT_ID nor a
		// saved app-only connection named the app.
		if !in.ClientIDSet && !p.FromConnection {
			return Plan{}, exitcode.Usagef("app-only sign-in needs --client-id (or AZURE_CLIENT_ID): the id of your own app registration")
		}
		if p.Tenant == "" {
			return Plan{}, exitcode.Usagef("app-only sign-in needs --tenant-id (or AZURE_TENANT_ID)")
		}
		p.Username = ""
	} else if p.Tenant == "" {
		// As the original module did: the UPN's domain names the tenant,
		// for both user modes, so their caches serve each other.
		p.Tenant = in.UPNDomain
	}
	return p, nil
}

// UsesSavedConnection reports whether the decision falls back to the last
// connect's record (no credential flag or variable): only then is the
// record worth reading.
func (in PolicyInput) UsesSavedConnection() bool {
	in.Saved = nil
	p, err := Decide(in)
	return err == nil && p.Mode == ModeCached
}

// applySaved makes a call without credential flags sign in the way the
// last connect did: same tenant and account for users (a guest admin stays
// in the tenant they connected to), same app and certificate for app-only.
// Flags and environment still win. The saved sign-in's tokens go only to
// the Graph endpoint it was made for.
func applySaved(p *Plan, in PolicyInput) error {
	c := in.Saved
	if c == nil || !strings.EqualFold(c.AuthorityHost, in.AuthorityHost) {
		return nil
	}
	bound := c.GraphEndpoint
	if bound == "" {
		bound = in.CloudGraph // a record from before the endpoint was saved
	}
	if !strings.EqualFold(bound, in.GraphRoot) {
		return exitcode.Authf("the saved sign-in is for Graph at %s, not %s; its tokens are not sent elsewhere: run `hybridmgmt connect` with this Graph endpoint to sign in for it", bound, in.GraphRoot)
	}
	if p.Tenant == "" {
		p.Tenant = c.TenantID
	}
	if !c.AppOnly {
		if p.Username == "" {
			p.Username = c.Username
		}
		return nil
	}
	if in.ClientIDSet && !strings.EqualFold(in.ClientID, c.ClientID) {
		return nil // another app was asked for: only its own flags sign it in
	}
	p.ClientID, p.FromConnection = c.ClientID, true
	if c.CertificatePath != "" {
		p.Mode, p.CertificatePath = ModeClientCertificate, c.CertificatePath
		if IsPFX(c.CertificatePath) {
			p.Secret, p.SecretWhat = SecretFromEnvOrStdin, "the PFX password"
		}
		return nil
	}
	p.Mode = ModeCachedApp
	return nil
}

// IsPFX reports whether a certificate path names a PFX (PKCS#12) file,
// whose password must come from somewhere.
func IsPFX(path string) bool {
	l := strings.ToLower(path)
	return strings.HasSuffix(l, ".pfx") || strings.HasSuffix(l, ".p12")
}
