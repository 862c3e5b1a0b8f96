package cmdlets

import (
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"

	"github.com/hybridmgmt/hybridmgmt/pkg/auth"
	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/secretinput"
	"github.com/hybridmgmt/hybridmgmt/pkg/validate"
)

// AuthConfig chooses the sign-in mode from the flags and the AZURE_*
// environment and reads any secret from stdin, once. Everything that can be
// wrong with the input is reported here, before a token request.
func (f *Factory) AuthConfig() (*auth.Config, error) {
	f.authOnce.Do(func() { f.authCfg, f.authErr = f.buildAuthConfig() })
	return f.authCfg, f.authErr
}

func (f *Factory) buildAuthConfig() (*auth.Config, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	g := f.Global
	hc, err := f.HTTPClient()
	if err != nil {
		return nil, err
	}
	cacheDir, err := defaultCacheDir(f.Getenv)
	if err != nil {
		return nil, err
	}
	authorityURL, _ := url.Parse(s.AuthorityHost)
	cfg := &auth.Config{
		CloudName:         s.Cloud.Name,
		AuthorityHost:     s.AuthorityHost,
		InstanceDiscovery: cloud.IsMicrosoftLoginHost(authorityURL.Host),
		Tenant:            s.TenantID,
		ClientID:          s.ClientID,
		Username:          s.UPN,
		CacheDir:          cacheDir,
		HTTPClient:        hc,
		Prompt:            f.IO.ErrOut,
		OpenURL:           f.OpenURL,
		Logf:              f.verbosef,
		Progress:          func(line string) { f.IO.Progressf("%s", line) },
		Force:             f.forceSignIn,
	}
	graphResource := s.Cloud.GraphRoot
	// Both delegated permissions in one token request (R1): connector APIs
	// accept only Directory.ReadWrite.All, and writes to applications only
	// Application.ReadWrite.All. The cache then serves both.
	delegatedScopes := []string{graphResource + "/Directory.ReadWrite.All", graphResource + "/Application.ReadWrite.All"}
	appScopes := []string{graphResource + "/.default"}

	certPath := pick(g.Certificate, f.Getenv("AZURE_CLIENT_CERTIFICATE_PATH"))
	envSecret := f.Getenv("AZURE_CLIENT_SECRET")
	userFlags := s.UPN != "" || g.DeviceCode

	switch {
	case g.Username != "":
		cfg.Mode = auth.ModeUsernamePassword
		if cfg.Password, err = f.readSecret("the password for --username"); err != nil {
			return nil, err
		}
		// R11: security defaults and most Conditional Access baselines
		// require MFA for the roles this tool needs, which ROPC cannot do.
		fmt.Fprintln(f.IO.ErrOut, "warning: --username with --password-stdin (ROPC) is deprecated and fails wherever MFA is enforced, which security defaults do for Application and Global Administrators; for CI use certificate app-only sign-in (--client-id, --tenant-id, --certificate)")
	case g.ClientSecretStdin || (!userFlags && g.Certificate == "" && envSecret != ""):
		cfg.Mode = auth.ModeClientSecret
		if g.ClientSecretStdin {
			if cfg.ClientSecret, err = f.readSecret("the client secret"); err != nil {
				return nil, err
			}
		} else {
			cfg.ClientSecret = envSecret
		}
	case certPath != "" && !userFlags:
		cfg.Mode = auth.ModeClientCertificate
		if err := checkCertificateFile(certPath); err != nil {
			return nil, err
		}
		cfg.CertificatePath = certPath
		if isPFX(certPath) {
			if pw := f.Getenv("AZURE_CLIENT_CERTIFICATE_PASSWORD"); pw != "" {
				cfg.CertificatePassword = pw
			} else if !f.IO.IsStdinTTY() {
				// An unprotected PFX is legal; an empty stdin means no password.
				pw, err := secretinput.ReadLine(f.IO.In, "the PFX password")
				if err == nil {
					cfg.CertificatePassword = pw
				}
			}
		}
	case g.DeviceCode:
		cfg.Mode = auth.ModeDeviceCode
	case s.UPN != "":
		cfg.Mode = auth.ModeInteractive
		if !canOpenBrowser(f) {
			cfg.Mode = auth.ModeDeviceCode
		}
	case f.interactiveDefault:
		cfg.Mode = auth.ModeInteractive
		if !canOpenBrowser(f) {
			cfg.Mode = auth.ModeDeviceCode
		}
	default:
		cfg.Mode = auth.ModeCached
		if err := f.applyConnection(cfg, s); err != nil {
			return nil, err
		}
	}

	if s.Cloud.OwnClientAdvised && !s.ClientIDSet && cfg.ClientID == DefaultClientID {
		// R12: Microsoft's own China App Proxy sample passes its own client.
		fmt.Fprintln(f.IO.ErrOut, "warning: the default client (Microsoft Graph Command Line Tools) may not exist in the China cloud; if sign-in fails with AADSTS700016, register an app there and pass --client-id")
	}
	if cfg.Mode.AppOnly() {
		cfg.Scopes = appScopes
		// Still the public default: neither a flag, AZURE_CLIENT_ID nor a
		// saved app-only connection named the app.
		if !s.ClientIDSet && cfg.ClientID == DefaultClientID {
			return nil, exitcode.Usagef("app-only sign-in needs --client-id (or AZURE_CLIENT_ID): the id of your own app registration")
		}
		if cfg.Tenant == "" {
			return nil, exitcode.Usagef("app-only sign-in needs --tenant-id (or AZURE_TENANT_ID)")
		}
	} else {
		cfg.Scopes = delegatedScopes
		if cfg.Tenant == "" {
			// As the original module did: the UPN's domain names the tenant,
			// for both user modes, so their caches serve each other.
			cfg.Tenant = s.UPNDomain
		}
	}
	return cfg, nil
}

