package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

func TestInteractiveSignInThenSilentFromCache(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	r := w.run("", browserEnv(), "connect", "--user-principal-name", "admin@contoso.com", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var accts []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &accts))
	require.Len(t, accts, 1)
	assert.Equal(t, "admin@contoso.com", accts[0]["username"])
	assert.Equal(t, labtenant.TenantID, accts[0]["tenantId"])
	assert.Equal(t, "Global", accts[0]["cloud"])
	assert.Equal(t, w.lab.URL()+"/"+labtenant.TenantID, accts[0]["authority"])

	w.lab.ResetStats()
	r = w.run("", nil, "get-hybridagent", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var agents []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &agents))
	require.Len(t, agents, 3)
	names := []string{}
	for _, a := range agents {
		names = append(names, a["machineName"].(string))
		for _, k := range []string{"id", "machineName", "externalIp", "status", "version", "connectorGroupId", "connectorGroupName"} {
			assert.Contains(t, a, k)
		}
	}
	assert.Contains(t, names, "EXCH-AGENT01.contoso.local")
	assert.Zero(t, w.lab.CountTokenRequests(), "a warm cache must make no token request")
	// The lab pages connector groups one per page: both pages were followed.
	assert.GreaterOrEqual(t, w.lab.CountRequests("/beta/onPremisesPublishingProfiles"), 2)
}

func TestDeviceCodeSignIn(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	r := w.run("", nil, "connect", "--device-code", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "/devicelogin", "the device code instructions go to stderr")
	assert.Contains(t, r.stdout, `"username": "admin@contoso.com"`)
	assert.NotContains(t, r.stdout, "devicelogin", "stdout carries only the result")
}

func TestPasswordSignInCacheServesUPN(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	// Windows PowerShell 5.1 pipes a BOM and CRLF; both must be stripped.
	r := w.run("\ufeff"+w.creds.AdminPassword+"\r\n", nil, "get-hybridapplication", "--username", "admin@contoso.com", "--password-stdin", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, labtenant.HybridAppID)

	w.lab.ResetStats()
	r = w.run("", nil, "get-hybridagent", "--user-principal-name", "Admin@Contoso.com", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Zero(t, w.lab.CountTokenRequests(), "the ROPC sign-in's cache must serve --user-principal-name")
}

func TestWrongPasswordAndMFAAreExit3(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	r := w.run("not-the-password\n", nil, "get-hybridagent", "--username", "admin@contoso.com", "--password-stdin")
	assert.Equal(t, 3, r.code)
	assert.Contains(t, r.stderr, "AADSTS50126")
	assert.NotContains(t, r.stderr, "not-the-password")

	r = w.run(w.creds.MFAPassword+"\n", nil, "get-hybridagent", "--username", "mfa@contoso.com", "--password-stdin")
	assert.Equal(t, 3, r.code)
	assert.Contains(t, r.stderr, "AADSTS50076")
	assert.Contains(t, r.stderr, "--user-principal-name")
}

func TestAppOnlyModes(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	modes := []struct {
		name  string
		stdin string
		env   map[string]string
		args  []string
	}{
		{"secret from env", "", w.appEnv(), nil},
		{"secret on stdin", w.creds.ClientSecret + "\n", map[string]string{"AZURE_CLIENT_ID": labtenant.CIClientID}, []string{"--client-secret-stdin"}},
		{"certificate", "", map[string]string{"AZURE_CLIENT_ID": labtenant.CIClientID}, []string{"--certificate", w.creds.ClientCertFile}},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			r := w.run(m.stdin, m.env, append([]string{"get-hybridapplication", "-o", "json"}, m.args...)...)
			require.Equal(t, 0, r.code, r.stderr)
			assert.Contains(t, r.stdout, labtenant.HybridAppID)
			assert.NotContains(t, r.stdout, labtenant.IntranetAppID, "only hybrid routes are listed")

			w.lab.ResetStats()
			r = w.run(m.stdin, m.env, append([]string{"get-hybridagent"}, m.args...)...)
			assert.Equal(t, 3, r.code)
			assert.Contains(t, r.stderr, "delegated-only")
			assert.Zero(t, w.lab.CountRequests("/beta"), "no Graph request for a call Graph would refuse")
		})
	}
}

func TestReaderWithoutRoleIsExit3(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	r := w.run(w.creds.ReaderPassword+"\n", nil, "get-hybridagent", "--username", "reader@contoso.com", "--password-stdin")
	assert.Equal(t, 3, r.code)
	assert.Contains(t, r.stderr, "Authorization_RequestDenied")
	assert.Contains(t, r.stderr, "Application Administrator")
	assert.Contains(t, r.stderr, "request-id")
	assert.Empty(t, r.stdout)
}

func TestNotSignedInIsExit3(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	r := w.run("", nil, "get-hybridagent")
	assert.Equal(t, 3, r.code)
	assert.Contains(t, r.stderr, "not signed in")
	assert.Zero(t, w.lab.CountTokenRequests())
}

func TestDisconnectRemovesCache(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	require.Equal(t, 0, w.run("", browserEnv(), "connect", "--user-principal-name", "admin@contoso.com").code)
	r := w.run("", nil, "disconnect", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "[]\n", r.stdout)
	assert.Equal(t, 3, w.run("", nil, "get-hybridagent").code)
	entries, _ := os.ReadDir(filepath.Join(w.home, "cache"))
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), "msal_token_cache.json") && !strings.HasSuffix(e.Name(), "lockfile"), "cache file left: %s", e.Name())
	}
}

// connect with app-only credentials: later commands without flags reuse the
// app (certificate path recorded; a secret only until the app token expires).
func TestAppOnlyConnectServesLaterCalls(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	r := w.run("", map[string]string{"AZURE_CLIENT_ID": labtenant.CIClientID}, "connect", "--certificate", w.creds.ClientCertFile, "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"appOnly": true`)
	r = w.run("", nil, "get-hybridapplication", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, labtenant.HybridAppID)
	assert.Equal(t, 3, w.run("", nil, "get-hybridagent").code, "still app-only: agents need a user")

	w2 := newWorld(t, labtenant.Settings{})
	r = w2.run(w2.creds.ClientSecret+"\n", map[string]string{"AZURE_CLIENT_ID": labtenant.CIClientID}, "connect", "--client-secret-stdin")
	require.Equal(t, 0, r.code, r.stderr)
	w2.lab.ResetStats()
	r = w2.run("", nil, "get-hybridapplication", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Zero(t, w2.lab.CountTokenRequests(), "the cached app token serves the call")
	raw, err := os.ReadFile(filepath.Join(w2.home, "cache", "connection.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(raw), w2.creds.ClientSecret)
}

func TestExpiredAppTokenAsksForTheSecret(t *testing.T) {
	// Tokens that expire within MSAL's 5-minute margin are never served from the cache.
	w := newWorld(t, labtenant.Settings{TokenLifetime: labtenant.Duration(time.Minute)})
	r := w.run(w.creds.ClientSecret+"\n", map[string]string{"AZURE_CLIENT_ID": labtenant.CIClientID}, "connect", "--client-secret-stdin")
	require.Equal(t, 0, r.code, r.stderr)
	r = w.run("", nil, "get-hybridapplication")
	assert.Equal(t, 3, r.code)
	assert.Contains(t, r.stderr, "client secret")
}
