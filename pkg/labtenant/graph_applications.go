package labtenant

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// appJSON is an application as Graph beta shows it, with
// onPremisesPublishing only when withPublishing (see appView).
func appJSON(a *Application, withPublishing bool) map[string]any {
	m := map[string]any{
		"id":                     a.ID,
		"deletedDateTime":        nil,
		"appId":                  a.AppID,
		"applicationTemplateId":  a.ApplicationTemplateID,
		"createdDateTime":        a.CreatedDateTime.UTC().Format(time.RFC3339),
		"description":            a.Description,
		"displayName":            a.DisplayName,
		"identifierUris":         nonNil(a.IdentifierURIs),
		"notes":                  a.Notes,
		"publisherDomain":        a.PublisherDomain,
		"signInAudience":         a.SignInAudience,
		"tags":                   nonNil(a.Tags),
		"web":                    a.Web,
		"keyCredentials":         []any{},
		"passwordCredentials":    []any{},
		"requiredResourceAccess": []any{},
	}
	if withPublishing {
		if a.OnPremisesPublishing == nil {
			m["onPremisesPublishing"] = nil
		} else {
			m["onPremisesPublishing"] = a.OnPremisesPublishing
		}
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// appView renders an app for a GET. onPremisesPublishing is served by
// another workload (R5): it is included only in a read of one application
// by object id whose $select names it (and not even then under
// PublishingOnlyByPath). Everywhere else a $select naming it is dropped
// silently, the answer that makes a careless client think the app is not
// published.
func (s *Server) appView(a *Application, q odataQuery, byObjectID bool) (map[string]any, *graphFail) {
	if len(q.selects) == 0 {
		return appJSON(a, false), nil
	}
	withPub := byObjectID && !s.settings.PublishingOnlyByPath
	sel := q.selects
	if !withPub {
		sel = nil
		for _, p := range q.selects {
			if !strings.EqualFold(p, "onPremisesPublishing") {
				sel = append(sel, p)
			}
		}
	}
	return project(appJSON(a, withPub), sel, "application")
}

func selectsPublishing(q odataQuery) bool {
	return containsFold(q.selects, "onPremisesPublishing")
}

// appGroupID is the connector group serving app i: the explicit
// assignment, else the default group once published, else none.
func (st *State) appGroupID(i int) string {
	a := &st.Applications[i]
	if a.OnPremisesPublishing == nil {
		return ""
	}
	if a.ConnectorGroupID != "" {
		return a.ConnectorGroupID
	}
	if g := st.defaultGroup(); g != nil {
		return g.ID
	}
	return ""
}

var appIDKeyRe = regexp.MustCompile(`(?i)^applications\(appId=['"]([^'"]*)['"]\)$`)

// graphApplications serves /applications, /applications/{id}/... and
// /applications(appId='{appId}')/... .
func (s *Server) graphApplications(w http.ResponseWriter, r *http.Request, c caller, segs []string) {
	var key string
	var byAppID bool
	var rest []string
	if m := appIDKeyRe.FindStringSubmatch(segs[0]); m != nil {
		key, byAppID, rest = m[1], true, segs[1:]
	} else if equalFold(segs[0], "applications") {
		if len(segs) == 1 {
			s.listApplications(w, r, c)
			return
		}
		key, rest = segs[1], segs[2:]
	} else {
		writeFail(w, r, segmentNotFound(segs[0]))
		return
	}
	if !isGUID(key) {
		writeFail(w, r, badRequest(fmt.Sprintf("Invalid object identifier '%s'.", key)))
		return
	}
	if s.stillReplicating(key) {
		// R8: a just-created object is not found for a while.
		writeFail(w, r, notFound(key))
		return
	}
	nav := strings.ToLower(strings.Join(rest, "/"))
	switch nav {
	case "":
		switch r.Method {
		case http.MethodGet:
			s.getApplication(w, r, c, key, byAppID)
		case http.MethodPatch:
			s.patchApplication(w, r, c, key, byAppID)
		case http.MethodDelete:
			s.deleteApplication(w, r, c, key, byAppID)
		default:
			writeFail(w, r, graphMethodNotAllowed())
		}
	case "onpremisespublishing":
		if r.Method != http.MethodGet {
			writeFail(w, r, graphMethodNotAllowed())
			return
		}
		if byAppID {
			// Microsoft's callers read the property by object id only
			// (R5); the lab refuses the untested form.
			writeFail(w, r, badRequest("The property 'onPremisesPublishing' can be read only through the application's object id."))
			return
		}
		s.getPublishing(w, r, c, key)
	case "connectorgroup", "connectorgroup/$ref":
		s.appConnectorGroup(w, r, c, key, byAppID, nav != "connectorgroup")
	default:
		writeFail(w, r, segmentNotFound(rest[len(rest)-1]))
	}
}

// filterRe covers the $filter forms clients use to find an app: equality
// on displayName or appId, and startswith on displayName.
var (
	filterEqRe    = regexp.MustCompile(`^(?i:(displayName|appId))\s+eq\s+'((?:[^']|'')*)'$`)
	filterStartRe = regexp.MustCompile(`^(?i:startswith)\(\s*(?i:displayName)\s*,\s*'((?:[^']|'')*)'\s*\)$`)
)

func appFilter(expr string) (func(*Application) bool, *graphFail) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return func(*Application) bool { return true }, nil
	}
	if m := filterEqRe.FindStringSubmatch(expr); m != nil {
		v := strings.ReplaceAll(m[2], "''", "'")
		if strings.EqualFold(m[1], "appId") {
			return func(a *Application) bool { return strings.EqualFold(a.AppID, v) }, nil
		}
		return func(a *Application) bool { return strings.EqualFold(a.DisplayName, v) }, nil
	}
	if m := filterStartRe.FindStringSubmatch(expr); m != nil {
		v := strings.ToLower(strings.ReplaceAll(m[1], "''", "'"))
		return func(a *Application) bool { return strings.HasPrefix(strings.ToLower(a.DisplayName), v) }, nil
	}
	return nil, unsupportedQuery("Unsupported Query.")
}

