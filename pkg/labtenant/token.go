package labtenant

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

const (
	grantPassword     = "password"
	grantClientCreds  = "client_credentials"
	grantRefreshToken = "refresh_token"
	grantDeviceCode   = "urn:ietf:params:oauth:grant-type:device_code"
	// grantDeviceCodeShort is what MSAL Go sends; Entra accepts both.
	grantDeviceCodeShort = "device_code"
	grantAuthCode        = "authorization_code"
)

// token is the token endpoint. Order of checks follows Entra's: request
// shape, client, grant.
func (s *Server) token(w http.ResponseWriter, r *http.Request, t tenantRef) {
	if err := r.ParseForm(); err != nil {
		s.writeAADFail(w, r, aadErr(9002313))
		return
	}
	gt := r.PostForm.Get("grant_type")
	if gt == "" {
		s.writeAADFail(w, r, aadErr(90014))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	client, fail := s.authenticateClientLocked(r)
	if fail != nil {
		s.writeAADFail(w, r, fail)
		return
	}
	var g grant
	switch gt {
	case grantPassword:
		g, fail = s.passwordGrantLocked(r, client)
	case grantClientCreds:
		g, fail = s.clientCredentialsGrant(r, client, t)
	case grantRefreshToken:
		g, fail = s.refreshGrantLocked(r, client)
	case grantDeviceCode, grantDeviceCodeShort:
		g, fail = s.redeemDeviceCodeLocked(r, client)
	case grantAuthCode:
		g, fail = s.authCodeGrantLocked(r, client)
	default:
		fail = aadErr(70000, "The grant type '"+gt+"' is not supported by the lab.")
		fail.err = "unsupported_grant_type"
	}
	if fail != nil {
		s.writeAADFail(w, r, fail)
		return
	}
	g.clientInfo = r.PostForm.Get("client_info") == "1"
	s.issueLocked(w, r, g)
}

// userGrant checks the requested scopes against the client's consent and
// builds a delegated grant for user.
func (s *Server) userGrant(r *http.Request, client *ClientApp, user *User, scope string) (grant, *aadFail) {
	sr, fail := parseScopes(r, scope)
	if fail != nil {
		return grant{}, fail
	}
	perms, fail := delegatedGrant(client, sr)
	if fail != nil {
		return grant{}, fail
	}
	return grant{client: client, user: user, tenantID: TenantID, scopes: perms, scope: sr.raw, oidc: sr.oidc}, nil
}

func (s *Server) passwordGrantLocked(r *http.Request, client *ClientApp) (grant, *aadFail) {
	upn, pw := r.PostForm.Get("username"), r.PostForm.Get("password")
	user := s.st.user(upn)
	if user == nil || !strings.Contains(upn, "@") {
		return grant{}, aadErr(50034)
	}
	if !secretMatches(pw, user.PasswordHash) {
		return grant{}, aadErr(50126)
	}
	// Entra checks the password first, then policy: a correct password
	// for an MFA user still fails, which is what makes ROPC useless there.
	if user.RequiresMFA {
		return grant{}, aadErr(50076)
	}
	return s.userGrant(r, client, user, r.PostForm.Get("scope"))
}

func (s *Server) clientCredentialsGrant(r *http.Request, client *ClientApp, t tenantRef) (grant, *aadFail) {
	if client.Public {
		return grant{}, aadErr(7000218)
	}
	if t.multi {
		return grant{}, aadErr(50059)
	}
	sr, fail := parseScopes(r, r.PostForm.Get("scope"))
	if fail != nil {
		return grant{}, fail
	}
	// MSAL appends openid/profile/offline_access to every request; Entra
	// ignores them here, and so does the lab.
	if !sr.defaultScope || len(sr.perms) > 0 {
		return grant{}, aadErr(1002012)
	}
	return grant{client: client, tenantID: t.id, roles: append([]string(nil), client.AppRoles...), scope: sr.raw}, nil
}

func (s *Server) refreshGrantLocked(r *http.Request, client *ClientApp) (grant, *aadFail) {
	rt := r.PostForm.Get("refresh_token")
	rec, ok := s.st.Tokens[tokenKey(rt)]
	if rt == "" || !ok || rec.Kind != "refresh" || !equalFold(rec.ClientID, client.AppID) {
		return grant{}, aadErr(70000, "Provided grant is invalid or malformed.")
	}
	if s.now().After(rec.ExpiresAt) {
		return grant{}, aadErr(700082)
	}
	user := s.st.user(rec.UserID)
	if user == nil {
		return grant{}, aadErr(50034)
	}
	return s.userGrant(r, client, user, r.PostForm.Get("scope"))
}

func (s *Server) authCodeGrantLocked(r *http.Request, client *ClientApp) (grant, *aadFail) {
	code := r.PostForm.Get("code")
	ac, ok := s.authCodes[code]
	if !ok || !equalFold(ac.clientID, client.AppID) {
		return grant{}, aadErr(9002313, "Invalid request. Request is malformed or invalid. The authorization code is not valid.")
	}
	if ac.redeemed {
		return grant{}, aadErr(54005)
	}
	if s.now().After(ac.expires) {
		delete(s.authCodes, code)
		return grant{}, aadErr(70008)
	}
	if r.PostForm.Get("redirect_uri") != ac.redirectURI {
		return grant{}, aadErr(50011, "The redirect URI in the token request does not match the one used to obtain the authorization code.")
	}
	if ac.challenge != "" {
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		got := base64.RawURLEncoding.EncodeToString(sum[:])
		if subtle.ConstantTimeCompare([]byte(got), []byte(ac.challenge)) != 1 {
			return grant{}, aadErr(501481)
		}
	}
	ac.redeemed = true
	user := s.st.user(ac.userID)
	if user == nil {
		return grant{}, aadErr(50034)
	}
	return s.userGrant(r, client, user, r.PostForm.Get("scope"))
}
