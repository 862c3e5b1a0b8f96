package connectivity

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// certFor signs tmpl (its key is made here) with ca, or with itself when
// ca is nil; it fills the serial number and key.
func certFor(t *testing.T, ca *testCA, tmpl *x509.Certificate) (tls.Certificate, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl.SerialNumber = nextSerial()
	parent, signer := tmpl, any(key)
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, c
}

// What the TLS step reports for certificates off the common path: a root
// named by its organisation only, a server certificate that is its own
// root, a certificate with no subject alternative names, one for client
// authentication only, and a handshake that fails for another reason.
func TestTLSCertificateEdges(t *testing.T) {
	now := time.Now()
	valid := func(tmpl *x509.Certificate) *x509.Certificate {
		tmpl.NotBefore, tmpl.NotAfter = now.Add(-time.Hour), now.Add(90*24*time.Hour)
		return tmpl
	}
	// A CA named by its organisation only, and one by neither.
	orgKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	orgTmpl := valid(&x509.Certificate{SerialNumber: nextSerial(), Subject: pkix.Name{Organization: []string{"Contoso Ltd"}}, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign})
	orgDER, err := x509.CreateCertificate(rand.Reader, orgTmpl, orgTmpl, &orgKey.PublicKey, orgKey)
	require.NoError(t, err)
	orgCert, err := x509.ParseCertificate(orgDER)
	require.NoError(t, err)
	orgCA := &testCA{cert: orgCert, key: orgKey}
	orgLeaf, _ := certFor(t, orgCA, valid(&x509.Certificate{Subject: pkix.Name{CommonName: "org.test"}, DNSNames: []string{"org.test"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}))

	self, selfCert := certFor(t, nil, valid(&x509.Certificate{Subject: pkix.Name{OrganizationalUnit: []string{"Self PKI"}}, DNSNames: []string{"self.test"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}))

	ca := newCA(t, "Test Root CA")
	cnOnly, _ := certFor(t, ca, valid(&x509.Certificate{Subject: pkix.Name{CommonName: "legacy.test"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}))
	client, _ := certFor(t, ca, valid(&x509.Certificate{Subject: pkix.Name{CommonName: "client.test"}, DNSNames: []string{"client.test"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}))

	roots := ca.pool()
	roots.AddCert(orgCert)
	roots.AddCert(selfCert)
	h := http.HandlerFunc(ok)
	ports := map[string]int{
		"org":    tlsServer(t, orgLeaf, 0, 0, h),
		"self":   tlsServer(t, self, 0, 0, h),
		"cnonly": tlsServer(t, cnOnly, 0, 0, h),
		"client": tlsServer(t, client, 0, 0, h),
		"mtls":   tlsServerClientAuth(t, ca.valid(t, "mtls.test"), h),
	}
	p := testProber(roots, "org.test", "self.test", "legacy.test", "client.test", "mtls.test")
	ep := func(name, host string) Endpoint {
		return Endpoint{Category: "TLS", Name: name, Host: host, Port: ports[name], Check: CheckTLS}
	}
	self1 := ep("self", "self.test")
	self1.ExpectedIssuers = []string{"OU=Self PKI"}
	rs := run(t, p, longTimeout, ep("org", "org.test"), self1, ep("cnonly", "legacy.test"), ep("client", "client.test"), ep("mtls", "mtls.test"))

	r := byName(t, rs, "org")
	assert.Equal(t, Passed, r.Status, r.Error)
	assert.Contains(t, r.Detail, "issuer O=Contoso Ltd, root Contoso Ltd,", "a CA without a common name is named by its organisation")

	r = byName(t, rs, "self")
	assert.Equal(t, Passed, r.Status, "a certificate that is its own root matches itself: %s", r.Error)
	assert.Contains(t, r.Detail, "issuer OU=Self PKI, root OU=Self PKI,", "named by neither: the whole subject")

	r = byName(t, rs, "cnonly")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseTLSNameMismatch, r.Cause)
	assert.Equal(t, "TLS: the certificate does not cover legacy.test (it names legacy.test)", r.Error, "no SANs: the common name is what it names (and no longer counts)")

	r = byName(t, rs, "client")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseTLSUntrusted, r.Cause)
	assert.True(t, strings.HasPrefix(r.Error, "TLS: the certificate is not valid for TLS server use: x509: certificate specifies an incompatible key usage"), r.Error)
	assert.Equal(t, "Fix the server certificate.", r.Remediation)

	r = byName(t, rs, "mtls")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseTLSHandshake, r.Cause)
	assert.True(t, strings.HasPrefix(r.Error, "TLS handshake failed: remote error: tls: "), r.Error)
	assert.True(t, strings.HasPrefix(r.Remediation, "Check that nothing in the path terminates or blocks TLS to this host; The connector requires TLS 1.2"), r.Remediation)
}

// tlsServerClientAuth is a TLS 1.2 server (in 1.3 the client finishes before the server checks) that demands a client
// certificate, which the prober never sends: the handshake fails with
// an alert that is neither a certificate nor a version problem.
func tlsServerClientAuth(t *testing.T, cert tls.Certificate, h http.Handler) int {
	t.Helper()
	return httptestTLS(t, &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequireAnyClientCert, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12}, h)
}

// A certificate warns when fewer whole days than the entry's limit are
// left, not on the day the limit names.
func TestExpiryWarningBoundary(t *testing.T) {
	ca := newCA(t, "Test Root CA")
	now := time.Now()
	port := tlsServer(t, ca.issue(t, []string{"exch.test"}, now.Add(-time.Hour), now.Add(10*24*time.Hour+time.Hour)), 0, 0, http.HandlerFunc(ok))
	p := testProber(ca.pool(), "exch.test")
	p.Now = func() time.Time { return now }
	e := func(name string, days int) Endpoint {
		return Endpoint{Category: "c", Name: name, Host: "exch.test", Port: port, Check: CheckTLS, ExpiryWarnDays: days}
	}
	rs := run(t, p, longTimeout, e("ten", 10), e("eleven", 11), e("none", 0))
	r := byName(t, rs, "ten")
	assert.Equal(t, Passed, r.Status, "10 days left, warn below 10: %s", r.Error)
	assert.Contains(t, r.Detail, "certificate expires in 10 days")
	r = byName(t, rs, "eleven")
	assert.Equal(t, Warning, r.Status)
	assert.Equal(t, CauseTLSExpiring, r.Cause)
	assert.Equal(t, "the certificate expires in 10 days ("+now.Add(10*24*time.Hour+time.Hour).UTC().Format("2006-01-02")+")", r.Error)
	assert.Equal(t, Passed, byName(t, rs, "none").Status)
}

func httptestTLS(t *testing.T, cfg *tls.Config, h http.Handler) int {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = cfg
	srv.Config.ErrorLog = discardLog()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return portOf(t, srv.Listener.Addr())
}
