package labtenant

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const groupsPath = "/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups"

func TestGraphAuthentication(t *testing.T) {
	clock := &testClock{t: time.Now()}
	srv := newLab(t, func(o *Options) { o.Now = clock.now })
	g := graphCall(t, srv, http.MethodGet, "/beta/applications", "", nil)
	assert.Equal(t, http.StatusUnauthorized, g.status)
	assert.Equal(t, "InvalidAuthenticationToken", g.errCode())
	assert.Contains(t, g.header.Get("WWW-Authenticate"), "Bearer")

	g = graphCall(t, srv, http.MethodGet, "/beta/applications", "lab-at.forged", nil)
	assert.Equal(t, http.StatusUnauthorized, g.status)
	assert.Equal(t, "InvalidAuthenticationToken", g.errCode())

	tok := ropcToken(t, srv, AdminUPN, graphDirScope)
	g = graphCall(t, srv, http.MethodGet, "/beta/applications", tok, nil)
	assert.Equal(t, http.StatusOK, g.status, "a fresh token works: %s", g.raw)
	// Just past the default one-hour lifetime on the lab's clock: the token
	// is still on file (nothing pruned it), and refused as expired.
	clock.advance(time.Hour + time.Second)
	g = graphCall(t, srv, http.MethodGet, "/beta/applications", tok, nil)
	assert.Equal(t, http.StatusUnauthorized, g.status)
	assert.Equal(t, "InvalidAuthenticationToken", g.errCode())
	assert.Equal(t, "Lifetime validation failed, the token is expired.", g.body["error"].(map[string]any)["message"])
}

// testClock is a lab clock that moves only when a test says so.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestGraphConnectorRoutesAreDelegatedOnly(t *testing.T) {
	srv := newLab(t)
	admin := ropcToken(t, srv, AdminUPN, graphDirScope)
	reader := ropcToken(t, srv, ReaderUPN, graphDirScope)
	app := appToken(t, srv)
	base := "/beta/onPremisesPublishingProfiles/applicationProxy"
	paths := []string{
		base + "/connectorGroups", base + "/connectorGroups/" + ExchangeGroupID,
		base + "/connectorGroups/" + ExchangeGroupID + "/members", base + "/connectors",
		base + "/connectors/" + ExchAgent1ID, base + "/connectors/" + ExchAgent1ID + "/memberOf",
		"/beta/applications/" + HybridAppObjectID + "/connectorGroup",
	}
	for _, p := range paths {
		for name, tok := range map[string]string{"app-only": app, "reader": reader} {
			g := graphCall(t, srv, http.MethodGet, p, tok, nil)
			assert.Equal(t, http.StatusForbidden, g.status, "%s %s", name, p)
			assert.Equal(t, "Authorization_RequestDenied", g.errCode(), "%s %s", name, p)
			assert.Equal(t, "Insufficient privileges to complete the operation.", g.body["error"].(map[string]any)["message"])
		}
		g := graphCall(t, srv, http.MethodGet, p, admin, nil)
		assert.Equal(t, http.StatusOK, g.status, "admin %s: %s", p, g.raw)
	}
	ref := map[string]string{"@odata.id": "https://graph.microsoft.com/beta" + groupsPath[len("/beta"):] + "/" + DefaultGroupID}
	g := graphCall(t, srv, http.MethodPut, "/beta/applications/"+HybridAppObjectID+"/connectorGroup/$ref", app, ref)
	assert.Equal(t, http.StatusForbidden, g.status)

	// An admin token without Directory.ReadWrite.All cannot list connectors
	// (R1), even holding Application.ReadWrite.All.
	narrow := ropcToken(t, srv, AdminUPN, "https://graph.microsoft.com/Application.ReadWrite.All")
	g = graphCall(t, srv, http.MethodGet, base+"/connectors", narrow, nil)
	assert.Equal(t, http.StatusForbidden, g.status)
	// A scope the fresh tenant never consented is refused at sign-in (R2).
	status, body := postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"password"}, "client_id": {GraphCLIClientID}, "username": {AdminUPN},
		"password": {srv.Credentials().Password(AdminUPN)}, "scope": {"https://graph.microsoft.com/Application.Read.All"}})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body["error_description"], "AADSTS65001")
	// The reader may read applications but not write them.
	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+HybridAppObjectID, reader, nil)
	assert.Equal(t, http.StatusOK, g.status)
	g = graphCall(t, srv, http.MethodPatch, "/beta/applications/"+HybridAppObjectID, reader, map[string]any{"displayName": "x"})
	assert.Equal(t, http.StatusForbidden, g.status)
}

