package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// Connection is what `connect` remembers beside the token cache so that
// later commands without credential flags sign in the same way: the tenant
// and account for users, the app and its certificate path for app-only.
// It never holds a secret: a client secret is needed again once the cached
// app token expires.
type Connection struct {
	AppOnly         bool   `json:"appOnly"`
	Username        string `json:"username,omitempty"`
	TenantID        string `json:"tenantId"`
	ClientID        string `json:"clientId"`
	CertificatePath string `json:"certificatePath,omitempty"`
	Cloud           string `json:"cloud"`
	AuthorityHost   string `json:"authorityHost"`
	// GraphEndpoint is the Graph root the sign-in was for; its tokens are
	// sent nowhere else without a new sign-in.
	GraphEndpoint string `json:"graphEndpoint,omitempty"`
}

const connectionFile = "connection.json"

// ConnectionPath is where the connection record lives in dir.
func ConnectionPath(dir string) string { return filepath.Join(dir, connectionFile) }

// SaveConnection writes the record owner-only, replacing any earlier one.
func SaveConnection(dir string, c Connection) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("saving the connection: %w", err)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, connectionFile+".tmp-*")
	if err != nil {
		return fmt.Errorf("saving the connection: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		_ = tmp.Close()
		return fmt.Errorf("saving the connection: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("saving the connection: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving the connection: %w", err)
	}
	if err := os.Rename(tmp.Name(), ConnectionPath(dir)); err != nil {
		return fmt.Errorf("saving the connection: %w", err)
	}
	return nil
}

// LoadConnection reads the record; ok is false when there is none. A
// damaged record is treated as absent: the cache alone still works for
// users. err is set when the directory or the file may not be trusted (a
// folder others can write, a link or FIFO where the record goes): nothing
// is read from them (exit 2).
func LoadConnection(dir string) (c Connection, ok bool, err error) {
	if dir == "" {
		return Connection{}, false, nil
	}
	exists, err := checkCacheDir(dir)
	if err != nil || !exists {
		return Connection{}, false, err
	}
	p := ConnectionPath(dir)
	fh, err := openRegular(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Connection{}, false, nil
	}
	if errors.Is(err, errNotRegular) {
		return Connection{}, false, exitcode.Wrap(exitcode.ErrUsage, fmt.Errorf("%s is %s; refusing to read it (remove it, or %s)", p, notRegularKind(err), ownDirAdvice))
	}
	if err != nil {
		return Connection{}, false, nil
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxConnectionFileBytes+1))
	if err != nil || len(b) > maxConnectionFileBytes {
		return Connection{}, false, nil
	}
	if json.Unmarshal(b, &c) != nil || c.ClientID == "" {
		return Connection{}, false, nil
	}
	return c, true, nil
}

func removeConnection(dir string) error {
	if err := os.Remove(ConnectionPath(dir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
