package labtenant

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// tenantRef is a resolved tenant path segment.
type tenantRef struct {
	seg   string // as sent (MSAL lowercases it)
	id    string // TenantID when the segment names this tenant
	multi bool   // organizations / common: the user decides
}

func resolveTenant(seg string) (tenantRef, *aadFail) {
	switch {
	case equalFold(seg, TenantID), equalFold(seg, TenantDomain):
		return tenantRef{seg: seg, id: TenantID}, nil
	case equalFold(seg, "organizations"), equalFold(seg, "common"):
		return tenantRef{seg: strings.ToLower(seg), multi: true}, nil
	}
	return tenantRef{}, aadErr(90002, fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", seg))
}

// endpointSeg is the tenant segment discovery hands out: the tenant id
// for a named tenant (as Entra does for a domain), else the alias itself.
func (t tenantRef) endpointSeg() string {
	if t.multi {
		return t.seg
	}
	return t.id
}

func (s *Server) serveAuthority(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) == 0 || parts[0] == "" {
		http.NotFound(w, r)
		return
	}
	if equalFold(parts[0], "devicelogin") && len(parts) == 1 {
		s.deviceLogin(w, r)
		return
	}
	if equalFold(parts[0], "common") && len(parts) == 3 && equalFold(parts[1], "UserRealm") {
		s.userRealm(w, r, parts[2])
		return
	}
	rest := strings.ToLower(strings.Join(parts[1:], "/"))
	known := map[string]bool{
		"v2.0/.well-known/openid-configuration": true, "discovery/v2.0/keys": true,
		"oauth2/v2.0/token": true, "oauth2/v2.0/devicecode": true, "oauth2/v2.0/authorize": true,
	}
	if !known[rest] {
		http.NotFound(w, r)
		return
	}
	t, fail := resolveTenant(parts[0])
	if fail != nil {
		if rest == "oauth2/v2.0/authorize" {
			writeHTMLError(w, fail)
			return
		}
		s.writeAADFail(w, r, fail)
		return
	}
	switch rest {
	case "v2.0/.well-known/openid-configuration":
		if r.Method != http.MethodGet {
			methodNotAllowed(w)
			return
		}
		doc := s.discovery(r, t)
		if f, ok := s.faults.take(FaultDiscoveryEndpoints, r); ok {
			moveEndpoints(doc, f)
		}
		writeJSON(w, http.StatusOK, doc)
	case "discovery/v2.0/keys":
		writeJSON(w, http.StatusOK, s.jwks())
	case "oauth2/v2.0/token":
		if r.Method != http.MethodPost {
			methodNotAllowed(w)
			return
		}
		s.token(w, r, t)
	case "oauth2/v2.0/devicecode":
		if r.Method != http.MethodPost {
			methodNotAllowed(w)
			return
		}
		s.deviceCode(w, r)
	case "oauth2/v2.0/authorize":
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			methodNotAllowed(w)
			return
		}
		s.authorize(w, r)
	}
}

// discovery mirrors Entra's v2.0 OpenID configuration. The issuer shares
// the request's scheme and host, which MSAL checks against the authority.
func (s *Server) discovery(r *http.Request, t tenantRef) map[string]any {
	base := s.baseURL(r)
	seg := t.endpointSeg()
	issuer := base + "/" + TenantID + "/v2.0"
	if t.multi {
		issuer = base + "/{tenantid}/v2.0"
	}
	return map[string]any{
		"token_endpoint":                        base + "/" + seg + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              base + "/" + seg + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                issuer,
		"request_uri_parameter_supported":       false,
		"authorization_endpoint":                base + "/" + seg + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/" + seg + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  base + "/" + seg + "/oauth2/v2.0/logout",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"claims_supported": []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce",
			"preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"},
		"tenant_region_scope":   "NA",
		"cloud_instance_name":   "microsoftonline.com",
		"cloud_graph_host_name": "graph.windows.net",
		"msgraph_host":          r.Host,
	}
}

// moveEndpoints applies a discovery-endpoints fault: the chosen endpoints
// keep their path but point at the fault's target origin.
func moveEndpoints(doc map[string]any, f Fault) {
	target := strings.TrimRight(f.Target, "/")
	for _, field := range discoveryEndpoints[f.Endpoint] {
		u, err := url.Parse(doc[field].(string))
		if err != nil {
			continue
		}
		doc[field] = target + u.Path
	}
}

// userRealm answers MSAL's home-realm lookup before a password grant.
func (s *Server) userRealm(w http.ResponseWriter, r *http.Request, upn string) {
	if u, err := url.PathUnescape(upn); err == nil {
		upn = u
	}
	domain := upn
	if i := strings.LastIndex(upn, "@"); i >= 0 {
		domain = upn[i+1:]
	}
	resp := map[string]any{
		"ver":                 "1.0",
		"account_type":        "Unknown",
		"domain_name":         strings.ToLower(domain),
		"cloud_instance_name": "microsoftonline.com",
		"cloud_audience_urn":  "urn:federation:MicrosoftOnline",
	}
	if equalFold(domain, TenantDomain) {
		resp["account_type"] = "Managed"
		resp["federation_brand_name"] = TenantDisplayName
	}
	writeJSON(w, http.StatusOK, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.WriteHeader(status)
	encodeJSON(w, v)
}

func methodNotAllowed(w http.ResponseWriter) {
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
}
