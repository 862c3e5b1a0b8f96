package cmdlets

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
)

func authConfigFor(t *testing.T, env map[string]string, stdin string, global GlobalOptions) (*Factory, string) {
	t.Helper()
	ios, in, _, errOut := iostreams.Test()
	in.WriteString(stdin)
	f := NewFactory("1.2.3")
	f.IO = ios
	if env == nil {
		env = map[string]string{}
	}
	env["HYBRIDMGMT_CACHE_DIR"] = t.TempDir()
	f.Getenv = func(k string) string { return env[k] }
	f.System = nil
	*f.Global = global
	if f.Global.Output == "" {
		f.Global.Output = "table"
	}
	_, err := f.AuthConfig()
	require.NoError(t, err)
	return f, errOut.String()
}

// R1: one token request carries both delegated permissions.
func TestDelegatedSignInAsksForBothScopes(t *testing.T) {
	f, _ := authConfigFor(t, nil, "", GlobalOptions{UserPrincipalName: "admin@contoso.com"})
	cfg, _ := f.AuthConfig()
	assert.Equal(t, []string{"https://graph.microsoft.com/Directory.ReadWrite.All", "https://graph.microsoft.com/Application.ReadWrite.All"}, cfg.Scopes)

	f, _ = authConfigFor(t, nil, "", GlobalOptions{UserPrincipalName: "admin@contoso.us", Cloud: "USGov"})
	cfg, _ = f.AuthConfig()
	assert.Equal(t, []string{"https://graph.microsoft.us/Directory.ReadWrite.All", "https://graph.microsoft.us/Application.ReadWrite.All"}, cfg.Scopes,
		"on the cloud's Graph resource")
}

// R11: ROPC warns once, before the attempt, and points CI elsewhere.
func TestROPCWarnsItIsDeprecatedAndMFAIncompatible(t *testing.T) {
	_, stderr := authConfigFor(t, nil, "s3cret\n", GlobalOptions{Username: "admin@contoso.com", PasswordStdin: true})
	assert.Contains(t, stderr, "deprecated")
	assert.Contains(t, stderr, "MFA")
	assert.Contains(t, stderr, "--certificate")
	assert.NotContains(t, stderr, "s3cret")
	_, stderr = authConfigFor(t, nil, "", GlobalOptions{UserPrincipalName: "admin@contoso.com"})
	assert.Empty(t, stderr)
}

// R12: China signs in at the partner host, and warns about the default
// client.
func TestChinaAuthorityAndClientWarning(t *testing.T) {
	c, err := cloud.Lookup("China")
	require.NoError(t, err)
	assert.Equal(t, "https://login.partner.microsoftonline.cn", c.AuthorityHost)
	assert.True(t, cloud.IsMicrosoftLoginHost("login.chinacloudapi.cn"), "the legacy host is still Microsoft's")

	f, stderr := authConfigFor(t, nil, "", GlobalOptions{UserPrincipalName: "admin@contoso.cn", Cloud: "China"})
	cfg, _ := f.AuthConfig()
	assert.Equal(t, "https://login.partner.microsoftonline.cn", cfg.AuthorityHost)
	assert.Contains(t, stderr, "--client-id")
	_, stderr = authConfigFor(t, nil, "", GlobalOptions{UserPrincipalName: "admin@contoso.cn", Cloud: "China", ClientID: "0b7e4c1d-9a2f-4e6b-8c3d-5a1f2e9d7c60"})
	assert.Empty(t, stderr)
}
