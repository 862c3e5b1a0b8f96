package cmdlets

import (
	"fmt"
	"net/url"
	"os"
	"runtime"

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
		Browser:           f.Getenv("BROWSER"),
		Getenv:            f.Getenv,
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

	in := auth.PolicyInput{
		UPN: s.UPN, UPNDomain: s.UPNDomain, PasswordStdin: g.Username != "",
		ClientSecretStdin: g.ClientSecretStdin, Certificate: g.Certificate, DeviceCode: g.DeviceCode,
		TenantID: s.TenantID, ClientID: s.ClientID, ClientIDSet: s.ClientIDSet,
		EnvClientSecret:    f.Getenv("AZURE_CLIENT_SECRET") != "",
		EnvCertificatePath: f.Getenv("AZURE_CLIENT_CERTIFICATE_PATH"),
		EnvPFXPassword:     f.Getenv("AZURE_CLIENT_CERTIFICATE_PASSWORD") != "",
		CanOpenBrowser:     canOpenBrowser(f),
		StdinIsTerminal:    f.IO.IsStdinTTY(),
		InteractiveDefault: f.interactiveDefault,
		AuthorityHost:      s.AuthorityHost, GraphRoot: s.GraphRoot, CloudGraph: s.Cloud.GraphRoot,
	}
	if in.UsesSavedConnection() {
		conn, ok, err := auth.LoadConnection(cacheDir)
		if err != nil {
			return nil, err
		}
		if ok {
			in.Saved = &conn
		}
	}
	plan, err := auth.Decide(in)
	if err != nil {
		return nil, err
	}
	cfg.Mode, cfg.Tenant, cfg.Username, cfg.ClientID = plan.Mode, plan.Tenant, plan.Username, plan.ClientID
	if plan.FromConnection {
		f.verbosef("using the app-only connection of %s (client id %s)", plan.Tenant, plan.ClientID)
	}
	if plan.CertificatePath != "" {
		if err := checkCertificateFile(plan.CertificatePath); err != nil {
			return nil, err
		}
		cfg.CertificatePath = plan.CertificatePath
	}
	// Executing the plan: the one place a secret is read.
	var secret string
	switch plan.Secret {
	case auth.SecretFromStdin:
		if secret, err = secretinput.ReadLine(f.IO.In, plan.SecretWhat); err != nil {
			return nil, err
		}
	case auth.SecretFromEnv:
		secret = f.Getenv("AZURE_CLIENT_SECRET")
	case auth.SecretFromEnvOrStdin:
		// The PowerShell module sends -CertificatePassword on stdin, also
		// for a saved certificate connection; an unprotected PFX is legal,
		// so an empty stdin means no password.
		if secret = f.Getenv("AZURE_CLIENT_CERTIFICATE_PASSWORD"); secret == "" && !f.IO.IsStdinTTY() {
			secret, _ = secretinput.ReadLine(f.IO.In, plan.SecretWhat)
		}
	}
	switch plan.Mode {
	case auth.ModeUsernamePassword:
		cfg.Password = secret
		// R11: security defaults and most Conditional Access baselines
		// require MFA for the roles this tool needs, which ROPC cannot do.
		fmt.Fprintln(f.IO.ErrOut, "warning: --username with --password-stdin (ROPC) is deprecated and fails wherever MFA is enforced, which security defaults do for Application and Global Administrators; for CI use certificate app-only sign-in (--client-id, --tenant-id, --certificate)")
	case auth.ModeClientSecret:
		cfg.ClientSecret = secret
	case auth.ModeClientCertificate:
		cfg.CertificatePassword = secret
	}
	if s.Cloud.OwnClientAdvised && !s.ClientIDSet && cfg.ClientID == DefaultClientID {
		// R12: Microsoft's own China App Proxy sample passes its own client.
		fmt.Fprintln(f.IO.ErrOut, "warning: the default client (Microsoft Graph Command Line Tools) may not exist in the China cloud; if sign-in fails with AADSTS700016, register an app there and pass --client-id")
	}
	cfg.Scopes = delegatedScopes
	if cfg.Mode.AppOnly() {
		cfg.Scopes = appScopes
	}
	return cfg, nil
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
