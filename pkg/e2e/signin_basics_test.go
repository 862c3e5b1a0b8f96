package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

// connect --status reads the cache only: account, tenant, cloud, how later
// commands sign in, token expiry; no request, even with a dead proxy and
// no way to prompt; exit 3 when nothing is cached.
func TestConnectStatus(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	r := w.run("", nil, "connect", "--status")
	assert.Equal(t, 3, r.code, r.stderr)
	assert.Contains(t, r.stderr, "not signed in")

	require.Equal(t, 0, w.run("", browserEnv(), "connect", "--user-principal-name", "admin@contoso.com").code)
	w.lab.ResetStats()
	r = w.run("", map[string]string{"HYBRIDMGMT_AUTHORITY_HOST": "https://127.0.0.1:9"}, "connect", "--status", "-o", "json", "--proxy", "http://127.0.0.1:9")
	require.Equal(t, 0, r.code, r.stderr)
	var st []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &st))
	require.Len(t, st, 1)
	assert.Equal(t, "admin@contoso.com", st[0]["account"])
	assert.Equal(t, labtenant.TenantID, st[0]["tenantId"])
	assert.Equal(t, "Global", st[0]["cloud"])
	assert.Equal(t, true, st[0]["refreshable"])
	assert.NotEqual(t, "0001-01-01T00:00:00Z", st[0]["tokenExpires"])
	assert.Zero(t, w.lab.CountTokenRequests())
	assert.Zero(t, w.lab.CountRequests("/"), "--status touches no network")

	r = w.run("", nil, "connect", "--status")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "admin@contoso.com")
	assert.Contains(t, r.stdout, "refresh token")
}

// connect --force signs in again although the cache could serve.
func TestConnectForce(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	require.Equal(t, 0, w.run("", browserEnv(), "connect", "--user-principal-name", "admin@contoso.com").code)
	w.lab.ResetStats()
	require.Equal(t, 0, w.run("", browserEnv(), "connect", "--user-principal-name", "admin@contoso.com").code)
	assert.Zero(t, w.lab.CountTokenRequests(), "without --force the cache serves")
	r := w.run("", browserEnv(), "connect", "--user-principal-name", "admin@contoso.com", "--force")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Positive(t, w.lab.CountTokenRequests(), "--force signs in again")
}

// A $BROWSER that fails falls back to the device code instead of failing.
func TestBrowserFailureFallsBackToDeviceCode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses /bin/false")
	}
	w := newWorld(t, labtenant.Settings{})
	r := w.run("", map[string]string{"BROWSER": "/bin/false", "DISPLAY": ":0"}, "connect", "--user-principal-name", "admin@contoso.com", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "The browser could not be opened ($BROWSER command /bin/false: exited with exit status 1); signing in with a device code instead.")
	assert.Contains(t, r.stderr, "/devicelogin")
	assert.Contains(t, r.stdout, `"username": "admin@contoso.com"`)
}

// App-only connect names the app and its credential, not a user.
func TestAppOnlyConnectShowsClientID(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	r := w.run(w.creds.ClientSecret+"\n", map[string]string{"AZURE_CLIENT_ID": labtenant.CIClientID}, "connect", "--client-secret-stdin")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "CLIENT ID")
	assert.Contains(t, r.stdout, "secret")
	assert.NotContains(t, r.stdout, "USERNAME")
	assert.NotContains(t, r.stdout, w.creds.ClientSecret)

	r = w.run("", map[string]string{"AZURE_CLIENT_ID": labtenant.CIClientID}, "connect", "--certificate", w.creds.ClientCertFile, "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `"credential": "certificate [0-9A-F]{40}"`, r.stdout)
	assert.Contains(t, r.stdout, `"clientId": "`+labtenant.CIClientID+`"`)

	r = w.run("", nil, "connect", "--status")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, labtenant.CIClientID)
	assert.Contains(t, r.stdout, "app-only, certificate")
}

// The browser signed in another account than --user-principal-name asked
// for: connect says so.
func TestOtherAccountSignedInIsWarned(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script as the browser")
	}
	w := newWorld(t, labtenant.Settings{})
	script := filepath.Join(w.home, "browser.sh")
	// A browser where admin@ is already signed in: the hint is ignored.
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\nexec "+bin("hybridlab")+" browse \"$(printf '%s' \"$1\" | sed 's/login_hint=reader/login_hint=admin/')\"\n"), 0o700))
	r := w.run("", map[string]string{"BROWSER": script}, "connect", "--user-principal-name", "reader@contoso.com", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"username": "admin@contoso.com"`)
	assert.Contains(t, r.stderr, "warning: signed in as admin@contoso.com, not reader@contoso.com as requested")
}
