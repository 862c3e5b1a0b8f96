package labtenant

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatePersistsAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	srv, err := New(Options{Dir: dir})
	require.NoError(t, err)
	creds := srv.Credentials()
	admin := ropcToken(t, srv, AdminUPN, graphCLIScopes)
	g := graphCall(t, srv, http.MethodPatch, "/beta/applications/"+PayrollObjectID, admin, map[string]any{"displayName": "Payroll v2"})
	require.Equal(t, http.StatusNoContent, g.status)
	require.NoError(t, srv.Close())

	// No temporary files are left behind by the atomic writes.
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.Contains(e.Name(), ".tmp-"), e.Name())
	}

	srv2, err := New(Options{Dir: dir})
	require.NoError(t, err)
	defer srv2.Close()
	assert.Equal(t, creds, srv2.Credentials(), "credentials survive a restart")
	// A token issued before the restart still works: the lab remembers it.
	g = graphCall(t, srv2, http.MethodGet, "/beta/applications/"+PayrollObjectID+"?$select=displayName", admin, nil)
	require.Equal(t, http.StatusOK, g.status, "%s", g.raw)
	assert.Equal(t, "Payroll v2", g.body["displayName"])

	require.NoError(t, srv2.ResetState())
	g = graphCall(t, srv2, http.MethodGet, "/beta/applications/"+PayrollObjectID+"?$select=displayName", admin, nil)
	assert.Equal(t, PayrollAppName, g.body["displayName"])
}

func TestEditedSecretFileIsReplaced(t *testing.T) {
	dir := t.TempDir()
	srv, err := New(Options{Dir: dir})
	require.NoError(t, err)
	old := srv.Credentials().ClientSecret
	require.NoError(t, srv.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, FileClientSecret), []byte("edited\n"), 0o600))
	srv2, err := New(Options{Dir: dir})
	require.NoError(t, err)
	defer srv2.Close()
	fresh := srv2.Credentials().ClientSecret
	assert.NotEqual(t, old, fresh)
	assert.NotEqual(t, "edited", fresh)
	onDisk, err := os.ReadFile(filepath.Join(dir, FileClientSecret))
	require.NoError(t, err)
	assert.Equal(t, fresh, strings.TrimSpace(string(onDisk)))
	appToken(t, srv2)
}

func TestFilesAndCertificate(t *testing.T) {
	srv := newLab(t)
	if runtime.GOOS != "windows" {
		for _, f := range []string{FileClientSecret, FileClientCert, FileAdminPass, FileReaderPass, FileMFAPass, FileState} {
			fi, err := os.Stat(filepath.Join(srv.Dir(), f))
			require.NoError(t, err, f)
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
		}
	}
	data, err := os.ReadFile(srv.CAPath())
	require.NoError(t, err)
	block, _ := pem.Decode(data)
	require.NotNil(t, block)
	ca, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	assert.True(t, ca.IsCA)

	pool := x509.NewCertPool()
	pool.AddCert(ca)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(srv.URL(), "https://"))
	require.NoError(t, err)
	conn, err := tls.Dial("tcp", "127.0.0.1:"+port, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	require.NoError(t, err)
	leaf := conn.ConnectionState().PeerCertificates[0]
	conn.Close()
	assert.Contains(t, leaf.DNSNames, "localhost")
	var ips []string
	for _, ip := range leaf.IPAddresses {
		ips = append(ips, ip.String())
	}
	assert.ElementsMatch(t, []string{"127.0.0.1", "::1"}, ips)
	assert.Equal(t, "ECDSA", leaf.PublicKeyAlgorithm.String())

	// Without the lab CA the server is not trusted: nobody disables checks.
	_, err = http.Get(srv.URL() + "/_lab/info")
	assert.Error(t, err)

	p, err := srv.WriteEnvFile()
	require.NoError(t, err)
	env, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Contains(t, string(env), "export SSL_CERT_FILE='"+srv.CAPath()+"'")
	assert.Contains(t, string(env), "export HYBRIDMGMT_GRAPH_ENDPOINT='"+srv.URL()+"'")
	assert.Contains(t, string(env), "export HYBRIDMGMT_TENANT_ID='"+TenantID+"'")
	assert.NotContains(t, string(env), "AZURE_TENANT_ID", "a lab id must not outlive the lab in a shell")
	assert.Contains(t, string(env), "# Back to a real tenant in this shell: unset SSL_CERT_FILE HYBRIDMGMT_AUTHORITY_HOST")
	assert.NotContains(t, string(env), srv.Credentials().AdminPassword)
	assert.NotContains(t, string(env), srv.Credentials().ClientSecret)
}

func TestOnlyLoopbackAddresses(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:0", ":0"} {
		_, err := New(Options{Dir: t.TempDir(), Addr: addr})
		assert.Error(t, err, addr)
	}
}

func TestTemporaryDirIsRemoved(t *testing.T) {
	srv, err := New(Options{})
	require.NoError(t, err)
	dir := srv.Dir()
	_, err = os.Stat(filepath.Join(dir, FileState))
	require.NoError(t, err)
	require.NoError(t, srv.Close())
	_, err = os.Stat(dir)
	assert.True(t, os.IsNotExist(err))
}