func TestGraphConnectorGroupsPagingAndExpand(t *testing.T) {
	srv := newLab(t)
	admin := ropcToken(t, srv, AdminUPN, graphDirScope)

	// The profile segment is case-insensitive.
	groups, pages := collect(t, srv, "/beta/onPremisesPublishingProfiles/applicationproxy/connectorGroups?$expand=members", admin)
	require.Len(t, groups, 2)
	assert.Equal(t, 2, pages, "default connector page size 1 makes clients page")
	assert.Equal(t, ExchangeGroupName, groups[0]["name"])
	assert.Equal(t, false, groups[0]["isDefault"])
	assert.Equal(t, true, groups[1]["isDefault"])
	members := groups[0]["members"].([]any)
	require.Len(t, members, 2)
	m := members[0].(map[string]any)
	assert.Equal(t, "EXCH-AGENT01.contoso.local", m["machineName"])
	assert.Equal(t, "1.5.3437.0", m["version"])
	assert.Equal(t, "active", m["status"])

	conns, _ := collect(t, srv, "/beta/onPremisesPublishingProfiles/applicationProxy/connectors", admin)
	require.Len(t, conns, 3)
	assert.Equal(t, "inactive", conns[2]["status"])
	mem, pages := collect(t, srv, groupsPath+"/"+ExchangeGroupID+"/members", admin)
	assert.Len(t, mem, 2)
	assert.Equal(t, 2, pages)
	of, _ := collect(t, srv, "/beta/onPremisesPublishingProfiles/applicationProxy/connectors/"+AppProxyConnID+"/memberOf", admin)
	require.Len(t, of, 1)
	assert.Equal(t, DefaultGroupID, of[0]["id"])

	// Without $expand there are no members inline; $top lowers nothing
	// below the page size of 1 but a larger one is cut to it.
	g := graphCall(t, srv, http.MethodGet, groupsPath+"?$top=999", admin, nil)
	require.Equal(t, http.StatusOK, g.status)
	assert.Len(t, g.body["value"], 1)
	assert.NotContains(t, g.body["value"].([]any)[0], "members")
	assert.Contains(t, g.body["@odata.nextLink"], "$top=999")

	g = graphCall(t, srv, http.MethodGet, groupsPath+"/"+newGUID(), admin, nil)
	assert.Equal(t, http.StatusNotFound, g.status)
	assert.Equal(t, "Request_ResourceNotFound", g.errCode())

	g = graphCall(t, srv, http.MethodGet, groupsPath+"?$expand=applications", admin, nil)
	assert.Equal(t, http.StatusBadRequest, g.status)
	g = graphCall(t, srv, http.MethodGet, groupsPath+"?$orderby=name", admin, nil)
	assert.Equal(t, http.StatusBadRequest, g.status)
}

