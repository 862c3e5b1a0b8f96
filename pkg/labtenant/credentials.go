package labtenant

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Credentials are the lab's generated secrets. They live in memory and in
// 0600 files in the lab directory; the lab never prints or logs them.
type Credentials struct {
	AdminPassword  string
	ReaderPassword string
	MFAPassword    string
	// ClientID is the confidential CI app (CIClientID).
	ClientID     string
	ClientSecret string
	// ClientCertFile is <dir>/client-cert.pem: certificate then PKCS#8 key.
	ClientCertFile string
	ClientCertPEM  []byte
}

// Password returns the seeded user's password ("" for an unknown user).
func (c Credentials) Password(upn string) string {
	switch strings.ToLower(upn) {
	case AdminUPN:
		return c.AdminPassword
	case ReaderUPN:
		return c.ReaderPassword
	case MFAUPN:
		return c.MFAPassword
	}
	return ""
}

// loadOrSeed loads state.json or seeds a fresh tenant, then makes sure
// every credential file exists and matches the stored hashes. A file that
// is missing or was edited gets a new secret (and the hash follows), so the
// files are always the truth a script can read.
func (s *Server) loadOrSeed() error {
	path := filepath.Join(s.dir, FileState)
	st, ok, err := loadState(path)
	if err != nil {
		return err
	}
	if !ok {
		st = &State{Schema: stateSchema, Tokens: map[string]*TokenRecord{}}
		st.Users, st.Clients = seedPrincipals()
		st.ConnectorGroups, st.Connectors, st.Applications, st.ServicePrincipals = seedDirectory(s.now())
	}
	st.pruneTokens(s.now())
	creds := Credentials{ClientID: CIClientID, ClientCertFile: filepath.Join(s.dir, FileClientCert)}
	for _, u := range []struct {
		upn, file string
		dst       *string
	}{
		{AdminUPN, FileAdminPass, &creds.AdminPassword},
		{ReaderUPN, FileReaderPass, &creds.ReaderPassword},
		{MFAUPN, FileMFAPass, &creds.MFAPassword},
	} {
		usr := st.user(u.upn)
		if usr == nil {
			continue
		}
		pw, hash, err := ensureSecretFile(filepath.Join(s.dir, u.file), usr.PasswordHash, newPassword)
		if err != nil {
			return err
		}
		*u.dst, usr.PasswordHash = pw, hash
	}
	if ci := st.client(CIClientID); ci != nil {
		sec, hash, err := ensureSecretFile(filepath.Join(s.dir, FileClientSecret), ci.SecretHash, newClientSecret)
		if err != nil {
			return err
		}
		creds.ClientSecret, ci.SecretHash = sec, hash
		pemData, der, err := s.ensureClientCert(creds.ClientCertFile, ci.CertDER)
		if err != nil {
			return err
		}
		creds.ClientCertPEM, ci.CertDER = pemData, [][]byte{der}
	}
	s.st, s.creds = st, creds
	return saveState(path, st)
}

func newPassword() string { return "Lab!" + randomToken(15) }

// newClientSecret looks like an Entra secret value (3 chars, "8Q~", rest).
func newClientSecret() string { return "lab8Q~" + randomToken(27) }

func ensureSecretFile(path, hash string, gen func() string) (secret, newHash string, err error) {
	data, err := os.ReadFile(path)
	if err == nil {
		if v := strings.TrimSpace(string(data)); v != "" && secretMatches(v, hash) {
			return v, hash, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", "", err
	}
	v := gen()
	if err := writeFileAtomic(path, []byte(v+"\n"), 0o600); err != nil {
		return "", "", err
	}
	return v, hashSecret(v), nil
}

func (s *Server) ensureClientCert(path string, registered [][]byte) ([]byte, []byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		if der, perr := parseClientCertPEM(data); perr == nil {
			for _, r := range registered {
				if bytes.Equal(r, der) {
					return data, der, nil
				}
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	der, key, err := newClientCertificate(s.now())
	if err != nil {
		return nil, nil, err
	}
	out := clientCertPEM(der, key)
	if err := writeFileAtomic(path, out, 0o600); err != nil {
		return nil, nil, err
	}
	return out, der, nil
}

// persistLocked saves state.json; the caller holds s.mu.
func (s *Server) persistLocked() {
	s.st.pruneTokens(s.now())
	if err := saveState(filepath.Join(s.dir, FileState), s.st); err != nil {
		s.logf("hybridlab: saving state: %v", err)
	}
}
