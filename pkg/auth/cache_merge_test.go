package auth

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newMergingStorage is the storage MSAL's cache writes through, on a file
// in a fresh directory.
func newMergingStorage(t *testing.T) (*mergingStorage, *logBuf) {
	t.Helper()
	p := CachePath(t.TempDir())
	a, err := newAccessor(p)
	require.NoError(t, err)
	log := &logBuf{}
	return &mergingStorage{inner: a, path: p, logf: log.logf}, log
}

func sections(t *testing.T, path string) map[string]map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var out map[string]map[string]any
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

// Two processes signed in at once: the one that saves second keeps the
// tokens the other saved meanwhile, whatever the timing of the real run.
func TestCacheWriteKeepsAnotherProcesssTokens(t *testing.T) {
	ctx := context.Background()
	m, _ := newMergingStorage(t)
	require.NoError(t, os.WriteFile(m.path, []byte(`{"AccessToken":{"user":{"secret":"u1"}}}`), 0o600))
	_, err := m.Read(ctx)
	require.NoError(t, err)
	// Another process saves an app token after our read.
	require.NoError(t, os.WriteFile(m.path, []byte(`{"AccessToken":{"user":{"secret":"u1"},"app":{"secret":"a1"}}}`), 0o600))
	require.NoError(t, m.Write(ctx, []byte(`{"AccessToken":{"user":{"secret":"u2"}}}`)))
	assert.Equal(t, map[string]any{"user": map[string]any{"secret": "u2"}, "app": map[string]any{"secret": "a1"}}, sections(t, m.path)["AccessToken"])
}

// A file MSAL could not load is replaced, not merged back in: its entries
// would make every later read fail again.
func TestCacheWriteReplacesARejectedFile(t *testing.T) {
	ctx := context.Background()
	m, _ := newMergingStorage(t)
	require.NoError(t, os.WriteFile(m.path, []byte(`{"AccessToken":{"bad":{"secret":5}}}`), 0o600))
	_, err := m.Read(ctx)
	require.NoError(t, err)
	m.reject()
	require.NoError(t, m.Write(ctx, []byte(`{"AccessToken":{"user":{"secret":"u"}}}`)))
	assert.Equal(t, map[string]any{"user": map[string]any{"secret": "u"}}, sections(t, m.path)["AccessToken"])

	// Once replaced, the file is merged again.
	require.NoError(t, os.WriteFile(m.path, []byte(`{"AccessToken":{"user":{"secret":"u"}},"RefreshToken":{"r":{"secret":"r"}}}`), 0o600))
	require.NoError(t, m.Write(ctx, []byte(`{"AccessToken":{"user":{"secret":"u3"}}}`)))
	assert.Contains(t, sections(t, m.path), "RefreshToken")
}

// A cache file of exactly the limit is read; one byte more is ignored.
func TestCacheFileSizeLimit(t *testing.T) {
	ctx := context.Background()
	m, log := newMergingStorage(t)
	head, tail := `{"Other":{"pad":"`, `"}}`
	exact := head + strings.Repeat("x", maxCacheFileBytes-len(head)-len(tail)) + tail
	require.Len(t, exact, maxCacheFileBytes)
	require.NoError(t, os.WriteFile(m.path, []byte(exact), 0o600))
	b, err := m.Read(ctx)
	require.NoError(t, err)
	assert.Len(t, b, maxCacheFileBytes)
	assert.Empty(t, log.String())

	require.NoError(t, os.WriteFile(m.path, []byte(exact+" "), 0o600))
	b, err = m.Read(ctx)
	require.NoError(t, err)
	assert.Equal(t, "{}", string(b))
	assert.Contains(t, log.String(), "larger than 16 MiB")

	// Saving more than the limit is refused; the limit itself is saved.
	err = m.Write(ctx, []byte(exact+" "))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "would exceed 16 MiB")
	require.NoError(t, m.Write(ctx, []byte(exact)))
	fi, err := os.Stat(filepath.Clean(m.path))
	require.NoError(t, err)
	assert.Equal(t, int64(maxCacheFileBytes), fi.Size())
}

// A save that fails says so (MSAL's cache then reports it, and the
// command warns that the next one may have to sign in again).
func TestCacheWriteFailureIsReported(t *testing.T) {
	ctx := context.Background()
	m, _ := newMergingStorage(t)
	require.NoError(t, os.MkdirAll(filepath.Join(m.path, "in-the-way"), 0o700))
	err := m.Write(ctx, []byte(`{"AccessToken":{"user":{"secret":"u"}}}`))
	require.Error(t, err)
	assert.Nil(t, m.base, "nothing was saved: no new ancestor")
	left, err := filepath.Glob(m.path + ".tmp-*")
	require.NoError(t, err)
	assert.Empty(t, left, "the temporary file is removed")
}

func TestFileAccessorDeleteReportsWhatItCannotRemove(t *testing.T) {
	dir := t.TempDir()
	a, err := newAccessor(filepath.Join(dir, "cache.json"))
	require.NoError(t, err)
	require.NoError(t, a.Delete(context.Background()), "nothing to delete")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "cache.json", "inside"), 0o700))
	assert.Error(t, a.Delete(context.Background()), "a folder with content where the cache goes")
}
