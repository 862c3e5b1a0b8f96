package auth

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Test identities of the fake tenant.
const (
	testTenantID     = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	testClientID     = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
	testAppClientID  = "5e3ce6c0-2b1f-4285-8d4b-75ee78787346"
	testTenantDomain = "contoso.com"
	testUser         = "Admin@Contoso.com"
	testPassword     = "Pa55-w0rd!correct-horse"
	testMFAUser      = "mfa@contoso.com"
	testUser2        = "second@contoso.com"
	testClientSecret = "s3cr3t~VALUE.abcdefghijklmnop"
	graphScope       = "https://graph.microsoft.com/Directory.ReadWrite.All"
	graphDefault     = "https://graph.microsoft.com/.default"
)

type fakeUser struct {
	upn, password, oid string
	mfa                bool
}

type pendingCode struct {
	user                             *fakeUser
	challenge, redirectURI, clientID string
}

// fakeAuthority is a minimal Microsoft Entra authority on a TLS test
// server: openid-configuration, UserRealm, authorize, devicecode and the
// token endpoint for the authorization_code, device_code, password,
// refresh_token and client_credentials grants. It counts every request.
type fakeAuthority struct {
	srv *httptest.Server
	t   testing.TB

	mu     sync.Mutex
	counts map[string]int
	users  map[string]*fakeUser // by lower-case UPN
	// appCert verifies client assertions.
	appCert *x509.Certificate
	// expiresIn is the lifetime of issued access tokens, in seconds.
	expiresIn int
	// devicePending is how many polls answer authorization_pending.
	devicePending int
	// tokenStatus, when set, is the token endpoint's only answer.
	tokenStatus int
	// lastLoginHint is the login_hint of the last authorize request.
	lastLoginHint string
	// intercept, when set, sees every request first and answers it
	// instead when it returns true (hostile-server tests).
	intercept func(w http.ResponseWriter, r *http.Request) bool

	seq           int
	codes         map[string]pendingCode
	deviceCodes   map[string]*fakeUser
	refreshTokens map[string]*fakeUser
	issued        []string // every access token issued
}

func newFakeAuthority(t testing.TB) *fakeAuthority {
	a := &fakeAuthority{
		t:             t,
		counts:        map[string]int{},
		expiresIn:     3600,
		codes:         map[string]pendingCode{},
		deviceCodes:   map[string]*fakeUser{},
		refreshTokens: map[string]*fakeUser{},
		users: map[string]*fakeUser{
			strings.ToLower(testUser):    {upn: testUser, password: testPassword, oid: "00000000-0000-0000-0000-00000000a001"},
			strings.ToLower(testMFAUser): {upn: testMFAUser, password: testPassword, oid: "00000000-0000-0000-0000-00000000a002", mfa: true},
			strings.ToLower(testUser2):   {upn: testUser2, password: testPassword, oid: "00000000-0000-0000-0000-00000000a003"},
		},
	}
	a.srv = httptest.NewUnstartedServer(http.HandlerFunc(a.serve))
	// Tests of untrusted certificates make the server log handshake errors.
	a.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	a.srv.StartTLS()
	t.Cleanup(a.srv.Close)
	return a
}

// count returns how many requests hit key ("openid", "userrealm",
// "authorize", "devicecode", "token", "token:<grant_type>").
func (a *fakeAuthority) count(key string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.counts[key]
}

func (a *fakeAuthority) set(f func(a *fakeAuthority)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(a)
}

func (a *fakeAuthority) tokens() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.issued...)
}

func (a *fakeAuthority) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	intercept := a.intercept
	a.mu.Unlock()
	if intercept != nil && intercept(w, r) {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 4 && parts[1] == "v2.0" && parts[3] == "openid-configuration":
		a.counts["openid"]++
		a.openID(w, parts[0])
	case len(parts) == 3 && parts[0] == "common" && parts[1] == "UserRealm":
		a.counts["userrealm"]++
		domain := parts[2][strings.LastIndex(parts[2], "@")+1:]
		writeJSON(w, 200, map[string]any{
			"ver": "1.0", "account_type": "Managed", "domain_name": domain,
			"cloud_instance_name": "microsoftonline.com", "cloud_audience_urn": "urn:federation:MicrosoftOnline",
		})
	case len(parts) == 4 && parts[1] == "oauth2" && parts[3] == "authorize" && r.Method == http.MethodGet:
		a.counts["authorize"]++
		a.authorize(w, r)
	case len(parts) == 4 && parts[1] == "oauth2" && parts[3] == "devicecode" && r.Method == http.MethodPost:
		a.counts["devicecode"]++
		a.deviceCode(w, r)
	case len(parts) == 4 && parts[1] == "oauth2" && parts[3] == "token" && r.Method == http.MethodPost:
		a.counts["token"]++
		a.token(w, r)
	default:
		a.counts["other"]++
		http.NotFound(w, r)
	}
}

