//go:build !windows

package auth

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// fakeFileInfo is a directory (or file) with a mode and an owner.
type fakeFileInfo struct {
	mode fs.FileMode
	uid  int
}

func (f fakeFileInfo) Name() string       { return "dir" }
func (f fakeFileInfo) Size() int64        { return 0 }
func (f fakeFileInfo) Mode() fs.FileMode  { return f.mode }
func (f fakeFileInfo) ModTime() time.Time { return time.Time{} }
func (f fakeFileInfo) IsDir() bool        { return f.mode.IsDir() }
func (f fakeFileInfo) Sys() any           { return f.uid }

// fakeDirOps presents one path to secureDir and records what it does.
type fakeDirOps struct {
	info    *fakeFileInfo // nil: the path does not exist
	euid    int
	chmods  []fs.FileMode
	mkdirs  []fs.FileMode
	chmodFn func() error
}

func (f *fakeDirOps) Stat(string) (fs.FileInfo, error) {
	if f.info == nil {
		return nil, &fs.PathError{Op: "stat", Path: "dir", Err: fs.ErrNotExist}
	}
	return *f.info, nil
}
func (f *fakeDirOps) MkdirAll(_ string, perm fs.FileMode) error {
	f.mkdirs = append(f.mkdirs, perm)
	return nil
}
func (f *fakeDirOps) Chmod(_ string, perm fs.FileMode) error {
	f.chmods = append(f.chmods, perm)
	if f.chmodFn != nil {
		return f.chmodFn()
	}
	return nil
}
func (f *fakeDirOps) Owner(fi fs.FileInfo) (int, bool) { return fi.Sys().(int), true }
func (f *fakeDirOps) Euid() int                        { return f.euid }

func TestSecureDirPolicy(t *testing.T) {
	nolog := func(string, ...any) {}
	t.Run("missing is created 0700", func(t *testing.T) {
		ops := &fakeDirOps{euid: 1000}
		require.NoError(t, secureDir(ops, "/c", nolog))
		assert.Equal(t, []fs.FileMode{0o700}, ops.mkdirs)
		assert.Equal(t, []fs.FileMode{0o700}, ops.chmods, "the umask cannot loosen the leaf")
	})
	t.Run("owned by another user is refused", func(t *testing.T) {
		ops := &fakeDirOps{euid: 1000, info: &fakeFileInfo{mode: fs.ModeDir | 0o700, uid: 0}}
		err := secureDir(ops, "/c", nolog)
		require.ErrorIs(t, err, exitcode.ErrUsage)
		assert.Contains(t, err.Error(), "belongs to another user (uid 0)")
		assert.Empty(t, ops.chmods)
	})
	t.Run("root does not use a user's directory", func(t *testing.T) {
		ops := &fakeDirOps{euid: 0, info: &fakeFileInfo{mode: fs.ModeDir | 0o700, uid: 1000}}
		require.ErrorIs(t, secureDir(ops, "/c", nolog), exitcode.ErrUsage)
	})
	t.Run("group or world writable is refused, never chmod'ed", func(t *testing.T) {
		for _, perm := range []fs.FileMode{0o777, 0o770, 0o702, 0o720, fs.ModeSticky | 0o777} {
			ops := &fakeDirOps{euid: 1000, info: &fakeFileInfo{mode: fs.ModeDir | perm, uid: 1000}}
			err := secureDir(ops, "/c", nolog)
			require.ErrorIs(t, err, exitcode.ErrUsage, "%v", perm)
			assert.Contains(t, err.Error(), "writable by group or others")
			assert.Contains(t, err.Error(), "HYBRIDMGMT_CACHE_DIR")
			assert.Empty(t, ops.chmods, "%v", perm)
		}
	})
	t.Run("readable but not writable by others is left alone", func(t *testing.T) {
		ops := &fakeDirOps{euid: 1000, info: &fakeFileInfo{mode: fs.ModeDir | 0o755, uid: 1000}}
		require.NoError(t, secureDir(ops, "/c", nolog))
		assert.Empty(t, ops.chmods)
	})
	t.Run("not a directory", func(t *testing.T) {
		ops := &fakeDirOps{euid: 1000, info: &fakeFileInfo{mode: 0o600, uid: 1000}}
		require.ErrorIs(t, secureDir(ops, "/c", nolog), exitcode.ErrUsage)
	})
}

func TestSecureDirOnDisk(t *testing.T) {
	nolog := func(string, ...any) {}
	loose := filepath.Join(t.TempDir(), "loose")
	require.NoError(t, os.Mkdir(loose, 0o700))
	require.NoError(t, os.Chmod(loose, 0o777))
	require.ErrorIs(t, prepareCacheDir(loose, nolog), exitcode.ErrUsage)
	fi, err := os.Stat(loose)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o777), fi.Mode().Perm(), "a directory the CLI did not create keeps its mode")

	shared := filepath.Join(t.TempDir(), "listable")
	require.NoError(t, os.Mkdir(shared, 0o700))
	require.NoError(t, os.Chmod(shared, 0o755))
	require.NoError(t, prepareCacheDir(shared, nolog))
	fi, err = os.Stat(shared)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o755), fi.Mode().Perm())

	uid, ok := fileOwner(fi)
	require.True(t, ok)
	assert.Equal(t, os.Geteuid(), uid)
}

func TestFileAccessor(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	a := &fileAccessor{path: filepath.Join(dir, "cache.json")}
	ctx := context.Background()
	b, err := a.Read(ctx)
	require.NoError(t, err)
	assert.Nil(t, b, "missing file reads as nothing")

	require.NoError(t, a.Write(ctx, []byte(`{"a":1}`)))
	fi, err := os.Stat(a.path)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
	b, err = a.Read(ctx)
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(b))

	// A looser file (another tool, an old version) is tightened on read.
	require.NoError(t, os.Chmod(a.path, 0o644))
	_, err = a.Read(ctx)
	require.NoError(t, err)
	fi, err = os.Stat(a.path)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())

	require.NoError(t, a.Delete(ctx))
	require.NoError(t, a.Delete(ctx), "deleting a missing file")
	assert.NoFileExists(t, a.path)
}

func TestCacheFilePermissions(t *testing.T) {
	e := newEnv(t)
	e.dir = filepath.Join(t.TempDir(), "a", "b", "hybridmgmt")
	e.mustToken(e.config(ModeUsernamePassword))

	fi, err := os.Stat(e.dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), "cache dir")
	fi, err = os.Stat(CachePath(e.dir))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "cache file")
	entries, err := os.ReadDir(e.dir)
	require.NoError(t, err)
	var names []string
	for _, de := range entries {
		names = append(names, de.Name())
	}
	assert.Equal(t, []string{filepath.Base(CachePath(e.dir))}, names, "no temp or lock files are left behind")

	raw, err := os.ReadFile(CachePath(e.dir))
	require.NoError(t, err)
	assert.NotContains(t, string(raw), testPassword)
}
