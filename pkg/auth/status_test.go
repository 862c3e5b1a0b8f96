package auth

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// userConnection is what connect records for testUser against e's lab.
func (e *env) userConnection() Connection {
	return Connection{Username: testUser, TenantID: testTenantID, ClientID: testClientID, Cloud: "Global", AuthorityHost: e.lab.URL()}
}

func TestCachedStatusOfAUser(t *testing.T) {
	e := newEnv(t)
	e.mustToken(e.config(ModeUsernamePassword))
	require.NoError(t, SaveConnection(e.dir, e.userConnection()))

	st, ok, err := CachedStatus(context.Background(), e.dir)
	require.NoError(t, err)
	require.True(t, ok)
	assert.WithinDuration(t, time.Now().Add(time.Hour), st.TokenExpires, 2*time.Minute, "the lab's one-hour token")
	st.TokenExpires = time.Time{}
	assert.Equal(t, Status{Account: testUser, TenantID: testTenantID, Cloud: "Global", ClientID: testClientID,
		SignIn: "user, from the cache (renewed with the refresh token, no prompt)", Refreshable: true}, st)
	assert.Equal(t, 1, e.count("token"), "status never signs in")

	// A record for another authority host matches no cached account: the
	// record's account is shown, with nothing to renew it.
	other := e.userConnection()
	other.AuthorityHost = "https://login.microsoftonline.com"
	require.NoError(t, SaveConnection(e.dir, other))
	st, ok, err = CachedStatus(context.Background(), e.dir)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, Status{Account: testUser, TenantID: testTenantID, Cloud: "Global", ClientID: testClientID, SignIn: "user, from the cache"}, st)

	// Without a record: the cached account, its tenant the realm MSAL
	// cached it under (the authority's tenant segment).
	require.NoError(t, os.Remove(ConnectionPath(e.dir)))
	st, ok, err = CachedStatus(context.Background(), e.dir)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, testUser, st.Account)
	assert.Equal(t, testTenantDomain, st.TenantID)
	assert.True(t, st.Refreshable)
	assert.False(t, st.TokenExpires.IsZero())
}

func TestCachedStatusPicksTheRecordedUser(t *testing.T) {
	e := newEnv(t)
	e.mustToken(e.config(ModeUsernamePassword))
	cfg := e.config(ModeUsernamePassword)
	cfg.Username, cfg.Password = testUser2, labSeed.creds.Password(testUser2)
	e.mustToken(cfg)
	for _, upn := range []string{testUser, testUser2, strings.ToUpper(testUser2)} {
		conn := e.userConnection()
		conn.Username = upn
		require.NoError(t, SaveConnection(e.dir, conn))
		st, ok, err := CachedStatus(context.Background(), e.dir)
		require.NoError(t, err)
		require.True(t, ok)
		assert.True(t, strings.EqualFold(upn, st.Account), "%s: %s", upn, st.Account)
		assert.True(t, st.Refreshable)
	}
	// A recorded user the cache does not hold: shown, not renewable, no token.
	conn := e.userConnection()
	conn.Username = "gone@contoso.com"
	require.NoError(t, SaveConnection(e.dir, conn))
	st, ok, err := CachedStatus(context.Background(), e.dir)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "gone@contoso.com", st.Account)
	assert.False(t, st.Refreshable)
	assert.True(t, st.TokenExpires.IsZero())
}

func TestCachedStatusOfAnApp(t *testing.T) {
	e := newEnv(t)
	e.mustToken(e.config(ModeClientSecret))
	// A user's token in the same cache is not the app's.
	e.mustToken(e.config(ModeUsernamePassword))
	conn := Connection{AppOnly: true, TenantID: testTenantID, ClientID: testAppClientID, Cloud: "Global", AuthorityHost: e.lab.URL()}
	require.NoError(t, SaveConnection(e.dir, conn))
	st, ok, err := CachedStatus(context.Background(), e.dir)
	require.NoError(t, err)
	require.True(t, ok)
	assert.WithinDuration(t, time.Now().Add(time.Hour), st.TokenExpires, 2*time.Minute)
	st.TokenExpires = time.Time{}
	assert.Equal(t, Status{Account: testAppClientID, TenantID: testTenantID, Cloud: "Global", ClientID: testAppClientID,
		SignIn: "app-only, client secret (needed again when the token expires)", AppOnly: true}, st)

	conn.CertificatePath = "/etc/hybridmgmt/ci.pem"
	conn.ClientID = "11111111-2222-3333-4444-555555555555" // no token cached for it
	require.NoError(t, SaveConnection(e.dir, conn))
	st, ok, err = CachedStatus(context.Background(), e.dir)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "app-only, certificate /etc/hybridmgmt/ci.pem", st.SignIn)
	assert.True(t, st.TokenExpires.IsZero(), "another app's token is not this one's")
}