func (a *fakeAuthority) openID(w http.ResponseWriter, tenant string) {
	if tenant == "nosuch.example" {
		aadError(w, 400, "invalid_tenant", 90002, "Tenant 'nosuch.example' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.")
		return
	}
	base := a.srv.URL + "/" + tenant
	writeJSON(w, 200, map[string]any{
		"authorization_endpoint":        base + "/oauth2/v2.0/authorize",
		"token_endpoint":                base + "/oauth2/v2.0/token",
		"device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
		"issuer":                        a.srv.URL + "/" + testTenantID + "/v2.0",
		"response_modes_supported":      []string{"query", "fragment", "form_post"},
	})
}

// authorize stands in for the sign-in pages: the user (the login_hint, or
// the test user) signs in at once and the answer tells the test's
// browser where to post the code (response_mode=form_post).
func (a *fakeAuthority) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" ||
		q.Get("state") == "" || q.Get("response_mode") != "form_post" || !strings.HasPrefix(q.Get("redirect_uri"), "http://localhost:") {
		http.Error(w, "bad authorize request: "+r.URL.RawQuery, 400)
		return
	}
	a.lastLoginHint = q.Get("login_hint")
	u := a.users[strings.ToLower(testUser)]
	if hint := q.Get("login_hint"); hint != "" {
		if hu, ok := a.users[strings.ToLower(hint)]; ok {
			u = hu
		}
	}
	a.seq++
	code := fmt.Sprintf("authcode-%d", a.seq)
	a.codes[code] = pendingCode{user: u, challenge: q.Get("code_challenge"), redirectURI: q.Get("redirect_uri"), clientID: q.Get("client_id")}
	writeJSON(w, 200, map[string]string{"redirect_uri": q.Get("redirect_uri"), "code": code, "state": q.Get("state")})
}

func (a *fakeAuthority) deviceCode(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	if r.PostForm.Get("client_id") == "" || r.PostForm.Get("scope") == "" {
		http.Error(w, "bad devicecode request", 400)
		return
	}
	a.seq++
	dc := fmt.Sprintf("devicecode-%d", a.seq)
	a.deviceCodes[dc] = a.users[strings.ToLower(testUser)]
	writeJSON(w, 200, map[string]any{
		"user_code": "FAKE-CODE", "device_code": dc, "verification_uri": a.srv.URL + "/devicelogin",
		"expires_in": 900, "interval": 1,
		"message": "To sign in, use a web browser to open the page " + a.srv.URL + "/devicelogin and enter the code FAKE-CODE to authenticate.",
	})
}

