package labtenant

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func getJSON(t *testing.T, srv *Server, path string) (int, map[string]any) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL() + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

func TestDiscoveryAndUserRealm(t *testing.T) {
	srv := newLab(t)
	status, d := getJSON(t, srv, "/contoso.com/v2.0/.well-known/openid-configuration")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, srv.URL()+"/"+TenantID+"/oauth2/v2.0/token", d["token_endpoint"])
	assert.Equal(t, srv.URL()+"/"+TenantID+"/oauth2/v2.0/devicecode", d["device_authorization_endpoint"])
	assert.Equal(t, srv.URL()+"/"+TenantID+"/v2.0", d["issuer"])

	_, d = getJSON(t, srv, "/organizations/v2.0/.well-known/openid-configuration")
	assert.Equal(t, srv.URL()+"/organizations/oauth2/v2.0/authorize", d["authorization_endpoint"])
	assert.Equal(t, srv.URL()+"/{tenantid}/v2.0", d["issuer"])

	status, d = getJSON(t, srv, "/nosuch.example/v2.0/.well-known/openid-configuration")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_tenant", d["error"])
	assert.Equal(t, []any{float64(90002)}, d["error_codes"])
	for _, k := range []string{"error_description", "timestamp", "trace_id", "correlation_id"} {
		assert.NotEmpty(t, d[k], k)
	}

	_, d = getJSON(t, srv, "/common/UserRealm/admin@contoso.com?api-version=1.0")
	assert.Equal(t, "Managed", d["account_type"])
	assert.Equal(t, "contoso.com", d["domain_name"])
	assert.Equal(t, "urn:federation:MicrosoftOnline", d["cloud_audience_urn"])
	_, d = getJSON(t, srv, "/common/UserRealm/x@fabrikam.example?api-version=1.0")
	assert.Equal(t, "Unknown", d["account_type"])

	// The ID-token key is published where discovery says.
	_, d = getJSON(t, srv, "/"+TenantID+"/discovery/v2.0/keys")
	assert.Len(t, d["keys"], 1)
}

func TestTokenErrorsInAADShape(t *testing.T) {
	srv := newLab(t)
	tokenPath := "/" + TenantID + "/oauth2/v2.0/token"
	cases := []struct {
		name   string
		form   url.Values
		status int
		code   float64
		err    string
	}{
		{"unknown client", url.Values{"grant_type": {"client_credentials"}, "client_id": {"11111111-2222-4333-8444-555555555555"},
			"client_secret": {"x"}, "scope": {"https://graph.microsoft.com/.default"}}, 400, 700016, "unauthorized_client"},
		{"bad secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {CIClientID},
			"client_secret": {"x"}, "scope": {"https://graph.microsoft.com/.default"}}, 401, 7000215, "invalid_client"},
		{"no credential", url.Values{"grant_type": {"client_credentials"}, "client_id": {CIClientID},
			"scope": {"https://graph.microsoft.com/.default"}}, 401, 7000218, "invalid_client"},
		{"named scope for app token", url.Values{"grant_type": {"client_credentials"}, "client_id": {CIClientID},
			"client_secret": {srv.Credentials().ClientSecret}, "scope": {graphDirScope}}, 400, 1002012, "invalid_scope"},
		{"secret on a public client", url.Values{"grant_type": {"password"}, "client_id": {GraphCLIClientID},
			"client_secret": {"x"}, "username": {AdminUPN}, "password": {"x"}, "scope": {graphDirScope}}, 400, 700025, "invalid_client"},
		{"unknown user", url.Values{"grant_type": {"password"}, "client_id": {GraphCLIClientID},
			"username": {"nobody@contoso.com"}, "password": {"x"}, "scope": {graphDirScope}}, 400, 50034, "invalid_grant"},
		{"foreign resource", url.Values{"grant_type": {"password"}, "client_id": {GraphCLIClientID},
			"username": {AdminUPN}, "password": {srv.Credentials().AdminPassword}, "scope": {"https://vault.azure.net/user_impersonation"}}, 400, 500011, "invalid_resource"},
		{"bad refresh token", url.Values{"grant_type": {"refresh_token"}, "client_id": {GraphCLIClientID},
			"refresh_token": {"lab-rt.nope"}, "scope": {graphDirScope}}, 400, 70000, "invalid_grant"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := postForm(t, srv, tokenPath, tc.form)
			assert.Equal(t, tc.status, status)
			assert.Equal(t, tc.err, body["error"])
			assert.Equal(t, []any{tc.code}, body["error_codes"])
			assert.True(t, strings.HasPrefix(body["error_description"].(string), "AADSTS"))
		})
	}
}