func TestGraphApplicationsSelectAndPaging(t *testing.T) {
	srv := newLab(t)
	admin := ropcToken(t, srv, AdminUPN, graphDirScope)
	// R5: a list leaves onPremisesPublishing out even when $select names it.
	apps, pages := collect(t, srv, "/beta/applications?$select=id,appId,displayName,onPremisesPublishing&$top=999", admin)
	require.Len(t, apps, 4)
	assert.Equal(t, 2, pages)
	for _, a := range apps {
		assert.Len(t, a, 3, "only the selected properties, publishing omitted")
	}

	// R5: a read of one application by object id with $select serves it...
	sel := "?$select=id,appId,displayName,onPremisesPublishing"
	g := graphCall(t, srv, http.MethodGet, "/beta/applications/"+HybridAppObjectID+sel, admin, nil)
	require.Equal(t, http.StatusOK, g.status)
	pub := g.body["onPremisesPublishing"].(map[string]any)
	assert.Equal(t, HybridExternalURL, pub["externalUrl"])
	assert.Equal(t, HybridInternalURL, pub["internalUrl"])
	assert.Equal(t, "passthru", pub["externalAuthenticationType"])
	assert.Equal(t, true, pub["isOnPremPublishingEnabled"])
	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+PayrollObjectID+sel, admin, nil)
	assert.Nil(t, g.body["onPremisesPublishing"])
	// ...the alternate key does not, nor does a read without $select.
	g = graphCall(t, srv, http.MethodGet, "/beta/applications(appId='"+HybridAppID+"')"+sel, admin, nil)
	require.Equal(t, http.StatusOK, g.status)
	assert.NotContains(t, g.body, "onPremisesPublishing")
	assert.Equal(t, HybridAppObjectID, g.body["id"])
	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+HybridAppObjectID, admin, nil)
	assert.NotContains(t, g.body, "onPremisesPublishing")
	// Under PublishingOnlyByPath only the property path serves it.
	s := srv.Settings()
	s.PublishingOnlyByPath = true
	srv.SetSettings(s)
	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+HybridAppObjectID+sel, admin, nil)
	assert.NotContains(t, g.body, "onPremisesPublishing")

	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+HybridAppObjectID+"/onPremisesPublishing", admin, nil)
	require.Equal(t, http.StatusOK, g.status)
	assert.Equal(t, HybridInternalURL, g.body["internalUrl"])
	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+PayrollObjectID+"/onPremisesPublishing", admin, nil)
	assert.Equal(t, http.StatusNotFound, g.status, "R5: not published is 404 Application_NotFound")
	assert.Equal(t, "Application_NotFound", g.errCode())
	g = graphCall(t, srv, http.MethodGet, "/beta/applications(appId='"+HybridAppID+"')/onPremisesPublishing", admin, nil)
	assert.Equal(t, http.StatusBadRequest, g.status, "the property is read by object id only")

	g = graphCall(t, srv, http.MethodGet, "/beta/applications?$filter=displayName%20eq%20'Contoso%20Payroll'&$select=id", admin, nil)
	require.Equal(t, http.StatusOK, g.status)
	require.Len(t, g.body["value"], 1)
	assert.Equal(t, PayrollObjectID, g.body["value"].([]any)[0].(map[string]any)["id"])
	g = graphCall(t, srv, http.MethodGet, "/beta/applications?$filter=displayName%20eq%20'Contoso%20Payroll'&$select=id,onPremisesPublishing", admin, nil)
	assert.Equal(t, http.StatusBadRequest, g.status, "R5: $filter with the cross-workload $select is rejected")
	g = graphCall(t, srv, http.MethodGet, "/beta/applications?$filter=tags/any(t:t%20eq%20'x')", admin, nil)
	assert.Equal(t, "Request_UnsupportedQuery", g.errCode())
	g = graphCall(t, srv, http.MethodGet, "/beta/applications?$select=nope", admin, nil)
	assert.Equal(t, http.StatusBadRequest, g.status)
}