func (s *Server) listApplications(w http.ResponseWriter, r *http.Request, c caller) {
	if r.Method != http.MethodGet {
		// Creating through POST /applications is not emulated; the CLI uses
		// the template's instantiate action.
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
	keep, fail := appFilter(q.filter)
	if fail != nil {
		writeFail(w, r, fail)
		return
	}
	if q.filter != "" && selectsPublishing(q) {
		// R5: $filter with a cross-workload $select is reported rejected.
		writeFail(w, r, badRequest("Query option '$select' with property 'onPremisesPublishing' is not supported with '$filter'."))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	items := []map[string]any{}
	for i := range s.st.Applications {
		a := &s.st.Applications[i]
		if !keep(a) {
			continue
		}
		item, fail := s.appView(a, q, false)
		if fail != nil {
			writeFail(w, r, fail)
			return
		}
		items = append(items, item)
	}
	ctx := s.baseURL(r) + "/beta/$metadata#applications"
	if len(q.selects) > 0 {
		ctx += "(" + strings.Join(q.selects, ",") + ")"
	}
	s.writePage(w, r, ctx, items, s.settings.pageSize(), q)
}

// findApp returns the index of the addressed app or a 404 naming the key.
func (s *Server) findAppLocked(key string, byAppID bool) (int, *graphFail) {
	i := s.st.appIndex(key, byAppID)
	if i < 0 {
		if byAppID {
			return -1, notFound("appId='" + key + "'")
		}
		return -1, notFound(key)
	}
	return i, nil
}

func (s *Server) getApplication(w http.ResponseWriter, r *http.Request, c caller, key string, byAppID bool) {
	if fail := c.requireAppRead(); fail != nil {
		writeFail(w, r, fail)
		return
	}
	q, fail := parseOData(r, "$select")
	if fail != nil {
		writeFail(w, r, fail)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, fail := s.findAppLocked(key, byAppID)
	if fail != nil {
		writeFail(w, r, fail)
		return
	}
	item, fail := s.appView(&s.st.Applications[i], q, !byAppID)
	if fail != nil {
		writeFail(w, r, fail)
		return
	}
	ctx := s.baseURL(r) + "/beta/$metadata#applications"
	if len(q.selects) > 0 {
		ctx += "(" + strings.Join(q.selects, ",") + ")"
	}
	item["@odata.context"] = ctx + "/$entity"
	writeGraphJSON(w, http.StatusOK, item)
}

// getPublishing serves the property path by object id. An unpublished app
// answers 404 Application_NotFound, what Microsoft's tools read as "not
// published" (R5).
func (s *Server) getPublishing(w http.ResponseWriter, r *http.Request, c caller, key string) {
	if fail := c.requireAppRead(); fail != nil {
		writeFail(w, r, fail)
		return
	}
	if _, fail := parseOData(r); fail != nil {
		writeFail(w, r, fail)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, fail := s.findAppLocked(key, false)
	if fail != nil {
		writeFail(w, r, fail)
		return
	}
	a := &s.st.Applications[i]
	if a.OnPremisesPublishing == nil {
		writeFail(w, r, appNotPublished(key))
		return
	}
	out := map[string]any{"@odata.context": s.baseURL(r) + "/beta/$metadata#applications('" + a.ID + "')/onPremisesPublishing"}
	for k, v := range a.OnPremisesPublishing {
		out[k] = v
	}
	writeGraphJSON(w, http.StatusOK, out)
}

// Top-level application properties a PATCH may set, and those it may not.
var (
	appWritable = map[string]bool{
		"displayName": true, "description": true, "notes": true, "tags": true,
		"identifierUris": true, "web": true, "onPremisesPublishing": true,
	}
	appReadOnly = map[string]bool{
		"id": true, "appId": true, "createdDateTime": true, "deletedDateTime": true,
		"publisherDomain": true, "applicationTemplateId": true,
	}
	webWritable = map[string]bool{"homePageUrl": true, "logoutUrl": true, "redirectUris": true, "implicitGrantSettings": true}
)

func (s *Server) patchApplication(w http.ResponseWriter, r *http.Request, c caller, key string, byAppID bool) {
	if fail := c.requireAppWrite(); fail != nil {
		writeFail(w, r, fail)
		return
	}
	body, fail := readJSONBody(r)
	if fail != nil {
		writeFail(w, r, fail)
		return
	}
	if _, pub := body["onPremisesPublishing"]; pub && len(body) > 1 {
		// R7: publishing cannot share a PATCH with other properties.
		writeFail(w, r, badRequest("Property 'onPremisesPublishing' cannot be updated together with other properties of the application."))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, fail := s.findAppLocked(key, byAppID)
	if fail != nil {
		if s.st.deletedIndex(key, byAppID) >= 0 {
			// R10: what HCW meets after its app was deleted.
			writeFail(w, r, &graphFail{status: http.StatusBadRequest, code: "Invalid_App",
				message: fmt.Sprintf("Application '%s' is invalid: it has been soft-deleted. Restore it or use another application.", key)})
			return
		}
		writeFail(w, r, fail)
		return
	}
	// Work on a copy so a request that fails half-way changes nothing.
	work := cloneApp(s.st.Applications[i])
	for k, v := range body {
		if fail := applyAppProperty(s.st, i, &work, k, v); fail != nil {
			writeFail(w, r, fail)
			return
		}
	}
	s.st.Applications[i] = work
	s.st.syncOnPremTag(work.AppID, work.OnPremisesPublishing != nil)
	s.persistLocked()
	w.WriteHeader(http.StatusNoContent)
}

func applyAppProperty(st *State, i int, a *Application, k string, v any) *graphFail {
	switch {
	case appReadOnly[k]:
		return badRequest(fmt.Sprintf("Property '%s' on type 'microsoft.graph.application' is read-only and cannot be set.", k))
	case !appWritable[k]:
		return badRequest(fmt.Sprintf("Invalid property '%s' on type 'microsoft.graph.application'.", k))
	}
	switch k {
	case "onPremisesPublishing":
		return patchPublishing(st.Applications, i, a, v)
	case "displayName":
		name, ok := v.(string)
		if !ok || strings.TrimSpace(name) == "" {
			return badRequest("Property 'displayName' must be a non-empty string.")
		}
		a.DisplayName = name
	case "description", "notes":
		var p *string
		if v != nil {
			str, ok := v.(string)
			if !ok {
				return badRequest(fmt.Sprintf("Invalid value for property '%s'.", k))
			}
			p = &str
		}
		if k == "description" {
			a.Description = p
		} else {
			a.Notes = p
		}
	case "tags", "identifierUris":
		list, fail := stringList(k, v)
		if fail != nil {
			return fail
		}
		if k == "tags" {
			a.Tags = list
			return nil
		}
		for _, u := range list {
			if fail := checkIdentifierURI(u); fail != nil {
				return fail
			}
		}
		a.IdentifierURIs = list
	case "web":
		patch, ok := v.(map[string]any)
		if !ok {
			return badRequest("Invalid value for property 'web'.")
		}
		for wk, wv := range patch {
			if !webWritable[wk] {
				return badRequest(fmt.Sprintf("Invalid property '%s' on type 'microsoft.graph.webApplication'.", wk))
			}
			if wk == "redirectUris" {
				list, fail := stringList(wk, wv)
				if fail != nil {
					return fail
				}
				ifaces := make([]any, len(list))
				for j, s := range list {
					ifaces[j] = s
				}
				wv = ifaces
			}
			a.Web[wk] = wv
		}
	}
	return nil
}

func stringList(name string, v any) ([]string, *graphFail) {
	raw, ok := v.([]any)
	if !ok {
		return nil, badRequest(fmt.Sprintf("Property '%s' must be a collection of strings.", name))
	}
	out := make([]string, 0, len(raw))
	for _, x := range raw {
		str, ok := x.(string)
		if !ok {
			return nil, badRequest(fmt.Sprintf("Property '%s' must be a collection of strings.", name))
		}
		out = append(out, str)
	}
	return out, nil
}

func cloneApp(a Application) Application {
	c := a
	c.IdentifierURIs = append([]string(nil), a.IdentifierURIs...)
	c.Tags = append([]string(nil), a.Tags...)
	c.Web = cloneMap(a.Web)
	if a.OnPremisesPublishing != nil {
		c.OnPremisesPublishing = cloneMap(a.OnPremisesPublishing)
	}
	return c
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (s *Server) deleteApplication(w http.ResponseWriter, r *http.Request, c caller, key string, byAppID bool) {
	if fail := c.requireAppWrite(); fail != nil {
		writeFail(w, r, fail)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, fail := s.findAppLocked(key, byAppID)
	if fail != nil {
		writeFail(w, r, fail)
		return
	}
	appID := s.st.Applications[i].AppID
	s.st.DeletedApplications = append(s.st.DeletedApplications, s.st.Applications[i])
	s.st.Applications = append(s.st.Applications[:i], s.st.Applications[i+1:]...)
	// Deleting an application also deletes its service principal.
	sps := s.st.ServicePrincipals[:0]
	for _, sp := range s.st.ServicePrincipals {
		if !equalFold(sp.AppID, appID) {
			sps = append(sps, sp)
		}
	}
	s.st.ServicePrincipals = sps
	s.persistLocked()
	w.WriteHeader(http.StatusNoContent)
}

func appNotPublished(key string) *graphFail {
	return &graphFail{status: http.StatusNotFound, code: "Application_NotFound",
		message: fmt.Sprintf("Application '%s' not found or OnPremisesPublishing is not enabled for your tenant.", key)}
}

// appConnectorGroup serves GET .../connectorGroup and PUT/DELETE
// .../connectorGroup/$ref. Like every connector-group call these are
// delegated-only, and they need the app to be published first (the
// documented order: PATCH onPremisesPublishing, then assign the group).
func (s *Server) appConnectorGroup(w http.ResponseWriter, r *http.Request, c caller, key string, byAppID, ref bool) {
	if fail := c.requireConnectorAccess(); fail != nil {
		writeFail(w, r, fail)
		return
	}
	var body map[string]any
	switch {
	case !ref && r.Method == http.MethodGet:
	case ref && r.Method == http.MethodPut:
		var fail *graphFail
		if body, fail = readJSONBody(r); fail != nil {
			writeFail(w, r, fail)
			return
		}
	case ref && r.Method == http.MethodDelete:
	default:
		writeFail(w, r, graphMethodNotAllowed())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, fail := s.findAppLocked(key, byAppID)
	if fail != nil {
		writeFail(w, r, fail)
		return
	}
	a := &s.st.Applications[i]
	if a.OnPremisesPublishing == nil {
		writeFail(w, r, appNotPublished(key))
		return
	}
	switch r.Method {
	case http.MethodGet:
		g := s.st.group(s.st.appGroupID(i))
		if g == nil {
			writeFail(w, r, notFound("connectorGroup"))
			return
		}
		item := groupJSON(*g)
		item["@odata.context"] = s.baseURL(r) + "/beta/$metadata#connectorGroups/$entity"
		writeGraphJSON(w, http.StatusOK, item)
	case http.MethodPut:
		ref, _ := body["@odata.id"].(string)
		if !isCloudGraphRef(ref) {
			// R13: Graph resolves @odata.id against its own host; a
			// reference to any other host (the lab's own included) fails.
			writeFail(w, r, badRequest(fmt.Sprintf("Invalid @odata.id '%s': it must reference the Microsoft Graph service root.", cutText(ref, 200))))
			return
		}
		segs, ok := graphRefSegments(ref)
		if !ok || len(segs) != 4 || !equalFold(segs[0], "onPremisesPublishingProfiles") ||
			!equalFold(segs[1], "applicationProxy") || !equalFold(segs[2], "connectorGroups") {
			writeFail(w, r, badRequest("The @odata.id must reference .../onPremisesPublishingProfiles/applicationProxy/connectorGroups/{id}."))
			return
		}
		g := s.st.group(segs[3])
		if g == nil {
			writeFail(w, r, notFound(segs[3]))
			return
		}
		a.ConnectorGroupID = g.ID
		s.persistLocked()
		w.WriteHeader(http.StatusNoContent)
	case http.MethodDelete:
		a.ConnectorGroupID = ""
		s.persistLocked()
		w.WriteHeader(http.StatusNoContent)
	}
}

// graphTemplates serves POST /applicationTemplates/{id}/instantiate on beta
// and v1.0. The answer's shape differs (R3): beta answers the AAD Graph
// shape application.objectId without id; v1.0 answers application.id.
func (s *Server) graphTemplates(w http.ResponseWriter, r *http.Request, c caller, segs []string, v1 bool) {
	if len(segs) != 2 || !equalFold(segs[1], "instantiate") {
		last := "applicationTemplates"
		if len(segs) > 0 {
			last = segs[len(segs)-1]
		}
		writeFail(w, r, segmentNotFound(last))
		return
	}
	if r.Method != http.MethodPost {
		writeFail(w, r, graphMethodNotAllowed())
		return
	}
	if fail := c.requireInstantiate(); fail != nil {
		writeFail(w, r, fail)
		return
	}
	if !equalFold(segs[0], CustomAppTemplateID) {
		writeFail(w, r, notFound(segs[0]))
		return
	}
	body, fail := readJSONBody(r)
	if fail != nil {
		writeFail(w, r, fail)
		return
	}
	name, _ := body["displayName"].(string)
	if strings.TrimSpace(name) == "" {
		writeFail(w, r, badRequest("The displayName parameter is required."))
		return
	}
	for k := range body {
		if k != "displayName" {
			writeFail(w, r, badRequest(fmt.Sprintf("Invalid parameter '%s' for action 'instantiate'.", k)))
			return
		}
	}
	tmpl := CustomAppTemplateID
	app := Application{
		ID: newGUID(), AppID: newGUID(), DisplayName: name, ApplicationTemplateID: &tmpl,
		CreatedDateTime: s.now().UTC().Truncate(time.Second), IdentifierURIs: []string{},
		PublisherDomain: TenantDomain, SignInAudience: "AzureADMyOrg", Tags: []string{}, Web: newWeb(""),
	}
	sp := ServicePrincipal{
		ID: newGUID(), AppID: app.AppID, DisplayName: name, ApplicationTemplateID: &tmpl,
		ServicePrincipalType: "Application",
		Tags:                 []string{"WindowsAzureActiveDirectoryCustomSingleSignOnApplication", "WindowsAzureActiveDirectoryIntegratedApp"},
	}
	s.mu.Lock()
	s.st.Applications = append(s.st.Applications, app)
	s.st.ServicePrincipals = append(s.st.ServicePrincipals, sp)
	s.startReplicationLocked(app.ID, app.AppID)
	s.persistLocked()
	s.mu.Unlock()
	version := "beta"
	appOut := appJSON(&app, false)
	if v1 {
		version = "v1.0"
	} else {
		delete(appOut, "id")
		appOut["objectId"] = app.ID
	}
	writeGraphJSON(w, http.StatusCreated, map[string]any{
		"@odata.context": s.baseURL(r) + "/" + version + "/$metadata#microsoft.graph.applicationServicePrincipal",
		"application":    appOut,
		"servicePrincipal": map[string]any{
			"id": sp.ID, "appId": sp.AppID, "displayName": sp.DisplayName, "appDisplayName": sp.DisplayName,
			"applicationTemplateId": sp.ApplicationTemplateID, "servicePrincipalType": sp.ServicePrincipalType,
			"accountEnabled": true, "tags": sp.Tags,
		},
	})
}
