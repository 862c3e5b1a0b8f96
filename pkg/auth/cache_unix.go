//go:build !windows

package auth

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// On Unix the cache is a plain JSON file protected by permissions: the
// extensions module's keyring (Linux) and keychain (macOS) accessors need
// cgo and a desktop session, which CI runners and SSH sessions lack.
const cacheFileExt = ".json"

// Permission policy for the cache directory on Unix (secureDir):
//
//   - a missing directory is created 0700 (missing parents too);
//   - an existing directory must belong to the current user: one owned by
//     another user (a shared /tmp path, a sudo'ed HOME) is refused, since
//     its owner could read or plant tokens; so is a non-directory;
//   - an existing directory of ours that group or others may write is
//     tightened to 0700 (they could replace the cache file); one they may
//     only list (0755, e.g. a HYBRIDMGMT_CACHE_DIR pointed at a project
//     folder) is left alone, because the files in it are 0600 and
//     chmod'ing a user's folder would surprise them;
//   - the cache file is written 0600 (a looser existing file is tightened
//     when read); the lock file is created 0600 by the extensions module.
const (
	dirPerm  fs.FileMode = 0o700
	filePerm fs.FileMode = 0o600
)

// dirOps are the file-system calls of the policy, so tests can present a
// directory owned by someone else without being root.
type dirOps interface {
	Stat(path string) (fs.FileInfo, error)
	MkdirAll(path string, perm fs.FileMode) error
	Chmod(path string, perm fs.FileMode) error
	// Owner is the uid owning fi; ok is false where the OS has none.
	Owner(fi fs.FileInfo) (uid int, ok bool)
	Euid() int
}

type osDirOps struct{}

func (osDirOps) Stat(p string) (fs.FileInfo, error)        { return os.Stat(p) }
func (osDirOps) MkdirAll(p string, perm fs.FileMode) error { return os.MkdirAll(p, perm) }
func (osDirOps) Chmod(p string, perm fs.FileMode) error    { return os.Chmod(p, perm) }
func (osDirOps) Owner(fi fs.FileInfo) (int, bool)          { return fileOwner(fi) }
func (osDirOps) Euid() int                                 { return os.Geteuid() }

func prepareCacheDir(dir string, logf func(string, ...any)) error {
	return secureDir(osDirOps{}, dir, logf)
}

// secureDir applies the permission policy above to dir.
func secureDir(ops dirOps, dir string, logf func(string, ...any)) error {
	fi, err := ops.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := ops.MkdirAll(dir, dirPerm); err != nil {
			return exitcode.Usagef("token cache directory %s: %v", dir, err)
		}
		// MkdirAll's mode is filtered by the umask; make the leaf exact.
		if err := ops.Chmod(dir, dirPerm); err != nil {
			return exitcode.Usagef("token cache directory %s: %v", dir, err)
		}
		logf("auth: created the token cache directory %s (0700)", dir)
		return nil
	}
	if err != nil {
		return exitcode.Usagef("token cache directory %s: %v", dir, err)
	}
	if !fi.IsDir() {
		return exitcode.Usagef("token cache directory %s is not a directory (set HYBRIDMGMT_CACHE_DIR to a directory of your own)", dir)
	}
	if uid, ok := ops.Owner(fi); ok && uid != ops.Euid() {
		return exitcode.Usagef("token cache directory %s belongs to another user (uid %d); refusing to keep tokens there (set HYBRIDMGMT_CACHE_DIR to a directory of your own)", dir, uid)
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		if err := ops.Chmod(dir, dirPerm); err != nil {
			return exitcode.Usagef("token cache directory %s is writable by other users (%04o) and could not be restricted: %v", dir, perm, err)
		}
		logf("auth: restricted the token cache directory %s from %04o to 0700", dir, perm)
	}
	return nil
}

func newAccessor(path string) (storage, error) {
	return &fileAccessor{path: path}, nil
}

// fileAccessor stores the cache in a plain 0600 file. Writes go to a temp
// file in the same directory that is renamed over the cache, so a reader
// sees the old or the new content, never part of one.
type fileAccessor struct {
	mu   sync.RWMutex
	path string
}

func (f *fileAccessor) Read(context.Context) ([]byte, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(f.path); err == nil && fi.Mode().Perm()&^filePerm != 0 {
		_ = os.Chmod(f.path, filePerm)
	}
	return b, nil
}

func (f *fileAccessor) Write(_ context.Context, data []byte) (err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	dir := filepath.Dir(f.path)
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return err
	}
	// CreateTemp creates the file 0600.
	tmp, err := os.CreateTemp(dir, filepath.Base(f.path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(filePerm); err != nil {
		_ = tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return fmt.Errorf("replacing the token cache: %w", err)
	}
	return nil
}

func (f *fileAccessor) Delete(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