func TestGraphServicePrincipalsTaggedOnPrem(t *testing.T) {
	srv := newLab(t)
	reader := ropcToken(t, srv, ReaderUPN, graphDirScope)
	// R6: Microsoft's sample lists App Proxy apps through this filter.
	sps, _ := collect(t, srv, "/beta/servicePrincipals?$filter=tags/any(x:x%20eq%20'WindowsAzureActiveDirectoryOnPremApp')&$select=id,appId,displayName", reader)
	var ids []string
	for _, sp := range sps {
		assert.Len(t, sp, 3)
		ids = append(ids, sp["appId"].(string))
	}
	assert.ElementsMatch(t, []string{HybridAppID, IntranetAppID}, ids)
	g := graphCall(t, srv, http.MethodGet, "/beta/servicePrincipals?$filter=tags/any(x:y%20eq%20'a')", reader, nil)
	assert.Equal(t, "Request_UnsupportedQuery", g.errCode())
	g = graphCall(t, srv, http.MethodGet, "/beta/servicePrincipals", "", nil)
	assert.Equal(t, http.StatusUnauthorized, g.status)

	// Unpublishing drops the tag; publishing adds it.
	admin := ropcToken(t, srv, AdminUPN, graphCLIScopes)
	g = graphCall(t, srv, http.MethodPatch, "/beta/applications/"+IntranetObjectID, admin, map[string]any{
		"onPremisesPublishing": map[string]any{"internalUrl": DeletePublishingID, "externalUrl": DeletePublishingID}})
	require.Equal(t, http.StatusNoContent, g.status, "%s", g.raw)
	g = graphCall(t, srv, http.MethodPatch, "/beta/applications/"+PayrollObjectID, admin, map[string]any{
		"onPremisesPublishing": map[string]any{"internalUrl": "https://payroll.contoso.local/", "externalUrl": "https://payroll-contoso.msappproxy.net/"}})
	require.Equal(t, http.StatusNoContent, g.status, "%s", g.raw)
	sps, _ = collect(t, srv, "/beta/servicePrincipals?$filter=tags/any(t:t%20eq%20'WindowsAzureActiveDirectoryOnPremApp')", reader)
	ids = nil
	for _, sp := range sps {
		ids = append(ids, sp["appId"].(string))
	}
	assert.ElementsMatch(t, []string{HybridAppID, PayrollAppID}, ids)
}

func TestGraphNotFoundEnvelope(t *testing.T) {
	srv := newLab(t)
	admin := ropcToken(t, srv, AdminUPN, graphDirScope)
	missing := newGUID()
	for _, p := range []string{"/beta/applications/" + missing, "/beta/applications(appId='" + missing + "')?$select=id"} {
		g := graphCall(t, srv, http.MethodGet, p, admin, nil)
		assert.Equal(t, http.StatusNotFound, g.status)
		e := g.body["error"].(map[string]any)
		assert.Equal(t, "Request_ResourceNotFound", e["code"])
		assert.Contains(t, e["message"], missing)
		inner := e["innerError"].(map[string]any)
		assert.Equal(t, g.header.Get("request-id"), inner["request-id"])
		assert.NotEmpty(t, inner["date"])
		assert.NotEmpty(t, inner["client-request-id"])
	}
	g := graphCall(t, srv, http.MethodGet, "/beta/applications/not-a-guid", admin, nil)
	assert.Equal(t, http.StatusBadRequest, g.status)
	g = graphCall(t, srv, http.MethodGet, "/beta/nosuchthing", admin, nil)
	assert.Equal(t, "BadRequest", g.errCode())
	g = graphCall(t, srv, http.MethodGet, "/v1.0/onPremisesPublishingProfiles/applicationProxy/connectors", admin, nil)
	assert.Equal(t, http.StatusBadRequest, g.status, "App Proxy routes are beta-only")
	// Every Graph answer carries a request-id, success included.
	g = graphCall(t, srv, http.MethodGet, "/beta/applications?$select=id", admin, nil)
	assert.NotEmpty(t, g.header.Get("request-id"))
}

