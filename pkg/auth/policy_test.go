package auth

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// Every combination that decides the sign-in, in one table: the most
// security-sensitive decision of the product.
func TestDecide(t *testing.T) {
	const (
		app    = "0b7e4c1d-9a2f-4e6b-8c3d-5a1f2e9d7c60"
		other  = "11111111-2222-4333-8444-555555555555"
		def    = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
		tenant = "contoso.com"
		graph  = "https://graph.microsoft.com"
		login  = "https://login.microsoftonline.com"
	)
	base := func() PolicyInput {
		return PolicyInput{ClientID: def, AuthorityHost: login, GraphRoot: graph, CloudGraph: graph, CanOpenBrowser: true}
	}
	user := &Connection{Username: "admin@contoso.com", TenantID: "t-guest", ClientID: def, AuthorityHost: login}
	appConn := &Connection{AppOnly: true, TenantID: "t-1", ClientID: app, AuthorityHost: login}
	certConn := &Connection{AppOnly: true, TenantID: "t-1", ClientID: app, AuthorityHost: login, CertificatePath: "/etc/ci.pfx"}
	cases := []struct {
		name string
		in   func(*PolicyInput)
		want Plan
		err  int // expected exit code, 0 for none
	}{
		{"nothing: the cache", func(*PolicyInput) {}, Plan{Mode: ModeCached, ClientID: def}, 0},
		{"connect without flags: the browser", func(i *PolicyInput) { i.InteractiveDefault = true }, Plan{Mode: ModeInteractive, ClientID: def}, 0},
		{"connect without a browser: the device code", func(i *PolicyInput) { i.InteractiveDefault, i.CanOpenBrowser = true, false }, Plan{Mode: ModeDeviceCode, ClientID: def}, 0},
		{"--user-principal-name: the browser, tenant from the UPN", func(i *PolicyInput) { i.UPN, i.UPNDomain = "admin@contoso.com", tenant },
			Plan{Mode: ModeInteractive, Tenant: tenant, Username: "admin@contoso.com", ClientID: def}, 0},
		{"--user-principal-name without a browser", func(i *PolicyInput) { i.UPN, i.UPNDomain, i.CanOpenBrowser = "admin@contoso.com", tenant, false },
			Plan{Mode: ModeDeviceCode, Tenant: tenant, Username: "admin@contoso.com", ClientID: def}, 0},
		{"--tenant-id wins over the UPN's domain", func(i *PolicyInput) { i.UPN, i.UPNDomain, i.TenantID = "guest@fabrikam.com", "fabrikam.com", tenant },
			Plan{Mode: ModeInteractive, Tenant: tenant, Username: "guest@fabrikam.com", ClientID: def}, 0},
		{"--device-code", func(i *PolicyInput) { i.DeviceCode = true }, Plan{Mode: ModeDeviceCode, ClientID: def}, 0},
		{"ROPC", func(i *PolicyInput) { i.UPN, i.UPNDomain, i.PasswordStdin = "admin@contoso.com", tenant, true },
			Plan{Mode: ModeUsernamePassword, Tenant: tenant, Username: "admin@contoso.com", ClientID: def, Secret: SecretFromStdin, SecretWhat: "the password for --username"}, 0},
		{"ROPC from a terminal is refused", func(i *PolicyInput) { i.UPN, i.PasswordStdin, i.StdinIsTerminal = "admin@contoso.com", true, true }, Plan{}, exitcode.Usage},
		{"client secret on stdin", func(i *PolicyInput) {
			i.ClientSecretStdin, i.ClientID, i.ClientIDSet, i.TenantID = true, app, true, tenant
		},
			Plan{Mode: ModeClientSecret, Tenant: tenant, ClientID: app, Secret: SecretFromStdin, SecretWhat: "the client secret"}, 0},
		{"client secret in the environment", func(i *PolicyInput) {
			i.EnvClientSecret, i.ClientID, i.ClientIDSet, i.TenantID = true, app, true, tenant
		},
			Plan{Mode: ModeClientSecret, Tenant: tenant, ClientID: app, Secret: SecretFromEnv, SecretWhat: "the client secret"}, 0},
		{"a user flag beats AZURE_CLIENT_SECRET", func(i *PolicyInput) { i.EnvClientSecret, i.DeviceCode = true, true }, Plan{Mode: ModeDeviceCode, ClientID: def}, 0},
		{"--certificate beats AZURE_CLIENT_SECRET", func(i *PolicyInput) {
			i.EnvClientSecret, i.Certificate, i.ClientID, i.ClientIDSet, i.TenantID = true, "ci.pem", app, true, tenant
		}, Plan{Mode: ModeClientCertificate, Tenant: tenant, ClientID: app, CertificatePath: "ci.pem"}, 0},
		{"PFX password from the environment or stdin", func(i *PolicyInput) {
			i.EnvCertificatePath, i.ClientID, i.ClientIDSet, i.TenantID = "ci.PFX", app, true, tenant
		},
			Plan{Mode: ModeClientCertificate, Tenant: tenant, ClientID: app, CertificatePath: "ci.PFX", Secret: SecretFromEnvOrStdin, SecretWhat: "the PFX password"}, 0},
		{"app-only without a client id", func(i *PolicyInput) { i.ClientSecretStdin, i.TenantID = true, tenant }, Plan{}, exitcode.Usage},
		{"app-only without a tenant", func(i *PolicyInput) { i.ClientSecretStdin, i.ClientID, i.ClientIDSet = true, app, true }, Plan{}, exitcode.Usage},
		{"saved user connection: its tenant and account", func(i *PolicyInput) { i.Saved = user },
			Plan{Mode: ModeCached, Tenant: "t-guest", Username: "admin@contoso.com", ClientID: def}, 0},
		{"saved connection of another authority is ignored", func(i *PolicyInput) { i.Saved, i.AuthorityHost = user, "https://login.microsoftonline.us" },
			Plan{Mode: ModeCached, ClientID: def}, 0},
		{"saved connection, Graph pointed elsewhere", func(i *PolicyInput) { i.Saved, i.GraphRoot = user, "https://evil.example" }, Plan{}, exitcode.Auth},
		{"saved app-only connection", func(i *PolicyInput) { i.Saved = appConn },
			Plan{Mode: ModeCachedApp, Tenant: "t-1", ClientID: app, FromConnection: true}, 0},
		{"saved app-only, another app asked for", func(i *PolicyInput) { i.Saved, i.ClientID, i.ClientIDSet = appConn, other, true },
			Plan{Mode: ModeCached, Tenant: "t-1", ClientID: other}, 0},
		{"saved certificate connection: its PFX password", func(i *PolicyInput) { i.Saved = certConn },
			Plan{Mode: ModeClientCertificate, Tenant: "t-1", ClientID: app, CertificatePath: "/etc/ci.pfx", Secret: SecretFromEnvOrStdin, SecretWhat: "the PFX password", FromConnection: true}, 0},
		{"flags beat the saved connection", func(i *PolicyInput) { i.Saved, i.UPN, i.UPNDomain = appConn, "admin@contoso.com", tenant },
			Plan{Mode: ModeInteractive, Tenant: tenant, Username: "admin@contoso.com", ClientID: def}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.in(&in)
			got, err := Decide(in)
			if c.err != 0 {
				assert.Equal(t, c.err, exitcode.Of(err), "%v", err)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}