func TestCachedStatusWithoutASignIn(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "never-created")
	_, ok, err := CachedStatus(context.Background(), dir)
	require.NoError(t, err)
	assert.False(t, ok)

	require.NoError(t, os.MkdirAll(dir, 0o700))
	_, ok, err = CachedStatus(context.Background(), dir)
	require.NoError(t, err)
	assert.False(t, ok, "an empty folder")

	require.NoError(t, os.WriteFile(CachePath(dir), []byte("{damaged"), 0o600))
	_, ok, err = CachedStatus(context.Background(), dir)
	require.NoError(t, err)
	assert.False(t, ok, "a damaged cache reads as empty")
}

func TestUnixTime(t *testing.T) {
	assert.Equal(t, time.Unix(1700000000, 0), unixTime(json.RawMessage(`"1700000000"`)))
	assert.Equal(t, time.Unix(1700000000, 0), unixTime(json.RawMessage(`1700000000`)))
	assert.Equal(t, time.Unix(1, 0), unixTime(json.RawMessage(`"1"`)))
	for _, bad := range []string{`"0"`, `"-5"`, `"soon"`, ``, `null`} {
		assert.True(t, unixTime(json.RawMessage(bad)).IsZero(), bad)
	}
}

func TestConnectionRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "cache")
	want := Connection{AppOnly: true, TenantID: testTenantID, ClientID: testAppClientID, CertificatePath: "/ci.pfx", Cloud: "USGov",
		AuthorityHost: "https://login.microsoftonline.us", GraphEndpoint: "https://graph.microsoft.us"}
	require.NoError(t, SaveConnection(dir, want))
	fi, err := os.Stat(ConnectionPath(dir))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	got, ok, err := LoadConnection(dir)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, want, got)
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "no temporary file is left")

	require.NoError(t, SaveConnection("", want), "no cache directory: nothing to save")
	_, ok, err = LoadConnection("")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestLoadConnectionTreatsDamageAsAbsent(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"not JSON":        "{",
		"no client id":    `{"tenantId":"t"}`,
		"over 64 KiB":     `{"clientId":"c","cloud":"` + strings.Repeat("x", 64<<10) + `"}`,
		"exactly fits":    "",
		"wrong json type": `["clientId"]`,
	} {
		if name == "exactly fits" {
			// A record of exactly the limit is read.
			rec := `{"clientId":"c","cloud":"`
			content = rec + strings.Repeat("x", maxConnectionFileBytes-len(rec)-2) + `"}`
			require.Len(t, content, maxConnectionFileBytes)
		}
		require.NoError(t, os.WriteFile(ConnectionPath(dir), []byte(content), 0o600))
		c, ok, err := LoadConnection(dir)
		require.NoError(t, err, name)
		assert.Equal(t, name == "exactly fits", ok, name)
		if ok {
			assert.Equal(t, "c", c.ClientID)
		}
	}
}

func TestClearCacheRemovesEverythingAndReportsWhatItCannot(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{CachePath(dir), lockPath(dir), ConnectionPath(dir), CachePath(dir) + ".tmp-123"} {
		require.NoError(t, os.WriteFile(f, []byte("x"), 0o600))
	}
	require.NoError(t, ClearCache(dir))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)

	// Something that cannot be removed (a folder with content where the
	// cache or the record goes) is reported, naming it.
	for _, p := range []string{CachePath(dir), ConnectionPath(dir)} {
		require.NoError(t, os.MkdirAll(filepath.Join(p, "inside"), 0o700))
		err := ClearCache(dir)
		require.Error(t, err, p)
		assert.Contains(t, err.Error(), "removing the token cache")
		assert.Contains(t, err.Error(), p)
		require.NoError(t, os.RemoveAll(p))
	}
}
