//go:build unix

package auth

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// A hostile file system: links, FIFOs and folders others can write,
// planted where the cache, its lock file and the connection record go.

// within fails the test when f does not return in time: a FIFO opened for
// reading blocks until a writer comes, beyond Ctrl-C.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("blocked for more than %s", d)
	}
}

func TestPlantedFilesInTheCacheFolderAreRefused(t *testing.T) {
	victim := filepath.Join(t.TempDir(), "victim.txt")
	for _, tc := range []struct {
		name  string
		plant func(dir string) error
	}{
		{"symlink as lock file", func(dir string) error { return os.Symlink(victim, lockPath(dir)) }},
		{"symlink as cache file", func(dir string) error { return os.Symlink(victim, CachePath(dir)) }},
		{"symlink as connection file", func(dir string) error { return os.Symlink(victim, ConnectionPath(dir)) }},
		{"FIFO as cache file", func(dir string) error { return syscall.Mkfifo(CachePath(dir), 0o600) }},
		{"FIFO as lock file", func(dir string) error { return syscall.Mkfifo(lockPath(dir), 0o600) }},
		{"FIFO as connection file", func(dir string) error { return syscall.Mkfifo(ConnectionPath(dir), 0o600) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(victim, []byte("precious"), 0o644))
			e := newEnv(t)
			require.NoError(t, os.MkdirAll(e.dir, 0o700))
			require.NoError(t, tc.plant(e.dir))
			within(t, 5*time.Second, func() {
				_, err := e.token(e.config(ModeUsernamePassword))
				requireKind(t, err, exitcode.ErrUsage)
				kind := "a FIFO"
				if strings.HasPrefix(tc.name, "symlink") {
					kind = "a symbolic link"
				}
				assert.Contains(t, err.Error(), " is "+kind+"; refusing", "the message says what is there")
				_, _, err = LoadConnection(e.dir)
				if tc.name == "FIFO as connection file" || tc.name == "symlink as connection file" {
					requireKind(t, err, exitcode.ErrUsage)
				}
			})
			b, err := os.ReadFile(victim)
			require.NoError(t, err)
			assert.Equal(t, "precious", string(b), "the link's target was written")
			fi, err := os.Stat(victim)
			require.NoError(t, err)
			assert.Equal(t, fs.FileMode(0o644), fi.Mode().Perm(), "the link's target was chmod'ed")
			assert.Zero(t, e.count("token"), "no sign-in with a refused cache")
		})
	}
}

func TestWritableCacheFolderIsRefusedAndLeftAlone(t *testing.T) {
	for _, perm := range []fs.FileMode{0o777, 0o770, 0o775, 0o1777} {
		e := newEnv(t)
		require.NoError(t, os.MkdirAll(e.dir, 0o700))
		// A planted record that would choose the tenant and account.
		require.NoError(t, os.WriteFile(ConnectionPath(e.dir), []byte(`{"clientId":"attacker","tenantId":"evil.example","authorityHost":"x"}`), 0o600))
		require.NoError(t, os.Chmod(e.dir, perm))
		before, err := os.Stat(e.dir)
		require.NoError(t, err)

		_, err = e.token(e.config(ModeUsernamePassword))
		requireKind(t, err, exitcode.ErrUsage)
		assert.Contains(t, err.Error(), "writable by group or others")
		assert.Contains(t, err.Error(), "HYBRIDMGMT_CACHE_DIR")
		_, ok, err := LoadConnection(e.dir)
		requireKind(t, err, exitcode.ErrUsage)
		assert.False(t, ok, "the planted record is not used")

		after, err := os.Stat(e.dir)
		require.NoError(t, err)
		assert.Equal(t, before.Mode(), after.Mode(), "never chmod a directory the CLI did not create (sticky bit kept)")
		assert.Zero(t, e.count("token"))
	}
}

func TestCacheReadDoesNotFollowALinkSwappedIn(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim.json")
	require.NoError(t, os.WriteFile(victim, []byte(`{"a":1}`), 0o644))
	a := &fileAccessor{path: filepath.Join(dir, "cache.json")}
	require.NoError(t, os.Symlink(victim, a.path))
	_, err := a.Read(context.Background())
	require.ErrorIs(t, err, errNotRegular)
	fi, err := os.Stat(victim)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o644), fi.Mode().Perm(), "not chmod'ed through the link")
}

func TestOversizedCacheFileIsIgnored(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, os.MkdirAll(e.dir, 0o700))
	f, err := os.Create(CachePath(e.dir))
	require.NoError(t, err)
	require.NoError(t, f.Truncate(maxCacheFileBytes+1))
	require.NoError(t, f.Close())
	e.mustToken(e.config(ModeUsernamePassword))
	fi, err := os.Stat(CachePath(e.dir))
	require.NoError(t, err)
	assert.Less(t, fi.Size(), int64(1<<20), "replaced by the sign-in")
	assert.Contains(t, e.log.String(), "larger than 16 MiB")
}
