package labtenant

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// graphFail is a Graph error on its way to the OData envelope.
type graphFail struct {
	status  int
	code    string
	message string
}

func badRequest(msg string) *graphFail {
	return &graphFail{status: http.StatusBadRequest, code: "Request_BadRequest", message: msg}
}

func notFound(id string) *graphFail {
	return &graphFail{status: http.StatusNotFound, code: "Request_ResourceNotFound",
		message: fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id)}
}

func denied() *graphFail {
	return &graphFail{status: http.StatusForbidden, code: "Authorization_RequestDenied",
		message: "Insufficient privileges to complete the operation."}
}

func unsupportedQuery(msg string) *graphFail {
	return &graphFail{status: http.StatusBadRequest, code: "Request_UnsupportedQuery", message: msg}
}

func segmentNotFound(seg string) *graphFail {
	return &graphFail{status: http.StatusBadRequest, code: "BadRequest",
		message: fmt.Sprintf("Resource not found for the segment '%s'.", seg)}
}

func graphMethodNotAllowed() *graphFail {
	return &graphFail{status: http.StatusMethodNotAllowed, code: "Request_BadRequest",
		message: "Specified HTTP method is not allowed for the request target."}
}

const graphContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

func jsonContentType(fam family) string {
	if fam == familyGraph {
		return graphContentType
	}
	return "application/json; charset=utf-8"
}

// writeGraphError writes Graph's OData error envelope; innerError repeats
// the request-id header the lab set on the response.
func writeGraphError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	rid := w.Header().Get("request-id")
	crid := w.Header().Get("client-request-id")
	body := map[string]any{"error": map[string]any{
		"code":    code,
		"message": message + hostileSuffix(r),
		"innerError": map[string]any{
			"date":              time.Now().UTC().Format("2006-01-02T15:04:05"),
			"request-id":        rid,
			"client-request-id": crid,
		},
	}}
	w.Header().Set("Content-Type", graphContentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	encodeJSON(w, body)
}

func writeFail(w http.ResponseWriter, r *http.Request, f *graphFail) {
	writeGraphError(w, r, f.status, f.code, f.message)
}

func writeGraphJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", graphContentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("OData-Version", "4.0")
	w.WriteHeader(status)
	encodeJSON(w, v)
}

// caller is the authenticated principal of a Graph request.
type caller struct {
	tok  TokenRecord
	user *User // nil for app-only
}