// signPS256 builds a client assertion by hand, so a test can pair the
// registered certificate's thumbprint with a key that is not its own.
func signPS256(t *testing.T, key *rsa.PrivateKey, certDER []byte, claims map[string]any) string {
	t.Helper()
	thumb := sha256.Sum256(certDER)
	hdr, _ := json.Marshal(map[string]any{"alg": "PS256", "typ": "JWT", "x5t#S256": base64.StdEncoding.EncodeToString(thumb[:])})
	body, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(body)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPSS(rand.Reader, key, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	require.NoError(t, err)
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestClientAssertionChecks(t *testing.T) {
	srv := newLab(t)
	data, err := os.ReadFile(srv.Credentials().ClientCertFile)
	require.NoError(t, err)
	var certDER []byte
	var key *rsa.PrivateKey
	for b, rest := pem.Decode(data); b != nil; b, rest = pem.Decode(rest) {
		switch b.Type {
		case "CERTIFICATE":
			certDER = b.Bytes
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			require.NoError(t, err)
			key = k.(*rsa.PrivateKey)
		}
	}
	require.NotNil(t, key)
	tokenURL := srv.URL() + "/" + TenantID + "/oauth2/v2.0/token"
	claims := func(aud string, exp time.Time) map[string]any {
		return map[string]any{"aud": aud, "iss": CIClientID, "sub": CIClientID, "jti": newGUID(),
			"nbf": time.Now().Unix(), "exp": exp.Unix()}
	}
	try := func(assertion string) (int, map[string]any) {
		return postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/token", url.Values{
			"grant_type": {"client_credentials"}, "client_id": {CIClientID},
			"client_assertion_type": {clientAssertionType}, "client_assertion": {assertion},
			"scope": {"https://graph.microsoft.com/.default"},
		})
	}

	status, body := try(signPS256(t, key, certDER, claims(tokenURL, time.Now().Add(5*time.Minute))))
	require.Equal(t, http.StatusOK, status, "%v", body)

	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	status, body = try(signPS256(t, other, certDER, claims(tokenURL, time.Now().Add(5*time.Minute))))
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, []any{float64(700027)}, body["error_codes"])

	status, body = try(signPS256(t, key, certDER, claims("https://login.microsoftonline.com/x/oauth2/v2.0/token", time.Now().Add(5*time.Minute))))
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body["error_description"], "audience")

	status, body = try(signPS256(t, key, certDER, claims(tokenURL, time.Now().Add(-time.Hour))))
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, []any{float64(700024)}, body["error_codes"])
}

// fakeListener stands in for a CLI's loopback redirect listener.
func fakeListener(t *testing.T) (string, <-chan url.Values) {
	t.Helper()
	got := make(chan url.Values, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		got <- r.Form
		_, _ = io.WriteString(w, "ok")
	})}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	return "http://" + ln.Addr().String() + "/cb", got
}

func authorizeURL(srv *Server, redirect, mode, challenge string) string {
	q := url.Values{"client_id": {GraphCLIClientID}, "response_type": {"code"}, "redirect_uri": {redirect},
		"scope": {graphDirScope + " openid offline_access profile"}, "state": {"st-1"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	if mode != "" {
		q.Set("response_mode", mode)
	}
	return srv.URL() + "/" + TenantID + "/oauth2/v2.0/authorize?" + q.Encode()
}

func TestAuthCodeQueryModeAndPKCE(t *testing.T) {
	srv := newLab(t)
	ctx := testCtx(t)
	redirect, got := fakeListener(t)
	verifier := randomToken(32)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])

	require.NoError(t, Browse(ctx, srv.Client(), authorizeURL(srv, redirect, "", challenge)))
	params := <-got
	assert.Equal(t, "st-1", params.Get("state"))
	code := params.Get("code")
	require.NotEmpty(t, code)

	exchange := func(v string) (int, map[string]any) {
		return postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/token", url.Values{
			"grant_type": {"authorization_code"}, "client_id": {GraphCLIClientID}, "code": {code},
			"redirect_uri": {redirect}, "code_verifier": {v}, "scope": {graphDirScope + " openid offline_access profile"},
			"client_info": {"1"},
		})
	}
	status, body := exchange("not-the-verifier")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, []any{float64(501481)}, body["error_codes"])

	status, body = exchange(verifier)
	require.Equal(t, http.StatusOK, status, "%v", body)
	for _, k := range []string{"access_token", "refresh_token", "id_token", "client_info", "scope", "expires_in", "ext_expires_in", "token_type"} {
		assert.NotEmpty(t, body[k], k)
	}
	ci, err := base64.RawURLEncoding.DecodeString(body["client_info"].(string))
	require.NoError(t, err)
	assert.JSONEq(t, `{"uid":"`+AdminOID+`","utid":"`+TenantID+`"}`, string(ci))

	status, body = exchange(verifier)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, []any{float64(54005)}, body["error_codes"], "a code is redeemed once")
}

