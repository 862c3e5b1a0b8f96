package labtenant

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// This file holds the rules of real Graph that the lab was first built
// without; each names its source tag in graph-reality (R1–R13).

// verifiedDomains are the lab tenant's verified domains.
var verifiedDomains = []string{TenantDomain, "contoso.onmicrosoft.com"}

// checkIdentifierURI enforces R4: identifierUris must be api://… or on a
// verified domain of the tenant ([G-PR9317], [MSID-restr]); an
// *.msappproxy.net URI is refused.
func checkIdentifierURI(raw string) *graphFail {
	u, err := url.Parse(raw)
	if err == nil && strings.EqualFold(u.Scheme, "api") && (u.Host != "" || u.Opaque != "") {
		return nil
	}
	if err == nil && u.Host != "" {
		host := strings.ToLower(u.Hostname())
		for _, d := range verifiedDomains {
			if host == d || strings.HasSuffix(host, "."+d) {
				return nil
			}
		}
	}
	return &graphFail{status: http.StatusBadRequest, code: "HostNameNotOnVerifiedDomain",
		message: fmt.Sprintf("Values of identifierUris property must use a verified domain of the organization or its subdomain: '%s'", cutText(raw, 200))}
}

// isCloudGraphRef enforces R13: an @odata.id names a cloud's own Graph root,
// never a private override host such as the lab's.
func isCloudGraphRef(ref string) bool {
	u, err := url.Parse(ref)
	if err != nil || !strings.EqualFold(u.Scheme, "https") || u.Port() != "" || u.User != nil {
		return false
	}
	for _, g := range graphResources {
		if strings.HasPrefix(g, "https://") && strings.EqualFold("https://"+u.Host, g) {
			return true
		}
	}
	return false
}

// cutText bounds client-supplied text the lab echoes in an error.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// deletedIndex finds a soft-deleted application (R10).
func (st *State) deletedIndex(key string, byAppID bool) int {
	return indexApp(st.DeletedApplications, key, byAppID)
}

// syncOnPremTag keeps the WindowsAzureActiveDirectoryOnPremApp tag on the
// service principal of a published app, which is how Microsoft's own sample
// finds App Proxy apps (R6, [MS-sample]).
func (st *State) syncOnPremTag(appID string, published bool) {
	for i := range st.ServicePrincipals {
		sp := &st.ServicePrincipals[i]
		if !equalFold(sp.AppID, appID) {
			continue
		}
		var tags []string
		for _, t := range sp.Tags {
			if t != onPremAppTag {
				tags = append(tags, t)
			}
		}
		if published {
			tags = append([]string{onPremAppTag}, tags...)
		}
		sp.Tags = tags
	}
}

const onPremAppTag = "WindowsAzureActiveDirectoryOnPremApp"

// startReplicationLocked makes the next few requests addressing a new
// application answer 404 (R8: [M365DSC-GSA], [CA-script], [Q&A-936575]).
func (s *Server) startReplicationLocked(ids ...string) {
	n := s.settings.replicationMisses()
	if n == 0 {
		return
	}
	if s.replicating == nil {
		s.replicating = map[string]*int{}
	}
	left := &n
	for _, id := range ids {
		s.replicating[strings.ToLower(id)] = left
	}
}

// stillReplicating consumes one miss for key, if it has any left.
func (s *Server) stillReplicating(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	left := s.replicating[strings.ToLower(key)]
	if left == nil || *left <= 0 {
		return false
	}
	*left--
	return true
}

// tagsAnyRe is the lambda filter Microsoft's sample uses on service
// principals: tags/any(x:x eq 'Tag'), any variable name.
var tagsAnyRe = regexp.MustCompile(`^(?i:tags)/(?i:any)\(\s*(\w+)\s*:\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*\)$`)

// graphServicePrincipals serves GET /servicePrincipals with the tag filter.
func (s *Server) graphServicePrincipals(w http.ResponseWriter, r *http.Request, c caller, rest []string) {
	if len(rest) > 0 {
		writeFail(w, r, segmentNotFound(rest[len(rest)-1]))
		return
	}
	if r.Method != http.MethodGet {
		writeFail(w, r, graphMethodNotAllowed())
		return
	}
	if fail := c.requireAppRead(); fail != nil {
		writeFail(w, r, fail)
		return
	}
	q, fail := parseOData(r, "$select", "$top", "$skiptoken", "$filter")
	if fail != nil {
		writeFail(w, r, fail)
		return
	}
	keep := func(ServicePrincipal) bool { return true }
	if f := strings.TrimSpace(q.filter); f != "" {
		m := tagsAnyRe.FindStringSubmatch(f)
		if m == nil || m[1] != m[2] {
			writeFail(w, r, unsupportedQuery("Unsupported Query."))
			return
		}
		tag := strings.ReplaceAll(m[3], "''", "'")
		keep = func(sp ServicePrincipal) bool { return containsFold(sp.Tags, tag) }
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	items := []map[string]any{}
	for _, sp := range s.st.ServicePrincipals {
		if !keep(sp) {
			continue
		}
		item, fail := project(map[string]any{
			"id": sp.ID, "appId": sp.AppID, "displayName": sp.DisplayName, "appDisplayName": sp.DisplayName,
			"applicationTemplateId": sp.ApplicationTemplateID, "servicePrincipalType": sp.ServicePrincipalType,
			"accountEnabled": true, "tags": nonNil(sp.Tags),
		}, q.selects, "servicePrincipal")
		if fail != nil {
			writeFail(w, r, fail)
			return
		}
		items = append(items, item)
	}
	ctx := s.baseURL(r) + "/beta/$metadata#servicePrincipals"
	if len(q.selects) > 0 {
		ctx += "(" + strings.Join(q.selects, ",") + ")"
	}
	s.writePage(w, r, ctx, items, s.settings.pageSize(), q)
}
