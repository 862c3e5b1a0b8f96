//go:build unix

package e2e

import (
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

// The real binary against a hostile file system and a Graph endpoint
// swapped after sign-in (issue 10).

func TestWritableCacheFolderIsRefusedAndLeftAsItWas(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	dir := w.env["HYBRIDMGMT_CACHE_DIR"]
	require.NoError(t, os.MkdirAll(dir, 0o700))
	require.NoError(t, os.Chmod(dir, os.ModeSticky|0o777)) // like /tmp
	r := w.run(w.creds.AdminPassword+"\n", nil, "get-hybridagent", "--username", "admin@contoso.com", "--password-stdin")
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Contains(t, errorLine(t, r.stderr), "writable by group or others")
	assert.NotContains(t, r.stderr, w.creds.AdminPassword)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.ModeDir|os.ModeSticky|0o777, fi.Mode(), "mode and sticky bit kept")
	assert.Zero(t, w.lab.CountTokenRequests(), "refused before any network call")
}

func TestSavedSignInIsNotSentToAnotherGraphEndpoint(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	r := w.run(w.creds.AdminPassword+"\n", nil, "connect", "--username", "admin@contoso.com", "--password-stdin")
	require.Equal(t, 0, r.code, r.stderr)

	var hits atomic.Int32
	other := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = rw.Write([]byte(`{"value":[]}`))
	}))
	defer other.Close()
	// Trusted like the lab, so that only the CLI's own rule can keep the
	// token from it.
	labCA, err := os.ReadFile(w.lab.CAPath())
	require.NoError(t, err)
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(bundle, append(labCA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.Certificate().Raw})...), 0o600))
	r = w.run("", map[string]string{"HYBRIDMGMT_GRAPH_ENDPOINT": other.URL, "SSL_CERT_FILE": bundle}, "get-hybridagent")
	assert.Equal(t, 3, r.code, r.stderr)
	assert.Contains(t, r.stderr, "the saved sign-in is for Graph at "+w.lab.URL())
	assert.Zero(t, hits.Load(), "the token went to the other Graph endpoint")
}

func TestForeignCacheIsReplacedBySignIn(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	dir := w.env["HYBRIDMGMT_CACHE_DIR"]
	require.NoError(t, os.MkdirAll(dir, 0o700))
	cache := filepath.Join(dir, "msal_token_cache.json")
	require.NoError(t, os.WriteFile(cache, []byte(`{"AccessToken":5}`), 0o600))
	r := w.run(w.creds.AdminPassword+"\n", nil, "get-hybridagent", "--username", "admin@contoso.com", "--password-stdin", "-o", "json", "--verbose")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "not an MSAL token cache")
	raw, err := os.ReadFile(cache)
	require.NoError(t, err)
	var sections map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &sections))
	assert.Contains(t, sections, "AccessToken", "rewritten as an MSAL cache")
}
