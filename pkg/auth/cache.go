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
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"

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
func openCache(dir string, logf func(string, ...any)) (*persistentCache, error) {
	if err := prepareCacheDir(dir, logf); err != nil {
		return nil, err
	}
	if err := checkCacheFiles(dir); err != nil {
		return nil, exitcode.Wrap(exitcode.ErrUsage, err)
	}
	p := CachePath(dir)
	a, err := newAccessor(p)
	if err != nil {
		return nil, exitcode.Usagef("token cache %s: %v", p, err)
	}
	store := &mergingStorage{inner: a, path: p, logf: logf}
	// The timestamp file is the cache file itself, as azidentity does.
	c, err := extcache.New(store, p)
	if err != nil {
		return nil, exitcode.Usagef("token cache %s: %v", p, err)
	}
	return &persistentCache{inner: c, store: store, dir: dir, logf: logf}, nil
}

// CacheError is a local failure to read or save the token cache (disk
// full, read-only, permission denied, lock held, a planted file). The
// token of the sign-in is still good: the command uses it, and only the
// next command has to sign in again. It is not an authentication or
// network failure, so it carries no kind: exit 1.
type CacheError struct {
	Op   string // "read" or "save"
	Path string
	Err  error
}

func (e *CacheError) Error() string {
	return fmt.Sprintf("could not %s the token cache %s: %v", e.Op, e.Path, e.Err)
}

func (e *CacheError) Unwrap() error { return e.Err }

// persistentCache is what MSAL gets as its cache. It never fails MSAL for
// a local reason: MSAL drops the token it just obtained when saving it
// fails, and a read failure would fail every sign-in (reported as an
// unreachable service). Instead the failure is kept for the Client, which
// reports it, and MSAL goes on with its in-memory cache.
type persistentCache struct {
	inner *extcache.Cache
	store *mergingStorage
	dir   string
	logf  func(string, ...any)

	mu  sync.Mutex
	err *CacheError // first failure not yet reported
}

var _ cache.ExportReplace = (*persistentCache)(nil)

func (p *persistentCache) Replace(ctx context.Context, u cache.Unmarshaler, h cache.ReplaceHints) error {
	err := p.inner.Replace(ctx, lenientUnmarshaler{u: u, store: p.store}, h)
	if err == nil || ctx.Err() != nil {
		return err
	}
	p.record("read", CachePath(p.dir), err)
	return nil
}

func (p *persistentCache) Export(ctx context.Context, m cache.Marshaler, h cache.ExportHints) error {
	// The extensions module opens its lock file following links; refuse
	// one planted since openCache checked.
	if err := checkRegular(lockPath(p.dir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		p.record("save", lockPath(p.dir), err)
		return nil
	}
	err := p.inner.Export(ctx, m, h)
	if err == nil || ctx.Err() != nil {
		return err
	}
	p.record("save", CachePath(p.dir), err)
	return nil
}

func (p *persistentCache) record(op, path string, err error) {
	p.logf("auth: could not %s the token cache %s: %v", op, path, err)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = &CacheError{Op: op, Path: path, Err: err}
	}
}

// take returns and forgets the first unreported failure.
func (p *persistentCache) take() *CacheError {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	err := p.err
	p.err = nil
	return err
}

// lenientUnmarshaler treats content MSAL cannot load (valid JSON that is
// not an MSAL cache: [], null, {"AccessToken":5}) as an empty cache. The
// extensions module would otherwise retry the unmarshal until its timeout
// and fail every sign-in, including the one that would rewrite the file.
type lenientUnmarshaler struct {
	u     cache.Unmarshaler
	store *mergingStorage
}

func (l lenientUnmarshaler) Unmarshal(b []byte) error {
	err := l.u.Unmarshal(b)
	if err == nil {
		return nil
	}
	l.store.logf("auth: the token cache %s is not an MSAL token cache (%s); treating it as empty (the next sign-in rewrites it)", l.store.path, err)
	l.store.reject()
	return l.u.Unmarshal([]byte("{}"))
}

