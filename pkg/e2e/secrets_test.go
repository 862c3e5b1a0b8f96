package e2e

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

// cachedSecrets returns every token MSAL cached: the values that must never
// show up anywhere else.
func cachedSecrets(t *testing.T, cacheFile string) []string {
	raw, err := os.ReadFile(cacheFile)
	require.NoError(t, err)
	var doc map[string]map[string]map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	var out []string
	for _, section := range []string{"AccessToken", "RefreshToken", "IdToken"} {
		for _, entry := range doc[section] {
			if s, ok := entry["secret"].(string); ok && len(s) > 8 {
				out = append(out, s)
			}
		}
	}
	return out
}

func TestSecretsStayOutOfOutputLogsAndFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the Windows cache is DPAPI-encrypted; this test reads the plain file")
	}
	w := newWorld(t, labtenant.Settings{})
	appID := map[string]string{"AZURE_CLIENT_ID": labtenant.CIClientID}
	runs := []struct {
		name  string
		stdin string
		env   map[string]string
		args  []string
	}{
		{"interactive", "", browserEnv(), []string{"connect", "--user-principal-name", "admin@contoso.com"}},
		{"device code", "", nil, []string{"connect", "--device-code"}},
		{"password", w.creds.AdminPassword + "\n", nil, []string{"get-hybridagent", "--username", "admin@contoso.com", "--password-stdin"}},
		{"wrong password", w.creds.AdminPassword + "x\n", nil, []string{"get-hybridagent", "--username", "admin@contoso.com", "--password-stdin"}},
		{"silent", "", nil, []string{"get-hybridapplication", "--user-principal-name", "admin@contoso.com"}},
		{"secret stdin", w.creds.ClientSecret + "\n", appID, []string{"get-hybridapplication", "--client-secret-stdin"}},
		{"secret env", "", w.appEnv(), []string{"get-hybridapplication"}},
		{"certificate", "", appID, []string{"get-hybridapplication", "--certificate", w.creds.ClientCertFile}},
	}
	cacheDir := filepath.Join(w.home, "cache")
	cacheFile := filepath.Join(cacheDir, "msal_token_cache.json")
	var transcript strings.Builder
	for _, r := range runs {
		args := append(append([]string{}, r.args...), "--verbose", "-o", "json")
		res := w.run(r.stdin, r.env, args...)
		// Stat the cache as the run that may have written it left it,
		// before the next run reads it: the read path tightens a loose
		// file, which would hide a write path that created it loose.
		if st, err := os.Stat(cacheFile); err == nil {
			assert.Equal(t, fs.FileMode(0o600), st.Mode().Perm(), "%s: the token cache it wrote must be owner-only", r.name)
		} else {
			assert.ErrorIs(t, err, fs.ErrNotExist)
		}
		if r.name != "wrong password" {
			require.Equal(t, 0, res.code, "%s: %s", r.name, res.stderr)
		}
		assert.Contains(t, res.stderr, "verbose:", "%s: --verbose must produce diagnostics", r.name)
		transcript.WriteString(res.stdout)
		transcript.WriteString(res.stderr)
		// Secrets only ever travel on stdin or in the environment.
		for _, a := range args {
			assert.NotContains(t, a, w.creds.AdminPassword)
			assert.NotContains(t, a, w.creds.ClientSecret)
		}
	}

	tokens := cachedSecrets(t, cacheFile)
	require.NotEmpty(t, tokens, "the runs must have cached tokens")
	secrets := append([]string{w.creds.AdminPassword, w.creds.ClientSecret}, tokens...)
	out := transcript.String()
	for _, s := range secrets {
		assert.NotContains(t, out, s, "a secret or token reached stdout/stderr")
	}
	keyPEM := string(w.creds.ClientCertPEM)
	if i := strings.Index(keyPEM, "-----BEGIN PRIVATE KEY-----"); i >= 0 {
		assert.NotContains(t, out, strings.Split(keyPEM[i:], "\n")[1], "private key material reached output")
	}

	// Tokens live only in the cache file; passwords and secrets nowhere.
	err := filepath.WalkDir(w.home, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range []string{w.creds.AdminPassword, w.creds.ClientSecret} {
			assert.NotContains(t, string(data), s, "%s holds a password or secret", path)
		}
		if path != cacheFile {
			for _, tok := range tokens {
				assert.NotContains(t, string(data), tok, "%s holds a token", path)
			}
		}
		return nil
	})
	require.NoError(t, err)

	dst, err := os.Stat(cacheDir)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o700), dst.Mode().Perm(), "cache directory must be owner-only")
}
