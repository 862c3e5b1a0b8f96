//go:build !windows

package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
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
//   - a missing directory is created 0700 (missing parents too); it is the
//     only directory whose mode the CLI ever sets;
//   - an existing directory must belong to the current user: one owned by
//     another user (a shared /tmp path, a sudo'ed HOME) is refused, since
//     its owner could read or plant tokens; so is a non-directory;
//   - an existing directory that group or others may write is refused, not
//     tightened: whoever can write there may already have planted a link,
//     a FIFO or a cache or connection file of their choice, and chmod'ing
//     a folder we did not create (a shared /tmp loses its sticky bit)
//     breaks what others rely on. One they may only list (0755, e.g. a
//     HYBRIDMGMT_CACHE_DIR pointed at a project folder) is accepted: the
//     files in it are 0600 and nobody else can add or replace them;
//   - the cache file is written 0600 (a looser existing file is tightened
//     through the descriptor it was read from); the lock file is created
//     0600 by the extensions module. Files are opened without following
//     links and must be regular files (cachefile.go).
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

// checkCacheDir applies the policy to an existing dir without changing
// anything; exists is false when dir is missing. Reading the connection
// record goes through it, so nothing is read from a folder the policy
// refuses.
func checkCacheDir(dir string) (exists bool, err error) {
	return checkDir(osDirOps{}, dir)
}

// secureDir applies the permission policy above to dir.
func secureDir(ops dirOps, dir string, logf func(string, ...any)) error {
	exists, err := checkDir(ops, dir)
	if err != nil || exists {
		return err
	}
	if err := ops.MkdirAll(dir, dirPerm); err != nil {
		return exitcode.Usagef("token cache directory %s: %v", dir, err)
	}
	// MkdirAll's mode is filtered by the umask; make the leaf exact. We
	// just created it, so it is ours to set.
	if err := ops.Chmod(dir, dirPerm); err != nil {
		return exitcode.Usagef("token cache directory %s: %v", dir, err)
	}
	logf("auth: created the token cache directory %s (0700)", dir)
	return nil
}

func checkDir(ops dirOps, dir string) (bool, error) {
	fi, err := ops.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, exitcode.Usagef("token cache directory %s: %v", dir, err)
	}
	if !fi.IsDir() {
		return false, exitcode.Usagef("token cache directory %s is not a directory (%s)", dir, ownDirAdvice)
	}
	if uid, ok := ops.Owner(fi); ok && uid != ops.Euid() {
		return false, exitcode.Usagef("token cache directory %s belongs to another user (uid %d); refusing to keep tokens there (%s)", dir, uid, ownDirAdvice)
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return false, exitcode.Usagef("token cache directory %s is writable by group or others (%04o): they could plant or replace its files, so it is not used and not changed. If the directory is yours alone, run `chmod go-w %s`; otherwise %s",
			dir, perm, dir, ownDirAdvice)
	}
	return true, nil
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
	fh, err := openRegular(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := readCapped(fh, f.path)
	if err != nil {
		return nil, err
	}
	// Tighten a looser file through its descriptor: a chmod by path could
	// follow a link swapped in since the open.
	if fi, err := fh.Stat(); err == nil && fi.Mode().Perm()&^filePerm != 0 {
		_ = fh.Chmod(filePerm)
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

// readCapped reads fh up to maxCacheFileBytes.
func readCapped(fh *os.File, path string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(fh, maxCacheFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxCacheFileBytes {
		return nil, &fs.PathError{Op: "read", Path: path, Err: errCacheTooLarge}
	}
	return b, nil
}
