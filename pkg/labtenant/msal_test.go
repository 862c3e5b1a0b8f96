//lint:file-ignore SA1019 these tests prove the lab answers MSAL's username/password (ROPC) grant, which hybridmgmt still supports (pkg/auth/usernamepassword.go).

package labtenant

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests drive the lab with MSAL Go's real code paths: the same
// discovery, user-realm, token, device-code and loopback-redirect requests
// hybridmgmt will make.

func newPublic(t *testing.T, srv *Server, tenant string) public.Client {
	t.Helper()
	c, err := public.New(GraphCLIClientID,
		public.WithAuthority(srv.Authority(tenant)),
		public.WithHTTPClient(srv.Client()),
		public.WithInstanceDiscovery(false))
	require.NoError(t, err)
	return c
}

func TestMSALUsernamePassword(t *testing.T) {
	srv := newLab(t)
	ctx := testCtx(t)
	// A verified domain as the tenant: discovery must hand out endpoints
	// and an issuer MSAL accepts.
	pc := newPublic(t, srv, TenantDomain)

	res, err := pc.AcquireTokenByUsernamePassword(ctx, []string{graphDirScope}, AdminUPN, srv.Credentials().AdminPassword)
	require.NoError(t, err)
	assert.Equal(t, AdminUPN, res.Account.PreferredUsername)
	assert.Equal(t, AdminOID+"."+TenantID, res.Account.HomeAccountID)
	assert.Equal(t, AdminOID, res.IDToken.Oid)
	assert.Contains(t, res.GrantedScopes, graphDirScope)

	g := graphCall(t, srv, http.MethodGet, "/beta/onPremisesPublishingProfiles/applicationProxy/connectors", res.AccessToken, nil)
	assert.Equal(t, http.StatusOK, g.status, "%s", g.raw)

	// A warm cache answers without any token request.
	srv.ResetStats()
	accts, err := pc.Accounts(ctx)
	require.NoError(t, err)
	require.Len(t, accts, 1)
	again, err := pc.AcquireTokenSilent(ctx, []string{graphDirScope}, public.WithSilentAccount(accts[0]))
	require.NoError(t, err)
	assert.Equal(t, res.AccessToken, again.AccessToken)
	assert.Zero(t, srv.CountTokenRequests())

	_, err = pc.AcquireTokenByUsernamePassword(ctx, []string{graphDirScope}, AdminUPN, "wrong password")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AADSTS50126")

	_, err = pc.AcquireTokenByUsernamePassword(ctx, []string{graphDirScope}, MFAUPN, srv.Credentials().MFAPassword)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AADSTS50076")

	_, err = pc.AcquireTokenByUsernamePassword(ctx, []string{"https://graph.microsoft.com/Mail.Send"}, AdminUPN, srv.Credentials().AdminPassword)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AADSTS65001")

	// An unknown domain is not Managed: MSAL stops before the token call.
	srv.ResetStats()
	_, err = pc.AcquireTokenByUsernamePassword(ctx, []string{graphDirScope}, "someone@fabrikam.example", "x")
	require.Error(t, err)
	assert.Zero(t, srv.CountTokenRequests())
}

func TestMSALUnknownTenantAndClient(t *testing.T) {
	srv := newLab(t)
	ctx := testCtx(t)
	pc := newPublic(t, srv, "fabrikam.example")
	_, err := pc.AcquireTokenByUsernamePassword(ctx, []string{graphDirScope}, AdminUPN, srv.Credentials().AdminPassword)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AADSTS90002")

	other, err := public.New("11111111-2222-4333-8444-555555555555",
		public.WithAuthority(srv.Authority("")), public.WithHTTPClient(srv.Client()), public.WithInstanceDiscovery(false))
	require.NoError(t, err)
	_, err = other.AcquireTokenByUsernamePassword(ctx, []string{graphDirScope}, AdminUPN, srv.Credentials().AdminPassword)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AADSTS700016")
}

