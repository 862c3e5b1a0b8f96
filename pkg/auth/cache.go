package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	extcache "github.com/AzureAD/microsoft-authentication-extensions-for-go/cache"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// The persistent token cache.
//
// Layout: one MSAL cache file per user, CachePath(dir) =
// <dir>/msal_token_cache.json (Windows: msal_token_cache.dpapi, encrypted
// with DPAPI for the current user), shared by every mode, tenant, cloud
// and client id (MSAL keys its entries by all of those). Next to it the
// extensions module keeps <file>.lockfile while a process writes; the
// file's modification time tells other processes' caches to reload.
//
// Concurrency: MSAL reads before and writes after each acquisition;
// writers take the extensions module's cross-process file lock and merge
// their entries into the file as it is then (mergingStorage), so parallel
// sign-ins (a CI app and a user, two shells) keep each other's tokens. On
// Unix the plain-file accessor replaces the file atomically (temp file +
// rename), so readers (which do not lock) never see a torn file, even in
// the rare case where the module's lock file (deleted on unlock) lets two
// writers overlap; then one writer's new entries can be lost, but the
// file stays whole.
//
// Permissions: see prepareCacheDir for each OS (cache_unix.go,
// cache_windows.go).

// cacheFileBase is the cache file name without its OS-specific extension.
const cacheFileBase = "msal_token_cache"

// CachePath is the MSAL token cache file inside dir.
func CachePath(dir string) string { return filepath.Join(dir, cacheFileBase+cacheFileExt) }

// ClearCache forgets every cached sign-in (disconnect): it removes the
// cache file and its lock file under dir. A missing cache is not an
// error. It does not sign out of Entra; refresh tokens already issued stay
// valid until they expire or an admin revokes them.
func ClearCache(dir string) error {
	if dir == "" {
		return nil
	}
	p := CachePath(dir)
	var errs []error
	for _, f := range []string{p, p + ".lockfile"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := removeConnection(dir); err != nil {
		errs = append(errs, err)
	}
	// Temp files of an interrupted write (cache_unix.go).
	if stale, err := filepath.Glob(p + ".tmp-*"); err == nil {
		for _, f := range stale {
			_ = os.Remove(f)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("removing the token cache: %w", err)
	}
	return nil
}

// storage is the extensions module's accessor interface
// (accessor.Accessor), restated so the Unix build need not import the
// package for it.
type storage interface {
	Delete(context.Context) error
	Read(context.Context) ([]byte, error)
	Write(context.Context, []byte) error
}

// openCache prepares dir and returns MSAL's persistent cache on it.
func openCache(dir string, logf func(string, ...any)) (*extcache.Cache, error) {
	if err := prepareCacheDir(dir, logf); err != nil {
		return nil, err
	}
	p := CachePath(dir)
	a, err := newAccessor(p)
	if err != nil {
		return nil, exitcode.Usagef("token cache %s: %v", p, err)
	}
	// The timestamp file is the cache file itself, as azidentity does.
	c, err := extcache.New(&mergingStorage{inner: a, logf: logf}, p)
	if err != nil {
		return nil, exitcode.Usagef("token cache %s: %v", p, err)
	}
	return c, nil
}

// mergingStorage sits between the extensions module's cache and the
// accessor. Reads: a missing, empty or damaged cache reads as an empty
// MSAL cache (MSAL cannot unmarshal zero bytes, and the extensions module
// would retry a failed unmarshal until its timeout and then fail every
// sign-in, including the one that would rewrite the file; a damaged file is
// replaced by the next sign-in). Writes: the extensions module writes the
// whole in-memory cache under its file lock, so of two processes that
// signed in at once the last would erase the other's tokens; instead the
// file as it is now is merged three-way with what this process last read
// (see mergeCache), still under the lock.
type mergingStorage struct {
	inner storage
	logf  func(string, ...any)

	mu sync.Mutex
	// base is the cache content this process's MSAL cache was last loaded
	// from or saved as: the common ancestor for the merge.
	base []byte
}

func (m *mergingStorage) Read(ctx context.Context) ([]byte, error) {
	b, err := m.inner.Read(ctx)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		b = []byte("{}")
	} else if !json.Valid(b) {
		m.logf("auth: the token cache is damaged; ignoring it (the next sign-in replaces it)")
		b = []byte("{}")
	}
	m.mu.Lock()
	m.base = b
	m.mu.Unlock()
	return b, nil
}

func (m *mergingStorage) Write(ctx context.Context, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := data
	if current, err := m.inner.Read(ctx); err == nil && len(current) > 0 && json.Valid(current) {
		if merged, err := mergeCache(m.base, data, current); err == nil {
			out = merged
		}
	}
	if err := m.inner.Write(ctx, out); err != nil {
		return err
	}
	// The extensions module reloads MSAL from data (not out) until the
	// file changes again, so data is the next merge's ancestor.
	m.base = data
	return nil
}

func (m *mergingStorage) Delete(ctx context.Context) error { return m.inner.Delete(ctx) }
