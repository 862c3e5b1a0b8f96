package labtenant

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const groupsPath = "/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups"

func TestGraphAuthentication(t *testing.T) {
	srv := newLab(t, func(o *Options) { o.Settings.TokenLifetime = Duration(time.Millisecond) })
	g := graphCall(t, srv, http.MethodGet, "/beta/applications", "", nil)
	assert.Equal(t, http.StatusUnauthorized, g.status)
	assert.Equal(t, "InvalidAuthenticationToken", g.errCode())
	assert.Contains(t, g.header.Get("WWW-Authenticate"), "Bearer")

	g = graphCall(t, srv, http.MethodGet, "/beta/applications", "lab-at.forged", nil)
	assert.Equal(t, http.StatusUnauthorized, g.status)
	assert.Equal(t, "InvalidAuthenticationToken", g.errCode())

	tok := ropcToken(t, srv, AdminUPN, graphDirScope)
	time.Sleep(10 * time.Millisecond) // outlive the 1ms lifetime
	g = graphCall(t, srv, http.MethodGet, "/beta/applications", tok, nil)
	assert.Equal(t, http.StatusUnauthorized, g.status)
	assert.Contains(t, g.body["error"].(map[string]any)["message"], "expired")
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

	// An admin token without Directory.ReadWrite.All cannot list connectors.
	narrow := ropcToken(t, srv, AdminUPN, "https://graph.microsoft.com/Application.Read.All")
	g = graphCall(t, srv, http.MethodGet, base+"/connectors", narrow, nil)
	assert.Equal(t, http.StatusForbidden, g.status)
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

	apps, pages := collect(t, srv, "/beta/applications?$select=id,appId,displayName,onPremisesPublishing&$top=999", admin)
	require.Len(t, apps, 4)
	assert.Equal(t, 2, pages)
	byApp := map[string]map[string]any{}
	for _, a := range apps {
		byApp[a["appId"].(string)] = a
		assert.Len(t, a, 4, "only the selected properties")
	}
	pub := byApp[HybridAppID]["onPremisesPublishing"].(map[string]any)
	assert.Equal(t, HybridExternalURL, pub["externalUrl"])
	assert.Equal(t, HybridInternalURL, pub["internalUrl"])
	assert.Equal(t, "passthru", pub["externalAuthenticationType"])
	assert.Equal(t, true, pub["isOnPremPublishingEnabled"])
	assert.Nil(t, byApp[PayrollAppID]["onPremisesPublishing"])
	assert.Equal(t, IntranetExternal, byApp[IntranetAppID]["onPremisesPublishing"].(map[string]any)["externalUrl"])

	// Without $select the property is left out; the knob puts it back.
	g := graphCall(t, srv, http.MethodGet, "/beta/applications(appId='"+HybridAppID+"')", admin, nil)
	require.Equal(t, http.StatusOK, g.status)
	assert.NotContains(t, g.body, "onPremisesPublishing")
	assert.Equal(t, HybridAppObjectID, g.body["id"])
	s := srv.Settings()
	s.PublishingWithoutSelect = true
	srv.SetSettings(s)
	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+HybridAppObjectID, admin, nil)
	assert.Contains(t, g.body, "onPremisesPublishing")

	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+HybridAppObjectID+"/onPremisesPublishing", admin, nil)
	require.Equal(t, http.StatusOK, g.status)
	assert.Equal(t, HybridInternalURL, g.body["internalUrl"])
	g = graphCall(t, srv, http.MethodGet, "/beta/applications/"+PayrollObjectID+"/onPremisesPublishing", admin, nil)
	assert.Equal(t, http.StatusNoContent, g.status)

	g = graphCall(t, srv, http.MethodGet, "/beta/applications?$filter=displayName%20eq%20'Contoso%20Payroll'&$select=id", admin, nil)
	require.Equal(t, http.StatusOK, g.status)
	require.Len(t, g.body["value"], 1)
	assert.Equal(t, PayrollObjectID, g.body["value"].([]any)[0].(map[string]any)["id"])
	g = graphCall(t, srv, http.MethodGet, "/beta/applications?$filter=tags/any(t:t%20eq%20'x')", admin, nil)
	assert.Equal(t, "Request_UnsupportedQuery", g.errCode())
	g = graphCall(t, srv, http.MethodGet, "/beta/applications?$select=nope", admin, nil)
	assert.Equal(t, http.StatusBadRequest, g.status)
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
	admin := ropcToken(t, srv, AdminUPN, graphDirScope)
	app := appToken(t, srv)
	byAppID := "/beta/applications(appId='" + HybridAppID + "')"

	// App-only writes work (Application.ReadWrite.All) and merge.
	g := graphCall(t, srv, http.MethodPatch, byAppID, app, map[string]any{
		"onPremisesPublishing": map[string]any{"internalUrl": "https://exch02.contoso.local/", "externalUrl": HybridExternalURL}})
	require.Equal(t, http.StatusNoContent, g.status, "%s", g.raw)
	g = graphCall(t, srv, http.MethodGet, byAppID+"?$select=onPremisesPublishing", admin, nil)
	pub := g.body["onPremisesPublishing"].(map[string]any)
	assert.Equal(t, "https://exch02.contoso.local/", pub["internalUrl"])
	assert.Equal(t, "passthru", pub["externalAuthenticationType"], "untouched properties stay")

	bad := []struct {
		name string
		body map[string]any
		code string
	}{
		{"duplicate internal url", map[string]any{"onPremisesPublishing": map[string]any{"internalUrl": "HTTPS://intranet.contoso.local"}}, "InternalUrl_Duplicate"},
		{"read-only applicationType", map[string]any{"onPremisesPublishing": map[string]any{"applicationType": "microsoftapp"}}, "Request_BadRequest"},
		{"read-only isOnPremPublishingEnabled", map[string]any{"onPremisesPublishing": map[string]any{"isOnPremPublishingEnabled": true}}, "Request_BadRequest"},
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
		"identifierUris": []string{"https://hybrid.contoso.com"}, "web": map[string]any{"redirectUris": []string{HybridExternalURL}}})
	assert.Equal(t, http.StatusNoContent, req.status, "%s", req.raw)

	// The sentinel removes publishing.
	g = graphCall(t, srv, http.MethodPatch, byAppID, admin, map[string]any{
		"onPremisesPublishing": map[string]any{"internalUrl": DeletePublishingID, "externalUrl": DeletePublishingID}})
	require.Equal(t, http.StatusNoContent, g.status)
	g = graphCall(t, srv, http.MethodGet, byAppID+"?$select=onPremisesPublishing", admin, nil)
	assert.Nil(t, g.body["onPremisesPublishing"])
	g = graphCall(t, srv, http.MethodGet, byAppID+"/onPremisesPublishing", admin, nil)
	assert.Equal(t, http.StatusNoContent, g.status)
	g = graphCall(t, srv, http.MethodGet, byAppID+"/connectorGroup", admin, nil)
	assert.Equal(t, "Application_NotFound", g.errCode())

	// The internal URL it held is free again.
	g = graphCall(t, srv, http.MethodPatch, "/beta/applications/"+PayrollObjectID, admin, map[string]any{
		"onPremisesPublishing": map[string]any{"internalUrl": "https://exch02.contoso.local/", "externalUrl": "https://payroll-contoso.msappproxy.net/"}})
	assert.Equal(t, http.StatusNoContent, g.status, "%s", g.raw)
}

func TestGraphWriteNeedsJSONContentType(t *testing.T) {
	srv := newLab(t)
	admin := ropcToken(t, srv, AdminUPN, graphDirScope)
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
	srv := newLab(t)
	admin := ropcToken(t, srv, AdminUPN, graphDirScope)
	app := appToken(t, srv)

	g := graphCall(t, srv, http.MethodPost, "/beta/applicationTemplates/"+CustomAppTemplateID+"/instantiate", app, map[string]any{"displayName": "Hybrid Agent Test"})
	require.Equal(t, http.StatusCreated, g.status, "%s", g.raw)
	created := g.body["application"].(map[string]any)
	sp := g.body["servicePrincipal"].(map[string]any)
	id := created["id"].(string)
	assert.Equal(t, created["appId"], sp["appId"])
	assert.Equal(t, CustomAppTemplateID, created["applicationTemplateId"])
	assert.Equal(t, "AzureADMyOrg", created["signInAudience"])
	assert.NotEmpty(t, sp["tags"])

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
}
