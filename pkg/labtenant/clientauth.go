package labtenant

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1" // #nosec G505 -- x5t is defined as a SHA-1 thumbprint; not used for security
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionSkew is how far exp/nbf may be off, as Entra tolerates.
const assertionSkew = 5 * time.Minute

// authenticateClientLocked identifies the client and checks its
// credential: none for a public client, a secret (post or basic) or a
// certificate-signed assertion for a confidential one.
func (s *Server) authenticateClientLocked(r *http.Request) (*ClientApp, *aadFail) {
	clientID := r.PostForm.Get("client_id")
	secret := r.PostForm.Get("client_secret")
	if id, sec, ok := r.BasicAuth(); ok {
		if uid, err := url.QueryUnescape(id); err == nil {
			id = uid
		}
		if usec, err := url.QueryUnescape(sec); err == nil {
			sec = usec
		}
		if clientID == "" {
			clientID = id
		}
		secret = sec
	}
	assertion := r.PostForm.Get("client_assertion")
	if clientID == "" {
		return nil, aadErr(900144)
	}
	client := s.st.client(clientID)
	if client == nil {
		return nil, unknownClient(clientID)
	}
	if client.Public {
		if secret != "" || assertion != "" {
			return nil, aadErr(700025)
		}
		return client, nil
	}
	switch {
	case assertion != "":
		if r.PostForm.Get("client_assertion_type") != clientAssertionType {
			return nil, aadErr(9002313, "Invalid request. The client_assertion_type must be '"+clientAssertionType+"'.")
		}
		if err := s.verifyAssertion(r, client, assertion); err != nil {
			return nil, err
		}
	case secret != "":
		if !secretMatches(secret, client.SecretHash) {
			return nil, aadErr(7000215, fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", client.AppID))
		}
	default:
		return nil, aadErr(7000218)
	}
	return client, nil
}

// verifyAssertion checks a private_key_jwt client assertion: the
// signature with stdlib RSA against a registered certificate (picked by
// x5t#S256 or x5t when present), then audience, issuer, subject and time.
func (s *Server) verifyAssertion(r *http.Request, client *ClientApp, jwt string) *aadFail {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return aadErr(700027, "Client assertion is not a well-formed JWT.")
	}
	var hdr struct {
		Alg     string `json:"alg"`
		X5t     string `json:"x5t"`
		X5tS256 string `json:"x5t#S256"`
	}
	if err := decodeJWTPart(parts[0], &hdr); err != nil {
		return aadErr(700027, "Client assertion header is not valid JSON.")
	}
	var hash crypto.Hash
	switch hdr.Alg {
	case "RS256", "PS256":
		hash = crypto.SHA256
	default:
		return aadErr(700027, fmt.Sprintf("Client assertion uses the unsupported algorithm '%s'.", hdr.Alg))
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return aadErr(700027, "Client assertion signature is not base64url.")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))

	var candidates []*x509.Certificate
	for _, der := range client.CertDER {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		if hdr.X5tS256 != "" && !thumbprintMatches(hdr.X5tS256, sha256Sum(der)) {
			continue
		}
		if hdr.X5tS256 == "" && hdr.X5t != "" {
			h := sha1.Sum(der) // #nosec G401 -- thumbprint lookup only
			if !thumbprintMatches(hdr.X5t, h[:]) {
				continue
			}
		}
		candidates = append(candidates, cert)
	}
	if len(candidates) == 0 {
		return aadErr(700027, fmt.Sprintf("Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '%s']", hdr.X5tS256+hdr.X5t))
	}
	verified := false
	for _, cert := range candidates {
		pub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			continue
		}
		if hdr.Alg == "PS256" {
			err = rsa.VerifyPSS(pub, hash, digest[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
		} else {
			err = rsa.VerifyPKCS1v15(pub, hash, digest[:], sig)
		}
		if err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return aadErr(700027)
	}

	var claims struct {
		Aud any             `json:"aud"`
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Exp json.RawMessage `json:"exp"`
		Nbf json.RawMessage `json:"nbf"`
	}
	if err := decodeJWTPart(parts[1], &claims); err != nil {
		return aadErr(700027, "Client assertion payload is not valid JSON.")
	}
	if !equalFold(claims.Iss, client.AppID) || !equalFold(claims.Sub, client.AppID) {
		return aadErr(700027, "Client assertion iss and sub must both be the client id.")
	}
	want := s.baseURL(r) + r.URL.Path
	if !audienceMatches(claims.Aud, want) {
		return aadErr(700027, fmt.Sprintf("Client assertion audience claim does not match the token endpoint '%s'.", want))
	}
	now := s.now()
	exp, errExp := numericDate(claims.Exp)
	nbf, errNbf := numericDate(claims.Nbf)
	if errExp != nil || now.After(exp.Add(assertionSkew)) || (errNbf == nil && nbf.After(now.Add(assertionSkew))) {
		return aadErr(700024)
	}
	return nil
}

func decodeJWTPart(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// thumbprintMatches accepts the thumbprint in base64url (RFC 7515) or
// standard base64, which MSAL Go sends.
func thumbprintMatches(got string, want []byte) bool {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(got); err == nil && bytes.Equal(b, want) {
			return true
		}
	}
	return false
}

func audienceMatches(aud any, want string) bool {
	norm := func(s string) string { return strings.TrimRight(strings.ToLower(s), "/") }
	switch a := aud.(type) {
	case string:
		return norm(a) == norm(want)
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok && norm(s) == norm(want) {
				return true
			}
		}
	}
	return false
}

func numericDate(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 {
		return time.Time{}, errors.New("missing")
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		var s string
		if err2 := json.Unmarshal(raw, &s); err2 != nil {
			return time.Time{}, err
		}
		if _, err := fmt.Sscan(s, &f); err != nil {
			return time.Time{}, err
		}
	}
	return time.Unix(int64(f), 0), nil
}