func TestMSALClientSecret(t *testing.T) {
	srv := newLab(t)
	ctx := testCtx(t)
	cred, err := confidential.NewCredFromSecret(srv.Credentials().ClientSecret)
	require.NoError(t, err)
	cc, err := confidential.New(srv.Authority(""), CIClientID, cred,
		confidential.WithHTTPClient(srv.Client()), confidential.WithInstanceDiscovery(false))
	require.NoError(t, err)
	scopes := []string{"https://graph.microsoft.com/.default"}
	res, err := cc.AcquireTokenByCredential(ctx, scopes)
	require.NoError(t, err)

	g := graphCall(t, srv, http.MethodGet, "/beta/applications?$select=id,appId", res.AccessToken, nil)
	assert.Equal(t, http.StatusOK, g.status, "%s", g.raw)

	srv.ResetStats()
	_, err = cc.AcquireTokenByCredential(ctx, scopes)
	require.NoError(t, err)
	assert.Zero(t, srv.CountTokenRequests(), "second call must come from MSAL's cache")

	bad, err := confidential.NewCredFromSecret("not-the-secret")
	require.NoError(t, err)
	cc2, err := confidential.New(srv.Authority(""), CIClientID, bad,
		confidential.WithHTTPClient(srv.Client()), confidential.WithInstanceDiscovery(false))
	require.NoError(t, err)
	_, err = cc2.AcquireTokenByCredential(ctx, scopes)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AADSTS7000215")
	assert.NotContains(t, err.Error(), srv.Credentials().ClientSecret)
}

