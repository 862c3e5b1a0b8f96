package labtenant

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// authCode is an issued authorization code awaiting redemption.
type authCode struct {
	clientID    string
	redirectURI string
	challenge   string // S256 code_challenge, empty when PKCE was not used
	userID      string
	tenantID    string
	expires     time.Time
	redeemed    bool
}

// loopbackRedirect accepts what Entra accepts for native clients without
// registration: http on localhost/127.0.0.1/[::1], any port and path.
func loopbackRedirect(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// authorize is the browser sign-in page without the page: it signs in
// login_hint (or the default user) at once and sends the browser back to
// the redirect URI in the requested response_mode. MSAL v1.10 asks for
// form_post, answered as Entra does with an auto-submitting HTML form.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeHTMLError(w, aadErr(9002313))
		return
	}
	q := r.Form
	clientID, redirectURI := q.Get("client_id"), q.Get("redirect_uri")
	s.mu.Lock()
	defer s.mu.Unlock()
	client := s.st.client(clientID)
	if clientID == "" {
		writeHTMLError(w, aadErr(900144))
		return
	}
	if client == nil {
		writeHTMLError(w, unknownClient(clientID))
		return
	}
	// Entra never redirects to an unregistered URI: the error is a page.
	if !loopbackRedirect(redirectURI) {
		writeHTMLError(w, aadErr(50011, fmt.Sprintf("The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application '%s'.", redirectURI, clientID)))
		return
	}
	back := func(params url.Values) {
		params.Set("state", q.Get("state"))
		s.redirectBack(w, r, redirectURI, q.Get("response_mode"), params)
	}
	backErr := func(f *aadFail) {
		back(url.Values{"error": {f.err}, "error_description": {fmt.Sprintf("AADSTS%d: %s", f.code, f.message)}})
	}
	if q.Get("response_type") != "code" {
		back(url.Values{"error": {"unsupported_response_type"}, "error_description": {"AADSTS700054: response_type '" + q.Get("response_type") + "' is not enabled for the application."}})
		return
	}
	challenge := q.Get("code_challenge")
	if challenge != "" && q.Get("code_challenge_method") != "S256" {
		back(url.Values{"error": {"invalid_request"}, "error_description": {"AADSTS501491: code_challenge_method must be S256 in the lab."}})
		return
	}
	sr, fail := parseScopes(r, q.Get("scope"))
	if fail == nil {
		_, fail = delegatedGrant(client, sr)
	}
	if fail != nil {
		backErr(fail)
		return
	}
	upn := q.Get("login_hint")
	if upn == "" {
		upn = s.settings.defaultUser()
	}
	user := s.st.user(upn)
	if user == nil {
		backErr(aadErr(50034))
		return
	}
	for k, old := range s.authCodes {
		if s.now().After(old.expires) {
			delete(s.authCodes, k)
		}
	}
	code := "lab-code." + randomToken(32)
	s.authCodes[code] = &authCode{
		clientID: client.AppID, redirectURI: redirectURI, challenge: challenge,
		userID: user.ID, tenantID: TenantID, expires: s.now().Add(10 * time.Minute),
	}
	back(url.Values{"code": {code}, "session_state": {newGUID()}})
}

func (s *Server) redirectBack(w http.ResponseWriter, r *http.Request, redirectURI, mode string, params url.Values) {
	switch mode {
	case "form_post":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store, no-cache")
		var b strings.Builder
		fmt.Fprintf(&b, `<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="%s">`, html.EscapeString(redirectURI))
		for k, vs := range params {
			for _, v := range vs {
				fmt.Fprintf(&b, `<input type="hidden" name="%s" value="%s" />`, html.EscapeString(k), html.EscapeString(v))
			}
		}
		b.WriteString(`<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">document.forms[0].submit();</script></body></html>`)
		_, _ = w.Write([]byte(b.String()))
	case "fragment":
		http.Redirect(w, r, redirectURI+"#"+params.Encode(), http.StatusFound)
	default:
		u, _ := url.Parse(redirectURI)
		q := u.Query()
		for k, vs := range params {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
}

// writeHTMLError is the sign-in page's error screen.
func writeHTMLError(w http.ResponseWriter, f *aadFail) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, "<html><head><title>Sign in to your account</title></head><body><h1>Sorry, but we're having trouble signing you in.</h1><p>AADSTS%d: %s</p></body></html>",
		f.code, html.EscapeString(f.message))
}

func unknownClient(clientID string) *aadFail {
	return aadErr(700016, fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, TenantDisplayName))
}
