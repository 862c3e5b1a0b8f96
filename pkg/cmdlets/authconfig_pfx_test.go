package cmdlets

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/auth"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
)

// After `connect --certificate x.pfx`, a later call without flags signs in
// with the saved PFX and reads its password from stdin, where the
// PowerShell module's -CertificatePassword sends it (issue 12, defect 2);
// AZURE_CLIENT_CERTIFICATE_PASSWORD still wins.
func TestSavedPFXConnectionReadsItsPasswordFromStdin(t *testing.T) {
	const host = "https://login.example.test"
	for _, c := range []struct {
		name, stdin, env, want string
	}{
		{"stdin", "pfx-pw\n", "", "pfx-pw"},
		{"environment wins", "pfx-pw\n", "env-pw", "env-pw"},
		{"unprotected PFX: empty stdin", "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, auth.SaveConnection(dir, auth.Connection{
				AppOnly: true, TenantID: "contoso.onmicrosoft.com", ClientID: "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7",
				CertificatePath: "/certs/ci.pfx", Cloud: "Global", AuthorityHost: host,
			}))
			ios, in, _, _ := iostreams.Test()
			in.WriteString(c.stdin)
			f := &Factory{IO: ios, Getenv: func(k string) string {
				if k == "AZURE_CLIENT_CERTIFICATE_PASSWORD" {
					return c.env
				}
				return ""
			}, Global: &GlobalOptions{}}
			cfg := &auth.Config{Mode: auth.ModeCached, CacheDir: dir}
			f.applyConnection(cfg, &Settings{AuthorityHost: host})
			assert.Equal(t, auth.ModeClientCertificate, cfg.Mode)
			assert.Equal(t, "/certs/ci.pfx", cfg.CertificatePath)
			assert.Equal(t, c.want, cfg.CertificatePassword)
		})
	}
}
