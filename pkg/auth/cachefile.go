package auth

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// The files in the cache directory (token cache, its lock file, the
// connection record) are opened so that a planted file cannot redirect or
// block us: lstat first (a FIFO would block an open, a link would be
// followed), open without following links where the OS can (O_NOFOLLOW on
// Unix, file_unix.go), then check that what was opened is the regular file
// that was stat'ed. The checks are the same on every OS; only the open
// flags differ.

// maxCacheFileBytes bounds the token cache file. One user's few sign-ins
// take a few tens of KiB; a larger file is damaged or planted and is
// treated as damaged (ignored, replaced by the next sign-in) rather than
// read into memory.
const maxCacheFileBytes = 16 << 20

// maxConnectionFileBytes bounds the connection record (a few hundred bytes).
const maxConnectionFileBytes = 64 << 10

// errNotRegular marks a path in the cache directory that is a link, FIFO,
// device, socket or directory instead of a regular file.
var errNotRegular = errors.New("not a regular file")

// errCacheTooLarge marks a cache file over maxCacheFileBytes.
var errCacheTooLarge = fmt.Errorf("larger than %d MiB", maxCacheFileBytes>>20)

// checkRegular reports an error when path exists and is not a regular
// file; a missing path is fine (it returns an fs.ErrNotExist error the
// caller may ignore).
func checkRegular(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w (%s)", errNotRegular, kindOf(fi.Mode()))}
	}
	return nil
}

func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	default:
		return "not a regular file"
	}
}

// openRegular opens path for reading only if it is a regular file, without
// following a link and without blocking on a FIFO.
func openRegular(path string) (*os.File, error) {
	if err := checkRegular(path); err != nil {
		return nil, err
	}
	before, _ := os.Lstat(path)
	fh, err := openNoFollow(path)
	if err != nil {
		return nil, err
	}
	after, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	// Replaced between the lstat and the open: refuse rather than guess.
	if !after.Mode().IsRegular() || before == nil || !os.SameFile(before, after) {
		fh.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w (replaced while opening)", errNotRegular)}
	}
	return fh, nil
}

// checkCacheFiles refuses a cache directory holding something other than
// regular files where the cache, its lock file or the connection record
// go (exit 2: the user has to look at what is there).
func checkCacheFiles(dir string) error {
	for _, p := range []string{CachePath(dir), lockPath(dir), ConnectionPath(dir)} {
		if err := checkRegular(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s is %s; refusing to use the token cache directory (remove it, or %s)", p, notRegularKind(err), ownDirAdvice)
		}
	}
	return nil
}

func notRegularKind(err error) string {
	if fi, lerr := os.Lstat(pathOf(err)); lerr == nil {
		return kindOf(fi.Mode())
	}
	return "not usable: " + err.Error()
}

func pathOf(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Path
	}
	return ""
}

// lockPath is the extensions module's lock file for the cache in dir.
func lockPath(dir string) string { return CachePath(dir) + ".lockfile" }

// ownDirAdvice ends every refusal of the cache directory or its files.
const ownDirAdvice = "set HYBRIDMGMT_CACHE_DIR to a directory of your own, or leave it unset for the per-user default"
