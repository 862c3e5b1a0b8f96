package labtenant

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"time"
)

const refreshTokenLifetime = 90 * 24 * time.Hour

// grant is a successful authorization, ready to become tokens.
type grant struct {
	client   *ClientApp
	user     *User // nil for app-only
	tenantID string
	scopes   []string // delegated permissions (scp)
	roles    []string // application permissions (roles)
	scope    string   // the scope parameter to echo
	oidc     map[string]bool
	// clientInfo is set when the request asked for client_info=1.
	clientInfo bool
}

// tokenKey is how the lab files a token: by hash, so state.json never
// holds a usable token.
func tokenKey(tok string) string { return hashSecret(tok) }

// issueLocked mints tokens for g and writes the token response. The caller
// holds s.mu.
func (s *Server) issueLocked(w http.ResponseWriter, r *http.Request, g grant) {
	now := s.now()
	life := s.settings.tokenLifetime()
	at := "lab-at." + randomToken(32)
	rec := &TokenRecord{
		Kind: "access", ClientID: g.client.AppID, TenantID: g.tenantID,
		AppOnly: g.user == nil, Scopes: g.scopes, Roles: g.roles, ExpiresAt: now.Add(life),
	}
	if g.user != nil {
		rec.UserID, rec.UPN = g.user.ID, g.user.UPN
	}
	s.st.Tokens[tokenKey(at)] = rec

	secs := int64(life / time.Second)
	if secs < 1 {
		secs = 1
	}
	resp := map[string]any{
		"token_type":     "Bearer",
		"scope":          g.scope,
		"expires_in":     secs,
		"ext_expires_in": secs,
		"access_token":   at,
	}
	if g.user != nil {
		if g.oidc["offline_access"] {
			rt := "lab-rt." + randomToken(48)
			s.st.Tokens[tokenKey(rt)] = &TokenRecord{
				Kind: "refresh", ClientID: g.client.AppID, TenantID: g.tenantID,
				UserID: g.user.ID, UPN: g.user.UPN, ExpiresAt: now.Add(refreshTokenLifetime),
			}
			resp["refresh_token"] = rt
		}
		if g.oidc["openid"] {
			resp["id_token"] = s.idToken(r, g, now)
		}
		if g.clientInfo {
			ci, _ := json.Marshal(map[string]string{"uid": g.user.ID, "utid": g.tenantID})
			resp["client_info"] = base64.RawURLEncoding.EncodeToString(ci)
		}
	}
	if f, ok := s.faults.take(FaultAccessToken, r); ok {
		resp["access_token"] = f.Value
	}
	s.persistLocked()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
	w.Header().Set("x-ms-request-id", newGUID())
	encodeJSON(w, resp)
}

// idToken is a v2.0 ID token signed ES256 with a per-run lab key (served
// at the jwks_uri). MSAL only parses it; the signature is for clients that
// insist on one.
func (s *Server) idToken(r *http.Request, g grant, now time.Time) string {
	pairwise := sha256.Sum256([]byte(g.user.ID + "|" + g.client.AppID))
	claims := map[string]any{
		"aud":                g.client.AppID,
		"iss":                s.baseURL(r) + "/" + g.tenantID + "/v2.0",
		"iat":                now.Unix(),
		"nbf":                now.Unix(),
		"exp":                now.Add(time.Hour).Unix(),
		"name":               g.user.DisplayName,
		"oid":                g.user.ID,
		"preferred_username": g.user.UPN,
		"sub":                base64.RawURLEncoding.EncodeToString(pairwise[:]),
		"tid":                g.tenantID,
		"uti":                randomToken(16),
		"ver":                "2.0",
	}
	return s.signJWT(claims)
}

func (s *Server) signJWT(claims map[string]any) string {
	hdr, _ := json.Marshal(map[string]string{"typ": "JWT", "alg": "ES256", "kid": s.idKid})
	body, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(body)
	digest := sha256.Sum256([]byte(input))
	der, err := ecdsa.SignASN1(rand.Reader, s.idKey, digest[:])
	if err != nil {
		return input + "."
	}
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &sig); err != nil {
		return input + "."
	}
	raw := make([]byte, 64)
	sig.R.FillBytes(raw[:32])
	sig.S.FillBytes(raw[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(raw)
}

// jwks publishes the ID-token key.
func (s *Server) jwks() map[string]any {
	pub, err := s.idKey.PublicKey.ECDH()
	if err != nil {
		return map[string]any{"keys": []any{}}
	}
	pt := pub.Bytes() // 0x04 || X || Y
	return map[string]any{"keys": []any{map[string]any{
		"kty": "EC", "use": "sig", "alg": "ES256", "crv": "P-256", "kid": s.idKid,
		"x": base64.RawURLEncoding.EncodeToString(pt[1:33]),
		"y": base64.RawURLEncoding.EncodeToString(pt[33:65]),
	}}}
}

// tokenFail is why a bearer token was refused.
type tokenFail string

// lookupAccessToken resolves a Graph bearer token.
func (s *Server) lookupAccessToken(r *http.Request) (TokenRecord, tokenFail) {
	h := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if h == "" || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return TokenRecord{}, "Access token is empty."
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.st.Tokens[tokenKey(tok)]
	if !ok || rec.Kind != "access" {
		return TokenRecord{}, "Invalid JWT token. Token format not valid."
	}
	if s.now().After(rec.ExpiresAt) {
		return TokenRecord{}, "Lifetime validation failed, the token is expired."
	}
	return *rec, ""
}