func (a *fakeAuthority) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", 400)
		return
	}
	f := r.PostForm
	grant := f.Get("grant_type")
	a.counts["token:"+grant]++
	if a.tokenStatus != 0 {
		http.Error(w, `{"error":"temporarily_unavailable","error_description":"AADSTS90033: A transient error has occurred. Please try again."}`, a.tokenStatus)
		return
	}
	scope := f.Get("scope")
	if scope == "" {
		http.Error(w, "no scope", 400)
		return
	}
	switch grant {
	case "password":
		u, ok := a.users[strings.ToLower(f.Get("username"))]
		switch {
		case !ok:
			aadError(w, 400, "invalid_grant", 50034, "The user account {EUII Hidden} does not exist in the "+testTenantID+" directory. To sign into this application, the account must be added to the directory.")
		case u.password != f.Get("password"):
			aadError(w, 400, "invalid_grant", 50126, "Error validating credentials due to invalid username or password.")
		case u.mfa:
			aadError(w, 400, "invalid_grant", 50076, "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.")
		default:
			a.userToken(w, f, u)
		}
	case "authorization_code":
		pc, ok := a.codes[f.Get("code")]
		delete(a.codes, f.Get("code"))
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		switch {
		case !ok:
			aadError(w, 400, "invalid_grant", 70000, "The provided authorization code is invalid or has expired.")
		case base64.RawURLEncoding.EncodeToString(sum[:]) != pc.challenge:
			aadError(w, 400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
		case pc.redirectURI != f.Get("redirect_uri") || pc.clientID != f.Get("client_id"):
			aadError(w, 400, "invalid_grant", 50148, "The redirect URI or client id does not match the authorization request.")
		default:
			a.userToken(w, f, pc.user)
		}
	case "device_code", "urn:ietf:params:oauth:grant-type:device_code":
		u, ok := a.deviceCodes[f.Get("device_code")]
		switch {
		case !ok:
			aadError(w, 400, "expired_token", 70020, "The provided value for the input parameter 'device_code' is not valid.")
		case a.devicePending > 0:
			a.devicePending--
			aadError(w, 400, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
		default:
			delete(a.deviceCodes, f.Get("device_code"))
			a.userToken(w, f, u)
		}
	case "refresh_token":
		u, ok := a.refreshTokens[f.Get("refresh_token")]
		if !ok {
			aadError(w, 400, "invalid_grant", 700082, "The refresh token has expired due to inactivity.")
			return
		}
		delete(a.refreshTokens, f.Get("refresh_token"))
		a.userToken(w, f, u)
	case "client_credentials":
		if f.Get("client_id") != testAppClientID {
			aadError(w, 400, "unauthorized_client", 700016, "Application with identifier '"+f.Get("client_id")+"' was not found in the directory 'Contoso'. This can happen if the application has not been installed by the administrator of the tenant.")
			return
		}
		if s := f.Get("client_secret"); s != "" {
			if s != testClientSecret {
				aadError(w, 401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.")
				return
			}
		} else if err := a.verifyAssertion(f); err != nil {
			aadError(w, 401, "invalid_client", 700027, "Client assertion failed signature validation: "+err.Error()+".")
			return
		}
		a.seq++
		at := fmt.Sprintf("app-access-token-%d", a.seq)
		a.issued = append(a.issued, at)
		writeJSON(w, 200, map[string]any{
			"token_type": "Bearer", "expires_in": a.expiresIn, "ext_expires_in": a.expiresIn,
			"access_token": at, "scope": scope,
		})
	default:
		aadError(w, 400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '"+grant+"'.")
	}
}

// verifyAssertion checks a PS256 client assertion against appCert.
func (a *fakeAuthority) verifyAssertion(f url.Values) error {
	if f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		return fmt.Errorf("no client credential")
	}
	if a.appCert == nil {
		return fmt.Errorf("no certificate registered")
	}
	parts := strings.Split(f.Get("client_assertion"), ".")
	if len(parts) != 3 {
		return fmt.Errorf("malformed assertion")
	}
	var hdr map[string]any
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if err := json.Unmarshal(hb, &hdr); err != nil {
		return err
	}
	thumb := sha256.Sum256(a.appCert.Raw)
	if hdr["x5t#S256"] != base64.StdEncoding.EncodeToString(thumb[:]) {
		return fmt.Errorf("unknown certificate thumbprint")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	pub := a.appCert.PublicKey.(*rsa.PublicKey)
	switch hdr["alg"] {
	case "PS256":
		return rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
	case "RS256":
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig)
	}
	return fmt.Errorf("unexpected alg %v", hdr["alg"])
}

// userToken answers a user grant the way Entra does: echoed scope, a
// refresh token, an id_token (unsigned here; MSAL does not verify it) and
// client_info, without which MSAL caches no account.
func (a *fakeAuthority) userToken(w http.ResponseWriter, f url.Values, u *fakeUser) {
	a.seq++
	at := fmt.Sprintf("user-access-token-%d", a.seq)
	rt := fmt.Sprintf("user-refresh-token-%d", a.seq)
	a.issued = append(a.issued, at)
	a.refreshTokens[rt] = u
	now := time.Now().Unix()
	idToken := jwtNone(map[string]any{
		"aud": f.Get("client_id"), "iss": a.srv.URL + "/" + testTenantID + "/v2.0",
		"iat": now, "nbf": now, "exp": now + 3600, "ver": "2.0",
		"tid": testTenantID, "oid": u.oid, "sub": "sub-" + u.oid,
		"preferred_username": u.upn, "name": "Test " + u.upn,
	})
	clientInfo := base64.RawURLEncoding.EncodeToString([]byte(`{"uid":"` + u.oid + `","utid":"` + testTenantID + `"}`))
	writeJSON(w, 200, map[string]any{
		"token_type": "Bearer", "scope": f.Get("scope"),
		"expires_in": a.expiresIn, "ext_expires_in": a.expiresIn,
		"access_token": at, "refresh_token": rt, "id_token": idToken, "client_info": clientInfo,
	})
}

func jwtNone(claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
	p, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
}

// aadError writes Entra's error body: the description starts with the
// AADSTS code and goes on with trace lines.
func aadError(w http.ResponseWriter, status int, code string, aadsts int, desc string) {
	writeJSON(w, status, map[string]any{
		"error": code,
		"error_description": fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: 0b9e9a43-1b2f-4e7b-9c0b-6f3f0c8f5a00\r\nCorrelation ID: 3c2a9e0e-5d5c-4f47-8f4f-1c6b0d0c7e11\r\nTimestamp: %s",
			aadsts, desc, time.Now().UTC().Format("2006-01-02 15:04:05Z")),
		"error_codes":    []int{aadsts},
		"timestamp":      time.Now().UTC().Format("2006-01-02 15:04:05Z"),
		"trace_id":       "0b9e9a43-1b2f-4e7b-9c0b-6f3f0c8f5a00",
		"correlation_id": "3c2a9e0e-5d5c-4f47-8f4f-1c6b0d0c7e11",
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// browse plays the user's browser for interactive sign-in: it loads the
// authorize URL from the fake authority (trusting only its certificate)
// and posts the code to MSAL's localhost redirect listener.
func browse(client *http.Client, authURL string) error {
	resp, err := client.Get(authURL)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("authorize: HTTP %d", resp.StatusCode)
	}
	var answer struct {
		RedirectURI string `json:"redirect_uri"`
		Code        string `json:"code"`
		State       string `json:"state"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return err
	}
	form := url.Values{"code": {answer.Code}, "state": {answer.State}}
	resp2, err := http.PostForm(answer.RedirectURI, form)
	if err != nil {
		return err
	}
	defer resp2.Body.Close()
	if resp2.StatusCode != 200 {
		return fmt.Errorf("redirect listener: HTTP %d", resp2.StatusCode)
	}
	return nil
}

// testKey is one RSA key for all certificate tests (generation is slow
// under -race).
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})