func (f *Factory) readSecret(what string) (string, error) {
	if f.IO.IsStdinTTY() {
		return "", exitcode.Usagef("%s must be piped on standard input (it is never read from a terminal prompt or an argument)", what)
	}
	return secretinput.ReadLine(f.IO.In, what)
}

func isPFX(path string) bool {
	l := strings.ToLower(path)
	return strings.HasSuffix(l, ".pfx") || strings.HasSuffix(l, ".p12")
}

func checkCertificateFile(path string) error {
	if _, err := validate.Name("--certificate", path); err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return exitcode.Usagef("--certificate: %v", err)
	}
	// Regular files only, checked before anything opens it: a FIFO would
	// block the open until someone writes to it, beyond Ctrl-C.
	if !st.Mode().IsRegular() || st.Size() > 1<<20 {
		return exitcode.Usagef("--certificate %s is not a certificate file (not a regular file, or over 1 MiB)", path)
	}
	return nil
}

// canOpenBrowser decides between the browser and the device code for
// --user-principal-name: a browser needs a desktop session (or $BROWSER),
// and someone must be at the terminal to finish either.
func canOpenBrowser(f *Factory) bool {
	if f.OpenURL != nil || f.Getenv("BROWSER") != "" {
		return true
	}
	switch runtime.GOOS {
	case "windows", "darwin":
		return true
	default:
		return f.Getenv("DISPLAY") != "" || f.Getenv("WAYLAND_DISPLAY") != ""
	}
}

// applyConnection makes a call without credential flags sign in the way the
// last `connect` did (auth.Connection): same tenant and account for users,
// which keeps a guest admin in the tenant they connected to; same app, and
// its certificate, for app-only. Flags and environment still win.
//
// The saved sign-in's tokens go only to the Graph endpoint it was made
// for: pointing --graph-endpoint (or HYBRIDMGMT_GRAPH_ENDPOINT) elsewhere
// needs a new `connect`. A record from before the endpoint was saved
// counts as made for the cloud's own Graph.
func (f *Factory) applyConnection(cfg *auth.Config, s *Settings) error {
	conn, ok, err := auth.LoadConnection(cfg.CacheDir)
	if err != nil {
		return err
	}
	if !ok || !strings.EqualFold(conn.AuthorityHost, s.AuthorityHost) {
		return nil
	}
	bound := conn.GraphEndpoint
	if bound == "" {
		bound = s.Cloud.GraphRoot
	}
	if !strings.EqualFold(bound, s.GraphRoot) {
		return exitcode.Authf("the saved sign-in is for Graph at %s, not %s; its tokens are not sent elsewhere: run `hybridmgmt connect` with this Graph endpoint to sign in for it", bound, s.GraphRoot)
	}
	if cfg.Tenant == "" {
		cfg.Tenant = conn.TenantID
	}
	if !conn.AppOnly {
		if cfg.Username == "" {
			cfg.Username = conn.Username
		}
		return nil
	}
	if s.ClientIDSet && !strings.EqualFold(s.ClientID, conn.ClientID) {
		return nil // another app was asked for: only its own flags can sign it in
	}
	cfg.ClientID = conn.ClientID
	switch {
	case conn.CertificatePath != "":
		cfg.Mode = auth.ModeClientCertificate
		cfg.CertificatePath = conn.CertificatePath
		cfg.CertificatePassword = f.Getenv("AZURE_CLIENT_CERTIFICATE_PASSWORD")
	default:
		cfg.Mode = auth.ModeCachedApp
	}
	f.verbosef("using the app-only connection of %s (client id %s)", conn.TenantID, conn.ClientID)
	return nil
}