// mergingStorage sits between the extensions module's cache and the
// accessor. Reads: a missing, empty, oversized or damaged cache reads as
// an empty MSAL cache (MSAL cannot unmarshal zero bytes, and the
// extensions module would retry a failed unmarshal until its timeout and
// then fail every sign-in, including the one that would rewrite the file;
// a damaged file is replaced by the next sign-in). Writes: the extensions
// module writes the whole in-memory cache under its file lock, so of two
// processes that signed in at once the last would erase the other's
// tokens; instead the file as it is now is merged three-way with what this
// process last read (see mergeCache), still under the lock.
type mergingStorage struct {
	inner storage
	path  string
	logf  func(string, ...any)

	mu sync.Mutex
	// base is the cache content this process's MSAL cache was last loaded
	// from or saved as: the common ancestor for the merge.
	base []byte
	// rejected is set when MSAL could not load the file: the next write
	// replaces it instead of merging its entries back in.
	rejected bool
}

func (m *mergingStorage) reject() {
	m.mu.Lock()
	m.rejected = true
	m.mu.Unlock()
}

// readFile reads the cache file, or nothing when it is too large.
func (m *mergingStorage) readFile(ctx context.Context) ([]byte, error) {
	// Checked here for every OS (the Windows accessor opens the file
	// itself): a link or FIFO is refused, an oversized file not read.
	if err := checkRegular(m.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if fi, err := os.Lstat(m.path); err == nil && fi.Size() > maxCacheFileBytes {
		return nil, &fs.PathError{Op: "read", Path: m.path, Err: errCacheTooLarge}
	}
	return m.inner.Read(ctx)
}

func (m *mergingStorage) Read(ctx context.Context) ([]byte, error) {
	b, err := m.readFile(ctx)
	if errors.Is(err, errCacheTooLarge) {
		m.logf("auth: the token cache %s is larger than %d MiB; ignoring it (the next sign-in replaces it)", m.path, maxCacheFileBytes>>20)
		b, err = nil, nil
		m.reject()
	}
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
	out := dropUnusableTokens(data)
	if !m.rejected {
		if current, err := m.readFile(ctx); err == nil && len(current) > 0 && json.Valid(current) {
			if merged, err := mergeCache(m.base, out, current); err == nil {
				out = merged
			}
		}
	}
	if len(out) > maxCacheFileBytes {
		return fmt.Errorf("the token cache would exceed %d MiB; not saved", maxCacheFileBytes>>20)
	}
	if err := m.inner.Write(ctx, out); err != nil {
		return err
	}
	m.rejected = false
	// The extensions module reloads MSAL from data (not out) until the
	// file changes again, so data is the next merge's ancestor.
	m.base = data
	return nil
}

func (m *mergingStorage) Delete(ctx context.Context) error { return m.inner.Delete(ctx) }

// dropUnusableTokens removes token entries whose secret is too large or
// not a token (control characters, spaces): stored, they would be served
// from the cache again and again and refused each time.
func dropUnusableTokens(data []byte) []byte {
	var sections map[string]json.RawMessage
	if json.Unmarshal(data, &sections) != nil {
		return data
	}
	changed := false
	for _, name := range []string{"AccessToken", "RefreshToken", "IdToken"} {
		var entries map[string]map[string]any
		if json.Unmarshal(sections[name], &entries) != nil {
			continue
		}
		for k, e := range entries {
			if secret, _ := e["secret"].(string); usableToken(secret) != nil {
				delete(entries, k)
				changed = true
			}
		}
		if changed {
			raw, err := json.Marshal(entries)
			if err != nil {
				return data
			}
			sections[name] = raw
		}
	}
	if !changed {
		return data
	}
	out, err := json.Marshal(sections)
	if err != nil {
		return data
	}
	return out
}

// usableToken refuses a token that is too large or cannot be sent in a
// header (CR/LF would split it, other control characters are refused by
// Go's client on every attempt).
func usableToken(tok string) error {
	if len(tok) > MaxTokenBytes {
		return fmt.Errorf("larger than %d KiB", MaxTokenBytes>>10)
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] <= 0x20 || tok[i] >= 0x7f {
			return errors.New("contains control, space or non-ASCII characters")
		}
	}
	return nil
}