func TestMSALClientCertificate(t *testing.T) {
	srv := newLab(t)
	ctx := testCtx(t)
	data, err := os.ReadFile(srv.Credentials().ClientCertFile)
	require.NoError(t, err)
	certs, key, err := confidential.CertFromPEM(data, "")
	require.NoError(t, err)
	cred, err := confidential.NewCredFromCert(certs, key)
	require.NoError(t, err)
	cc, err := confidential.New(srv.Authority(""), CIClientID, cred,
		confidential.WithHTTPClient(srv.Client()), confidential.WithInstanceDiscovery(false))
	require.NoError(t, err)
	res, err := cc.AcquireTokenByCredential(ctx, []string{"https://graph.microsoft.com/.default"})
	require.NoError(t, err)
	g := graphCall(t, srv, http.MethodGet, "/beta/applications/"+HybridAppObjectID, res.AccessToken, nil)
	assert.Equal(t, http.StatusOK, g.status, "%s", g.raw)

	// A certificate the app never registered is refused on its signature.
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "stranger"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &otherKey.PublicKey, otherKey)
	require.NoError(t, err)
	stranger, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	badCred, err := confidential.NewCredFromCert([]*x509.Certificate{stranger}, otherKey)
	require.NoError(t, err)
	cc2, err := confidential.New(srv.Authority(""), CIClientID, badCred,
		confidential.WithHTTPClient(srv.Client()), confidential.WithInstanceDiscovery(false))
	require.NoError(t, err)
	_, err = cc2.AcquireTokenByCredential(ctx, []string{"https://graph.microsoft.com/.default"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AADSTS700027")
}

func TestMSALDeviceCodeAutoApproved(t *testing.T) {
	srv := newLab(t)
	ctx := testCtx(t)
	pc := newPublic(t, srv, "organizations")
	dc, err := pc.AcquireTokenByDeviceCode(ctx, []string{graphDirScope})
	require.NoError(t, err)
	assert.Contains(t, dc.Result.Message, srv.URL()+"/devicelogin")
	assert.Len(t, dc.Result.UserCode, 9)
	res, err := dc.AuthenticationResult(ctx)
	require.NoError(t, err)
	assert.Equal(t, AdminUPN, res.Account.PreferredUsername)
	assert.Equal(t, TenantID, res.IDToken.TenantID)
}

func TestMSALDeviceCodeApprovedOnPage(t *testing.T) {
	srv := newLab(t, func(o *Options) { o.Settings.DeviceCodePolls = -1 })
	ctx := testCtx(t)
	pc := newPublic(t, srv, TenantID)
	dc, err := pc.AcquireTokenByDeviceCode(ctx, []string{graphDirScope})
	require.NoError(t, err)

	done := make(chan error, 1)
	go func() {
		res, err := dc.AuthenticationResult(ctx)
		if err == nil && res.Account.PreferredUsername != MFAUPN {
			err = assert.AnError
		}
		done <- err
	}()
	// Approve only after MSAL has been told authorization_pending once, so
	// the pending path is exercised; then approve as the MFA user, whom
	// device code (unlike ROPC) may sign in.
	require.Eventually(t, func() bool {
		for _, r := range srv.Requests() {
			if (r.GrantType == grantDeviceCodeShort || r.GrantType == grantDeviceCode) && r.Status == http.StatusBadRequest {
				return true
			}
		}
		return false
	}, 20*time.Second, 20*time.Millisecond)
	status, body := postForm(t, srv, "/devicelogin", url.Values{"user_code": {dc.Result.UserCode}, "username": {MFAUPN}})
	require.Equal(t, http.StatusOK, status, "%v", body)
	require.NoError(t, <-done)
}

func TestMSALInteractiveBrowse(t *testing.T) {
	srv := newLab(t)
	ctx := testCtx(t)
	pc := newPublic(t, srv, TenantID)
	opened := ""
	res, err := pc.AcquireTokenInteractive(ctx, []string{graphDirScope},
		public.WithLoginHint(MFAUPN),
		public.WithOpenURL(func(u string) error {
			opened = u
			return Browse(ctx, srv.Client(), u)
		}))
	require.NoError(t, err)
	assert.Equal(t, MFAUPN, res.Account.PreferredUsername)
	assert.True(t, strings.HasPrefix(opened, srv.URL()+"/"+TenantID+"/oauth2/v2.0/authorize?"), opened)
	assert.Contains(t, opened, "code_challenge_method=S256")

	var tokenReqs []Request
	for _, r := range srv.Requests() {
		if r.IsTokenRequest() {
			tokenReqs = append(tokenReqs, r)
		}
	}
	require.Len(t, tokenReqs, 1)
	assert.Equal(t, grantAuthCode, tokenReqs[0].GrantType)
	// The auth code never shows in the recorded query strings.
	for _, r := range srv.Requests() {
		assert.NotContains(t, r.Query, "lab-code.")
	}
}

func TestMSALRefreshWithShortLifetime(t *testing.T) {
	// Under MSAL's 5-minute expiry margin every silent call must refresh.
	srv := newLab(t, func(o *Options) { o.Settings.TokenLifetime = Duration(time.Minute) })
	ctx := testCtx(t)
	pc := newPublic(t, srv, TenantID)
	first, err := pc.AcquireTokenByUsernamePassword(ctx, []string{graphDirScope}, AdminUPN, srv.Credentials().AdminPassword)
	require.NoError(t, err)

	srv.ResetStats()
	second, err := pc.AcquireTokenSilent(ctx, []string{graphDirScope}, public.WithSilentAccount(first.Account))
	require.NoError(t, err)
	assert.NotEqual(t, first.AccessToken, second.AccessToken)
	require.Equal(t, 1, srv.CountTokenRequests())
	var grant string
	for _, r := range srv.Requests() {
		if r.IsTokenRequest() {
			grant = r.GrantType
		}
	}
	assert.Equal(t, grantRefreshToken, grant)
	g := graphCall(t, srv, http.MethodGet, "/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups", second.AccessToken, nil)
	assert.Equal(t, http.StatusOK, g.status)
}

func TestMSALTokenEndpointFault(t *testing.T) {
	srv := newLab(t, func(o *Options) {
		o.Faults = []Fault{{Kind: FaultTokenError, Count: 1, Status: http.StatusInternalServerError}}
	})
	ctx := testCtx(t)
	pc := newPublic(t, srv, TenantID)
	_, err := pc.AcquireTokenByUsernamePassword(ctx, []string{graphDirScope}, AdminUPN, srv.Credentials().AdminPassword)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AADSTS50000")
	// Count 1: the next attempt goes through.
	_, err = pc.AcquireTokenByUsernamePassword(ctx, []string{graphDirScope}, AdminUPN, srv.Credentials().AdminPassword)
	require.NoError(t, err)

	require.NoError(t, srv.SetFaults([]Fault{{Kind: FaultTokenError, AADSTS: 50076, Count: 1}}))
	_, err = pc.AcquireTokenByUsernamePassword(ctx, []string{graphDirScope}, ReaderUPN, srv.Credentials().ReaderPassword)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AADSTS50076")
	assert.Equal(t, 1, srv.Faults()[0].Fired)
}
