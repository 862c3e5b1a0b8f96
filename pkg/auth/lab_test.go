package auth

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

// The tests sign in against the lab tenant (pkg/labtenant), the same
// authority the end-to-end tests and `hybridlab serve` use, so pkg/auth
// cannot come to rely on an authority of its own that Entra does not
// resemble. Misbehaviour (redirects, bombs, odd tokens) comes from the
// lab's documented faults.

// Identities of the lab tenant.
const (
	testTenantID     = labtenant.TenantID
	testTenantDomain = labtenant.TenantDomain
	testClientID     = labtenant.GraphCLIClientID
	testAppClientID  = labtenant.CIClientID
	testUser         = labtenant.AdminUPN
	testMFAUser      = labtenant.MFAUPN
	testUser2        = labtenant.ReaderUPN
	graphScope       = "https://graph.microsoft.com/Directory.ReadWrite.All"
	graphDefault     = "https://graph.microsoft.com/.default"
)

// labSeed is a lab directory seeded once per test binary: each test's lab
// starts from a copy, so none pays for the CI app's RSA key again, and all
// share the credentials below.
var labSeed struct {
	dir   string
	creds labtenant.Credentials
}

// testPassword is testUser's password; testClientSecret the CI app's.
var testPassword, testClientSecret string

// seedLab fills labSeed; TestMain calls it and removes the directory.
func seedLab() error {
	dir, err := os.MkdirTemp("", "auth-lab-seed-*")
	if err != nil {
		return err
	}
	lab, err := labtenant.New(labtenant.Options{Dir: dir})
	if err != nil {
		return err
	}
	labSeed.dir, labSeed.creds = dir, lab.Credentials()
	testPassword, testClientSecret = labSeed.creds.AdminPassword, labSeed.creds.ClientSecret
	return lab.Close()
}

// newLab starts a lab tenant from a copy of the seed, with a clock the
// test can move forward.
func newLab(t *testing.T) (*labtenant.Server, *atomic.Int64) {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(labSeed.dir)
	require.NoError(t, err)
	for _, de := range entries {
		b, err := os.ReadFile(filepath.Join(labSeed.dir, de.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, de.Name()), b, 0o600))
	}
	skew := &atomic.Int64{}
	lab, err := labtenant.New(labtenant.Options{Dir: dir, Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	require.NoError(t, err)
	t.Cleanup(func() { _ = lab.Close() })
	return lab, skew
}

// count returns how many requests the lab saw for key: "openid",
// "userrealm", "authorize", "devicecode", "token" or "token:<grant_type>".
func (e *env) count(key string) int {
	n := 0
	for _, r := range e.lab.Requests() {
		var hit bool
		switch key {
		case "openid":
			hit = strings.HasSuffix(r.Path, "/v2.0/.well-known/openid-configuration")
		case "userrealm":
			hit = strings.HasPrefix(r.Path, "/common/UserRealm/")
		case "authorize":
			hit = strings.HasSuffix(r.Path, "/oauth2/v2.0/authorize")
		case "devicecode":
			hit = strings.HasSuffix(r.Path, "/oauth2/v2.0/devicecode")
		case "token":
			hit = r.IsTokenRequest()
		default:
			grant, ok := strings.CutPrefix(key, "token:")
			require.True(e.t, ok, "unknown count key %q", key)
			hit = r.IsTokenRequest() && r.GrantType == grant
		}
		if hit {
			n++
		}
	}
	return n
}

// authorizeQuery is the query of the last authorize request the lab saw.
func (e *env) authorizeQuery() url.Values {
	e.t.Helper()
	var last string
	for _, r := range e.lab.Requests() {
		if strings.HasSuffix(r.Path, "/oauth2/v2.0/authorize") {
			last = r.Query
		}
	}
	q, err := url.ParseQuery(last)
	require.NoError(e.t, err)
	return q
}

// requireUserToken checks that tok is an access token the lab issued to
// upn for the public client.
func (e *env) requireUserToken(tok, upn string) {
	e.t.Helper()
	rec, ok := e.lab.LookupToken(tok)
	require.True(e.t, ok, "not a token the lab issued")
	assert.Equal(e.t, "access", rec.Kind)
	assert.Equal(e.t, upn, rec.UPN)
	assert.Equal(e.t, testClientID, rec.ClientID)
	assert.False(e.t, rec.AppOnly)
}

// requireAppToken checks that tok is an app-only access token the lab
// issued to the CI app.
func (e *env) requireAppToken(tok string) {
	e.t.Helper()
	rec, ok := e.lab.LookupToken(tok)
	require.True(e.t, ok, "not a token the lab issued")
	assert.Equal(e.t, "access", rec.Kind)
	assert.True(e.t, rec.AppOnly)
	assert.Equal(e.t, testAppClientID, rec.ClientID)
}

// fault adds lab faults, failing the test on a rule the lab refuses.
func (e *env) fault(faults ...labtenant.Fault) {
	e.t.Helper()
	require.NoError(e.t, e.lab.SetFaults(faults))
}

// browse plays the user's browser against the lab's sign-in page.
func (e *env) browse(u string) error {
	return labtenant.Browse(context.Background(), e.lab.Client(), u)
}

// labCert is the CI app's registered certificate and key, and the PEM
// file the lab wrote (certificate, then PKCS#8 key).
func labCert(t *testing.T) (*x509.Certificate, *rsa.PrivateKey, []byte) {
	t.Helper()
	pemData := labSeed.creds.ClientCertPEM
	var cert *x509.Certificate
	var key *rsa.PrivateKey
	for rest := pemData; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch b.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			require.NoError(t, err)
			cert = c
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			require.NoError(t, err)
			rk, ok := k.(*rsa.PrivateKey)
			require.True(t, ok, fmt.Sprintf("lab key is %T", k))
			key = rk
		}
	}
	require.NotNil(t, cert)
	require.NotNil(t, key)
	return cert, key, pemData
}
