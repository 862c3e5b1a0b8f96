package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
// damaged record is treated as absent: the cache alone still works for users.
func LoadConnection(dir string) (c Connection, ok bool) {
	if dir == "" {
		return Connection{}, false
	}
	b, err := os.ReadFile(ConnectionPath(dir))
	if err != nil {
		return Connection{}, false
	}
	if json.Unmarshal(b, &c) != nil || c.ClientID == "" {
		return Connection{}, false
	}
	return c, true
}

func removeConnection(dir string) error {
	if err := os.Remove(ConnectionPath(dir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