func TestGraphPatchPublishing(t *testing.T) {
	srv := newLab(t)
	admin := ropcToken(t, srv, AdminUPN, graphCLIScopes)
	app := appToken(t, srv)
	byAppID := "/beta/applications(appId='" + HybridAppID + "')"

	// App-only writes work (Application.ReadWrite.All) and merge.
	g := graphCall(t, srv, http.MethodPatch, byAppID, app, map[string]any{
		"onPremisesPublishing": map[string]any{"internalUrl": "https://exch02.contoso.local/", "externalUrl": HybridExternalURL}})
	require.Equal(t, http.StatusNoContent, g.status, "%s", g.raw)
	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+HybridAppObjectID+"/onPremisesPublishing", admin, nil)
	pub := g.body
	assert.Equal(t, "https://exch02.contoso.local/", pub["internalUrl"])
	assert.Equal(t, "passthru", pub["externalAuthenticationType"], "untouched properties stay")

	bad := []struct {
		name string
		body map[string]any
		code string
	}{
		{"duplicate internal url", map[string]any{"onPremisesPublishing": map[string]any{"internalUrl": "HTTPS://intranet.contoso.local"}}, "InternalUrl_Duplicate"},
		{"read-only certificate metadata", map[string]any{"onPremisesPublishing": map[string]any{"verifiedCustomDomainCertificatesMetadata": map[string]any{}}}, "Request_BadRequest"},
		{"publishing with other properties (R7)", map[string]any{"displayName": "x", "onPremisesPublishing": map[string]any{"internalUrl": "https://exch09.contoso.local/"}}, "Request_BadRequest"},
		{"route in identifierUris (R4)", map[string]any{"identifierUris": []string{HybridExternalURL}}, "HostNameNotOnVerifiedDomain"},
		{"null publishing", map[string]any{"onPremisesPublishing": nil}, "Request_BadRequest"},
		{"unknown property", map[string]any{"onPremisesPublishing": map[string]any{"bogus": 1}}, "Request_BadRequest"},
		{"half sentinel", map[string]any{"onPremisesPublishing": map[string]any{"internalUrl": DeletePublishingID}}, "Request_BadRequest"},
		{"read-only appId", map[string]any{"appId": newGUID()}, "Request_BadRequest"},
	}
	for _, tc := range bad {
		g := graphCall(t, srv, http.MethodPatch, byAppID, admin, tc.body)
		assert.Equal(t, http.StatusBadRequest, g.status, tc.name)
		assert.Equal(t, tc.code, g.errCode(), tc.name)
	}
	dup := graphCall(t, srv, http.MethodPatch, byAppID, admin, bad[0].body)
	assert.Equal(t, "Internal url 'HTTPS://intranet.contoso.local' is invalid since it is already in use.", dup.body["error"].(map[string]any)["message"])

	// A failed PATCH changes nothing, even the parts that were valid.
	g = graphCall(t, srv, http.MethodPatch, byAppID, admin, map[string]any{"displayName": "Renamed", "appId": newGUID()})
	assert.Equal(t, http.StatusBadRequest, g.status)
	g = graphCall(t, srv, http.MethodGet, byAppID+"?$select=displayName", admin, nil)
	assert.Equal(t, HybridAppName, g.body["displayName"])

	req := graphCall(t, srv, http.MethodPatch, "/beta/applications/"+HybridAppObjectID, admin, map[string]any{
		"identifierUris": []string{"https://hybrid.contoso.com", "api://" + HybridAppID}, "web": map[string]any{"redirectUris": []string{HybridExternalURL}}})
	assert.Equal(t, http.StatusNoContent, req.status, "%s", req.raw)

	// HCW's own publishing body is accepted, read-only-documented fields
	// included (R7).
	g = graphCall(t, srv, http.MethodPatch, byAppID, admin, map[string]any{"onPremisesPublishing": map[string]any{
		"externalUrl": HybridExternalURL, "internalUrl": HybridInternalURL, "externalAuthenticationType": "passthru",
		"applicationServerTimeout": "Default", "applicationType": "microsoftapp", "isOnPremPublishingEnabled": true,
		"isTranslateHostHeaderEnabled": false, "isTranslateLinksInBodyEnabled": false}})
	require.Equal(t, http.StatusNoContent, g.status, "%s", g.raw)

	// Directory.ReadWrite.All alone reads but cannot write (R1).
	dirOnly := ropcToken(t, srv, AdminUPN, graphDirScope)
	g = graphCall(t, srv, http.MethodGet, byAppID+"?$select=id", dirOnly, nil)
	assert.Equal(t, http.StatusOK, g.status)
	g = graphCall(t, srv, http.MethodPatch, byAppID, dirOnly, map[string]any{"displayName": "x"})
	assert.Equal(t, http.StatusForbidden, g.status)

	// The sentinel removes publishing.
	g = graphCall(t, srv, http.MethodPatch, byAppID, admin, map[string]any{
		"onPremisesPublishing": map[string]any{"internalUrl": DeletePublishingID, "externalUrl": DeletePublishingID}})
	require.Equal(t, http.StatusNoContent, g.status)
	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+HybridAppObjectID+"?$select=onPremisesPublishing", admin, nil)
	assert.Nil(t, g.body["onPremisesPublishing"])
	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+HybridAppObjectID+"/onPremisesPublishing", admin, nil)
	assert.Equal(t, "Application_NotFound", g.errCode())
	g = graphCall(t, srv, http.MethodGet, byAppID+"/connectorGroup", admin, nil)
	assert.Equal(t, "Application_NotFound", g.errCode())

	// The internal URL it held is free again.
	g = graphCall(t, srv, http.MethodPatch, "/beta/applications/"+PayrollObjectID, admin, map[string]any{
		"onPremisesPublishing": map[string]any{"internalUrl": "https://exch02.contoso.local/", "externalUrl": "https://payroll-contoso.msappproxy.net/"}})
	assert.Equal(t, http.StatusNoContent, g.status, "%s", g.raw)
}

