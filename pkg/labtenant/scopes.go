package labtenant

import (
	"fmt"
	"net/http"
	"strings"
)

var oidcScopes = map[string]bool{"openid": true, "profile": true, "offline_access": true, "email": true}

// graphResources are the resource identifiers the lab answers for: every
// cloud's Graph root (the CLI asks for its cloud's even when pointed at the
// lab), Graph's app id, and the lab's own origin.
var graphResources = []string{
	"https://graph.microsoft.com", "https://canary.graph.microsoft.com",
	"https://graph.microsoft.us", "https://dod-graph.microsoft.us",
	"https://microsoftgraph.chinacloudapi.cn", GraphResourceAppID,
}

// scopeRequest is a parsed scope parameter.
type scopeRequest struct {
	raw          string
	oidc         map[string]bool
	perms        []string // Graph permission names as requested
	defaultScope bool     // <resource>/.default
}

func isGraphResource(r *http.Request, res string) bool {
	res = strings.TrimRight(strings.ToLower(res), "/")
	if res == "https://"+strings.ToLower(r.Host) {
		return true
	}
	for _, g := range graphResources {
		if res == strings.ToLower(g) {
			return true
		}
	}
	return false
}

func parseScopes(r *http.Request, raw string) (scopeRequest, *aadFail) {
	sr := scopeRequest{raw: strings.Join(strings.Fields(raw), " "), oidc: map[string]bool{}}
	if sr.raw == "" {
		return sr, aadErr(70011)
	}
	for _, sc := range strings.Fields(raw) {
		if oidcScopes[strings.ToLower(sc)] {
			sr.oidc[strings.ToLower(sc)] = true
			continue
		}
		perm := sc
		if i := strings.LastIndex(sc, "/"); i >= 0 {
			res := sc[:i]
			perm = sc[i+1:]
			if !isGraphResource(r, res) {
				return sr, aadErr(500011, fmt.Sprintf("The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", res, TenantDisplayName))
			}
		}
		if perm == "" {
			return sr, aadErr(70011)
		}
		if perm == ".default" {
			sr.defaultScope = true
			continue
		}
		if !containsFold(sr.perms, perm) {
			sr.perms = append(sr.perms, perm)
		}
	}
	return sr, nil
}

// delegatedGrant resolves the delegated permissions a user token carries:
// .default means everything consented; a named permission must have been
// consented, else AADSTS65001 as for an app that lacks consent.
func delegatedGrant(c *ClientApp, sr scopeRequest) ([]string, *aadFail) {
	var out []string
	if sr.defaultScope {
		out = append(out, c.DelegatedConsent...)
	}
	for _, p := range sr.perms {
		if sr.defaultScope {
			// Entra refuses .default mixed with named scopes for one resource.
			return nil, aadErr(70011, "The provided value for the input parameter 'scope' is not valid. The scope .default cannot be combined with other scopes for the same resource.")
		}
		canonical := ""
		for _, consented := range c.DelegatedConsent {
			if strings.EqualFold(consented, p) {
				canonical = consented
			}
		}
		if canonical == "" {
			return nil, aadErr(65001, fmt.Sprintf("The user or administrator has not consented to use the application with ID '%s' named '%s'. Send an interactive authorization request for this user and resource.", c.AppID, c.DisplayName))
		}
		out = append(out, canonical)
	}
	return out, nil
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

func anyFold(have []string, want ...string) bool {
	for _, w := range want {
		if containsFold(have, w) {
			return true
		}
	}
	return false
}