func TestAuthorizeRefusesForeignRedirect(t *testing.T) {
	srv := newLab(t)
	resp, err := srv.Client().Get(authorizeURL(srv, "https://evil.example/cb", "form_post", "x"))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(body), "AADSTS50011")
}

func TestBrowseRefusesNonLoopback(t *testing.T) {
	ctx := testCtx(t)
	for _, u := range []string{"https://login.microsoftonline.com/common/oauth2/v2.0/authorize", "http://10.0.0.1/", "file:///etc/passwd"} {
		err := Browse(ctx, nil, u)
		require.Error(t, err, u)
		assert.Contains(t, err.Error(), "refusing")
	}
}

func TestDeviceLoginDecline(t *testing.T) {
	srv := newLab(t, func(o *Options) { o.Settings.DeviceCodePolls = -1 })
	status, dc := postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/devicecode", url.Values{
		"client_id": {GraphCLIClientID}, "scope": {graphDirScope + " openid profile offline_access"}})
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, float64(1), dc["interval"])
	poll := func() (int, map[string]any) {
		return postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/token", url.Values{
			"grant_type": {"device_code"}, "client_id": {GraphCLIClientID}, "device_code": {dc["device_code"].(string)}})
	}
	status, body := poll()
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "authorization_pending", body["error"])

	status, _ = postForm(t, srv, "/devicelogin", url.Values{"user_code": {dc["user_code"].(string)}, "decline": {"1"}})
	require.Equal(t, http.StatusOK, status)
	_, body = poll()
	assert.Equal(t, "authorization_declined", body["error"])
}

func TestRequestLogHoldsNoSecrets(t *testing.T) {
	srv := newLab(t)
	ropcToken(t, srv, AdminUPN, graphDirScope)
	appToken(t, srv)
	resp, err := srv.Client().Get(srv.URL() + "/_lab/requests")
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out struct {
		Count         int       `json:"count"`
		TokenRequests int       `json:"tokenRequests"`
		Requests      []Request `json:"requests"`
	}
	require.NoError(t, json.Unmarshal(raw, &out))
	assert.Equal(t, 2, out.TokenRequests)
	assert.Equal(t, "password", out.Requests[0].GrantType)
	assert.Equal(t, "client_credentials", out.Requests[1].GrantType)
	creds := srv.Credentials()
	for _, secret := range []string{creds.AdminPassword, creds.ClientSecret, "lab-at.", "lab-rt."} {
		assert.NotContains(t, string(raw), secret)
	}
	state, err := os.ReadFile(srv.Dir() + "/" + FileState)
	require.NoError(t, err)
	for _, secret := range []string{creds.AdminPassword, creds.ClientSecret, "lab-at.", "lab-rt."} {
		assert.NotContains(t, string(state), secret)
	}

	resp2, err := srv.Client().Post(srv.URL()+"/_lab/reset-stats", "application/json", nil)
	require.NoError(t, err)
	resp2.Body.Close()
	assert.Empty(t, srv.Requests())
}

// DeviceCodeLifetime sets expires_in and when polls answer expired_token;
// the default is Entra's 15 minutes.
func TestDeviceCodeLifetime(t *testing.T) {
	start := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var skew atomic.Int64 // the lab's clock runs in its handlers
	srv := newLab(t, func(o *Options) {
		o.Settings.DeviceCodePolls = -1
		o.Now = func() time.Time { return start.Add(time.Duration(skew.Load())) }
	})
	ask := func() map[string]any {
		status, dc := postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/devicecode", url.Values{
			"client_id": {GraphCLIClientID}, "scope": {graphDirScope + " openid profile offline_access"}})
		require.Equal(t, http.StatusOK, status)
		return dc
	}
	assert.Equal(t, float64(900), ask()["expires_in"])

	srv.SetSettings(Settings{DeviceCodePolls: -1, DeviceCodeLifetime: Duration(90 * time.Second)})
	dc := ask()
	assert.Equal(t, float64(90), dc["expires_in"])
	poll := func() map[string]any {
		_, body := postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/token", url.Values{
			"grant_type": {"device_code"}, "client_id": {GraphCLIClientID}, "device_code": {dc["device_code"].(string)}})
		return body
	}
	skew.Store(int64(89 * time.Second))
	assert.Equal(t, "authorization_pending", poll()["error"])
	skew.Store(int64(91 * time.Second))
	assert.Equal(t, "expired_token", poll()["error"])
}