func TestGraphWriteNeedsJSONContentType(t *testing.T) {
	srv := newLab(t)
	admin := ropcToken(t, srv, AdminUPN, graphCLIScopes)
	req, err := http.NewRequest(http.MethodPatch, srv.URL()+"/beta/applications/"+HybridAppObjectID, strings.NewReader(`{"displayName":"x"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application\\json") // the original module's typo
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode)
}

func TestGraphInstantiateAssignDelete(t *testing.T) {
	srv := newLab(t, func(o *Options) { o.Settings.ReplicationMisses = -1 })
	admin := ropcToken(t, srv, AdminUPN, graphCLIScopes)
	app := appToken(t, srv)

	// R3: beta answers the AAD Graph shape, objectId and no id.
	g := graphCall(t, srv, http.MethodPost, "/beta/applicationTemplates/"+CustomAppTemplateID+"/instantiate", app, map[string]any{"displayName": "Hybrid Agent Test"})
	require.Equal(t, http.StatusCreated, g.status, "%s", g.raw)
	created := g.body["application"].(map[string]any)
	sp := g.body["servicePrincipal"].(map[string]any)
	assert.NotContains(t, created, "id")
	id := created["objectId"].(string)
	assert.Equal(t, created["appId"], sp["appId"])
	assert.Equal(t, CustomAppTemplateID, created["applicationTemplateId"])
	assert.Equal(t, "AzureADMyOrg", created["signInAudience"])
	assert.NotEmpty(t, sp["tags"])
	// v1.0 answers application.id.
	g = graphCall(t, srv, http.MethodPost, "/v1.0/applicationTemplates/"+CustomAppTemplateID+"/instantiate", admin, map[string]any{"displayName": "Hybrid Agent Test 2"})
	require.Equal(t, http.StatusCreated, g.status, "%s", g.raw)
	v1id := g.body["application"].(map[string]any)["id"].(string)
	assert.NotContains(t, g.body["application"], "objectId")
	g = graphCall(t, srv, http.MethodGet, "/v1.0/applications/"+v1id+"?$select=id,appId", admin, nil)
	assert.Equal(t, http.StatusOK, g.status, "v1.0 serves plain application reads")
	g = graphCall(t, srv, http.MethodPatch, "/v1.0/applications/"+v1id, admin, map[string]any{"displayName": "x"})
	assert.Equal(t, http.StatusBadRequest, g.status, "the lab serves no v1.0 writes")

	g = graphCall(t, srv, http.MethodPost, "/beta/applicationTemplates/"+newGUID()+"/instantiate", admin, map[string]any{"displayName": "x"})
	assert.Equal(t, http.StatusNotFound, g.status)
	g = graphCall(t, srv, http.MethodPost, "/beta/applicationTemplates/"+CustomAppTemplateID+"/instantiate", admin, map[string]any{})
	assert.Equal(t, http.StatusBadRequest, g.status)

	ref := map[string]string{"@odata.id": "https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationproxy/connectorGroups/" + ExchangeGroupID}
	refPath := "/beta/applications/" + id + "/connectorGroup/$ref"
	g = graphCall(t, srv, http.MethodPut, refPath, admin, ref)
	assert.Equal(t, "Application_NotFound", g.errCode(), "assigning needs publishing first")

	g = graphCall(t, srv, http.MethodPatch, "/beta/applications/"+id, admin, map[string]any{"onPremisesPublishing": map[string]any{
		"internalUrl": "https://exch03.contoso.local/", "externalUrl": "https://" + created["appId"].(string) + ".resource.mailboxmigration.his.msappproxy.net:443/",
		"externalAuthenticationType": "Passthru"}})
	require.Equal(t, http.StatusNoContent, g.status, "%s", g.raw)
	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+id+"/connectorGroup", admin, nil)
	assert.Equal(t, DefaultGroupID, g.body["id"], "published apps start in the default group")
	// R13: a reference to any host but a cloud's Graph root fails.
	g = graphCall(t, srv, http.MethodPut, refPath, admin, map[string]string{"@odata.id": srv.URL() + "/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/" + ExchangeGroupID})
	assert.Equal(t, http.StatusBadRequest, g.status)
	g = graphCall(t, srv, http.MethodPut, refPath, admin, ref)
	require.Equal(t, http.StatusNoContent, g.status, "%s", g.raw)
	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+id+"/connectorGroup", admin, nil)
	assert.Equal(t, ExchangeGroupID, g.body["id"])
	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+id+"/onPremisesPublishing", admin, nil)
	assert.Equal(t, "passthru", g.body["externalAuthenticationType"], "enum values are stored canonically")

	g = graphCall(t, srv, http.MethodDelete, "/beta/applications/"+id, app, nil)
	assert.Equal(t, http.StatusNoContent, g.status)
	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+id, admin, nil)
	assert.Equal(t, http.StatusNotFound, g.status)
	for _, p := range srv.Snapshot().ServicePrincipals {
		assert.NotEqual(t, created["appId"], p.AppID, "the service principal goes with the app")
	}
	// R10: the deleted app is soft-deleted; writing to it is Invalid_App.
	g = graphCall(t, srv, http.MethodPatch, "/beta/applications/"+id, admin, map[string]any{"displayName": "back"})
	assert.Equal(t, "Invalid_App", g.errCode())
}

func TestGraphNewApplicationReplicates(t *testing.T) {
	srv := newLab(t) // default: two 404s after a create (R8)
	admin := ropcToken(t, srv, AdminUPN, graphCLIScopes)
	g := graphCall(t, srv, http.MethodPost, "/v1.0/applicationTemplates/"+CustomAppTemplateID+"/instantiate", admin, map[string]any{"displayName": "Fresh"})
	require.Equal(t, http.StatusCreated, g.status, "%s", g.raw)
	created := g.body["application"].(map[string]any)
	id, appID := created["id"].(string), created["appId"].(string)
	g = graphCall(t, srv, http.MethodGet, "/beta/applications(appId='"+appID+"')?$select=id", admin, nil)
	assert.Equal(t, http.StatusNotFound, g.status)
	g = graphCall(t, srv, http.MethodPatch, "/beta/applications/"+id, admin, map[string]any{"web": map[string]any{"homePageUrl": "https://x.contoso.com/"}})
	assert.Equal(t, http.StatusNotFound, g.status, "appId and object id share the misses")
	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+id+"?$select=id", admin, nil)
	assert.Equal(t, http.StatusOK, g.status)
}