// The permissions each kind of call accepts, from Microsoft's permission
// data (graph-reality R1, sources [G-perm], [G-PR19164], [G-upd-beta]).
// Where the data is silent the lab takes the narrower answer.
var (
	// Connector, connector-group and connectorGroup/$ref calls: delegated
	// Directory.ReadWrite.All only; no application permission exists.
	connectorScopes = []string{"Directory.ReadWrite.All"}
	// GET of applications and service principals.
	appReadScopes = []string{"Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	appReadRoles  = []string{"Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	// PATCH/DELETE of applications: Directory.ReadWrite.All grants only GET
	// on /applications (R1); app-only OwnedBy reaches only owned apps, and
	// the lab's apps have no owners.
	appWriteScopes = []string{"Application.ReadWrite.All"}
	appWriteRoles  = []string{"Application.ReadWrite.All"}
	// applicationTemplates/{id}/instantiate (R1).
	instantiateScopes = []string{"Application.ReadWrite.All", "Directory.ReadWrite.All"}
	instantiateRoles  = []string{"Application.ReadWrite.All", "Application.ReadWrite.OwnedBy"}
	adminRoles        = []string{RoleAppAdm, RoleGlobAdm}
)

// requireConnectorAccess: connector and connector-group calls have no
// application permission at all, and the user needs an admin role that
// manages App Proxy (Cloud Application Administrator does not).
func (c caller) requireConnectorAccess() *graphFail {
	if c.tok.AppOnly || c.user == nil {
		return denied()
	}
	if !anyFold(c.tok.Scopes, connectorScopes...) || !anyFold(c.user.Roles, adminRoles...) {
		return denied()
	}
	return nil
}

func (c caller) requireAppRead() *graphFail {
	return c.require(appReadScopes, appReadRoles, false)
}

func (c caller) requireAppWrite() *graphFail {
	return c.require(appWriteScopes, appWriteRoles, true)
}

func (c caller) requireInstantiate() *graphFail {
	return c.require(instantiateScopes, instantiateRoles, true)
}

// require checks a delegated token's scopes (and, for writes, the user's
// admin role) or an app-only token's roles.
func (c caller) require(scopes, roles []string, adminRole bool) *graphFail {
	if c.tok.AppOnly {
		if !anyFold(c.tok.Roles, roles...) {
			return denied()
		}
		return nil
	}
	if c.user == nil || !anyFold(c.tok.Scopes, scopes...) || (adminRole && !anyFold(c.user.Roles, adminRoles...)) {
		return denied()
	}
	return nil
}

// serveGraph authenticates and routes a /beta (or /v1.0) request.
func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	path := strings.Trim(r.URL.Path, "/")
	segs := strings.Split(path, "/")
	// The App Proxy surface exists only in beta; v1.0 serves the template
	// instantiate action and plain application reads, which the CLI uses
	// there (R3), and nothing else.
	v1 := equalFold(segs[0], "v1.0")
	segs = segs[1:]
	tok, why := s.lookupAccessToken(r)
	if why != "" {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="", authorization_uri="%s/common/oauth2/authorize", client_id="%s"`, s.baseURL(r), GraphResourceAppID))
		writeGraphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", string(why))
		return
	}
	c := caller{tok: tok}
	if !tok.AppOnly {
		s.mu.Lock()
		if u := s.st.user(tok.UserID); u != nil {
			cp := *u
			c.user = &cp
		}
		s.mu.Unlock()
	}
	if len(segs) == 0 || segs[0] == "" {
		writeFail(w, r, segmentNotFound("beta"))
		return
	}
	head := strings.ToLower(segs[0])
	switch {
	case v1 && (head == "applications" || strings.HasPrefix(head, "applications(")) && r.Method == http.MethodGet && len(segs) <= 2:
		s.graphApplications(w, r, c, segs)
	case v1 && head == "applicationtemplates":
		s.graphTemplates(w, r, c, segs[1:], true)
	case v1:
		writeFail(w, r, segmentNotFound(segs[len(segs)-1]))
	case head == "onpremisespublishingprofiles":
		s.graphProfiles(w, r, c, segs[1:])
	case head == "applications" || strings.HasPrefix(head, "applications("):
		s.graphApplications(w, r, c, segs)
	case head == "applicationtemplates":
		s.graphTemplates(w, r, c, segs[1:], false)
	case head == "serviceprincipals":
		s.graphServicePrincipals(w, r, c, segs[1:])
	default:
		writeFail(w, r, segmentNotFound(segs[0]))
	}
}

// odataQuery is the parsed system query options of a request.
type odataQuery struct {
	selects   []string
	expand    []string
	top       int
	skipToken string
	filter    string
}

// parseOData accepts only the options a route supports; anything else is
// refused, as Graph refuses options it does not implement on a route.
func parseOData(r *http.Request, allowed ...string) (odataQuery, *graphFail) {
	var q odataQuery
	for k, vs := range r.URL.Query() {
		if !strings.HasPrefix(k, "$") {
			continue
		}
		name := strings.ToLower(k)
		if !containsFold(allowed, name) {
			return q, badRequest(fmt.Sprintf("Query option '%s' is not allowed. Make sure that it is supported on this resource.", k))
		}
		v := vs[len(vs)-1]
		switch name {
		case "$select":
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					q.selects = append(q.selects, p)
				}
			}
		case "$expand":
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					q.expand = append(q.expand, p)
				}
			}
		case "$top":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 999 {
				return q, &graphFail{status: 400, code: "Request_BadRequest",
					message: fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", v)}
			}
			q.top = n
		case "$skiptoken":
			q.skipToken = v
		case "$filter":
			q.filter = v
		}
	}
	return q, nil
}

// skipToken encodes a page offset. Clients must treat it as opaque; the
// lab only promises that the nextLink it hands out works.
func encodeSkipToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("lab-offset:" + strconv.Itoa(offset)))
}

func decodeSkipToken(tok string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "lab-offset:"))
	if err != nil || n < 0 || !strings.HasPrefix(string(b), "lab-offset:") {
		return 0, false
	}
	return n, true
}

// writePage writes one page of a collection with @odata.nextLink when
// more remain (or, under the nextlink-loop fault, always to itself).
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, context string, items []map[string]any, maxPage int, q odataQuery) {
	offset := 0
	if q.skipToken != "" {
		n, ok := decodeSkipToken(q.skipToken)
		if !ok {
			writeFail(w, r, badRequest("The specified page token value is not valid."))
			return
		}
		offset = n
	}
	size := maxPage
	if q.top > 0 && q.top < size {
		size = q.top
	}
	if offset > len(items) {
		offset = len(items)
	}
	end := offset + size
	if end > len(items) {
		end = len(items)
	}
	page := items[offset:end]
	if page == nil {
		page = []map[string]any{}
	}
	body := map[string]any{"@odata.context": context, "value": page}
	if _, loop := s.faults.take(FaultNextLinkLoop, r); loop {
		body["@odata.nextLink"] = s.baseURL(r) + r.URL.RequestURI()
	} else if end < len(items) {
		v := r.URL.Query()
		v.Set("$skiptoken", encodeSkipToken(end))
		body["@odata.nextLink"] = s.baseURL(r) + r.URL.EscapedPath() + "?" + strings.ReplaceAll(v.Encode(), "%24", "$")
	}
	writeGraphJSON(w, http.StatusOK, body)
}

// project applies $select: only the named properties, by their canonical
// names, or 400 for a name the type does not have.
func project(entity map[string]any, selects []string, typeName string) (map[string]any, *graphFail) {
	if len(selects) == 0 {
		return entity, nil
	}
	out := map[string]any{}
	for _, sel := range selects {
		found := false
		for k, v := range entity {
			if strings.EqualFold(k, sel) {
				out[k], found = v, true
			}
		}
		if !found {
			return nil, badRequest(fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.%s'.", sel, typeName))
		}
	}
	return out, nil
}

// readJSONBody reads a write's JSON object body. Graph requires the
// content type on writes; the 415 answer is the lab's choice (undocumented).
func readJSONBody(r *http.Request) (map[string]any, *graphFail) {
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "application/json" {
		return nil, &graphFail{status: http.StatusUnsupportedMediaType, code: "UnsupportedMediaType",
			message: fmt.Sprintf("Content-Type '%s' is not supported; use application/json.", r.Header.Get("Content-Type"))}
	}
	var body map[string]any
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&body); err != nil || body == nil || dec.More() {
		return nil, badRequest("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
	}
	return body, nil
}

// graphEntityURL parses an @odata.id reference down to its path segments
// after the version segment. Any host is accepted: clients build it from
// their configured Graph root.
func graphRefSegments(ref string) ([]string, bool) {
	u, err := url.Parse(ref)
	if err != nil || u.Path == "" {
		return nil, false
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i, s := range segs {
		if equalFold(s, "beta") || equalFold(s, "v1.0") {
			return segs[i+1:], true
		}
	}
	return nil, false
}
