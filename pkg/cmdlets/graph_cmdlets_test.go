package cmdlets

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/httpstub"
)

const (
	groupsPath = "/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups"
	hybridGUID = "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7"
	appByAppID = "/beta/applications(appId='" + hybridGUID + "')"
	hybridExt  = "https://" + hybridGUID + ".resource.mailboxmigration.his.msappproxy.net:443/"
)

const groupsJSON = `{"value":[
 {"id":"g-exo","name":"Default group for Exchange Online","isDefault":false,"members":[
   {"id":"c2","machineName":"EXCH-AGENT02.contoso.local","externalIp":"203.0.113.11","status":"active","version":"1.5.3437.0"},
   {"id":"c1","machineName":"EXCH-AGENT01.contoso.local","externalIp":"203.0.113.10","status":"active","version":"1.5.3437.0"}]},
 {"id":"g-def","name":"Default","isDefault":true,"members":[
   {"id":"c3","machineName":"APPPROXY01\u001b[31m.contoso.local","externalIp":"203.0.113.12","status":"inactive","version":"1.5.3437.0"}]}]}`

const (
	selIdentity   = "id,appId,displayName"
	selPublishing = "id,appId,displayName,onPremisesPublishing"
	selWeb        = "id,appId,displayName,web,identifierUris,tags"
)

// stubResolve answers the first read of a two-step lookup (R5): the
// application's identity by appId.
func (e *testEnv) stubResolve(objID, appID, name string) {
	e.reg.Register("resolve "+appID, httpstub.Query(httpstub.REST("GET", "/beta/applications(appId='"+appID+"')"), "$select", selIdentity),
		httpstub.JSON(200, `{"id":"`+objID+`","appId":"`+appID+`","displayName":"`+name+`"}`))
}

// stubPublishing answers the second step: publishing read by object id.
// An empty pub is an unpublished app, told by the property path's 404.
func (e *testEnv) stubPublishing(objID, appID, name, pub string) {
	m := httpstub.Query(httpstub.REST("GET", "/beta/applications/"+objID), "$select", selPublishing)
	if pub == "" {
		e.reg.Register("publishing "+objID, m, httpstub.JSON(200, `{"id":"`+objID+`","appId":"`+appID+`","displayName":"`+name+`","onPremisesPublishing":null}`))
		e.reg.Register("publishing path "+objID, httpstub.REST("GET", "/beta/applications/"+objID+"/onPremisesPublishing"),
			httpstub.GraphError(404, "Application_NotFound", "Application not found or OnPremisesPublishing is not enabled"))
		return
	}
	e.reg.Register("publishing "+objID, m, httpstub.JSON(200, `{"id":"`+objID+`","appId":"`+appID+`","displayName":"`+name+`","onPremisesPublishing":`+pub+`}`))
}

// stubWeb answers ReadWeb: web settings and tags.
func (e *testEnv) stubWeb(objID, appID, tags string) {
	e.reg.Register("web "+objID, httpstub.Query(httpstub.REST("GET", "/beta/applications/"+objID), "$select", selWeb),
		httpstub.JSON(200, `{"id":"`+objID+`","appId":"`+appID+`","web":{"redirectUris":[]},"tags":`+tags+`}`))
}

// stubNoHybridApps answers new's check for an existing hybrid application.
func (e *testEnv) stubNoHybridApps() {
	e.reg.Register("sps", httpstub.REST("GET", "/beta/servicePrincipals"), httpstub.JSON(200, `{"value":[]}`))
}

func (e *testEnv) stubApp(objID, appID, name, pub string) {
	e.stubResolve(objID, appID, name)
	e.stubPublishing(objID, appID, name, pub)
}

func hybridPub(internal string) string {
	return `{"externalUrl":"` + hybridExt + `","internalUrl":"` + internal + `","externalAuthenticationType":"passthru",` +
		`"applicationServerTimeout":"default","isOnPremPublishingEnabled":true,"isTranslateHostHeaderEnabled":false,"alternateUrl":""}`
}

// stubHybrid is the seeded hybrid app, published to internal.
func (e *testEnv) stubHybrid(internal string) {
	e.stubApp("obj-1", hybridGUID, "Hybrid Agent Exchange", hybridPub(internal))
}

func TestGetHybridAgentJSON(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	r := e.run("get-hybridagent", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var agents []AgentView
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &agents))
	require.Len(t, agents, 3)
	assert.Equal(t, AgentView{ID: "c3", MachineName: "APPPROXY01\x1b[31m.contoso.local", ExternalIP: "203.0.113.12", Status: "inactive",
		Version: "1.5.3437.0", ConnectorGroupID: "g-def", ConnectorGroupName: "Default"}, agents[0])
	assert.Equal(t, "EXCH-AGENT01.contoso.local", agents[1].MachineName, "sorted by group, then machine")
	assert.Empty(t, r.stderr)
}

func TestGetHybridAgentTableFilterAndEscaping(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	r := e.run("get-hybridagent", "--connector-group", "default group for exchange online")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "EXCH-AGENT01.contoso.local")
	assert.NotContains(t, r.stdout, "APPPROXY01")

	e2 := newTestEnv(t)
	e2.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	r = e2.run("get-hybridagent")
	require.Equal(t, 0, r.code)
	assert.NotContains(t, r.stdout, "\x1b", "terminal escapes from the server must be stripped")
	assert.Contains(t, r.stdout, "MACHINE NAME")
}

func TestGetHybridAgentUnknownGroupIsNotFound(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	r := e.run("get-hybridagent", "--connector-group", "Nope")
	assert.Equal(t, 4, r.code)
	assert.Contains(t, r.stderr, `no connector group named "Nope"`)
	assert.Empty(t, r.stdout)
}

func TestGetHybridAgentAppOnlyIsExit3WithoutRequests(t *testing.T) {
	e := newTestEnv(t)
	e.appOnly = true
	r := e.run("get-hybridagent", "-o", "json")
	assert.Equal(t, 3, r.code)
	assert.Contains(t, r.stderr, "delegated-only")
	assert.Contains(t, r.stderr, "Application Administrator")
	assert.Zero(t, e.reg.Count())
}

func TestGetHybridAgent403NamesRole(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath),
		httpstub.GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."))
	r := e.run("get-hybridagent")
	assert.Equal(t, 3, r.code)
	assert.True(t, contains(r.stderr, "Authorization_RequestDenied", "Application Administrator", "request-id"), r.stderr)
}

func TestGetHybridApplicationByID(t *testing.T) {
	e := newTestEnv(t)
	e.stubHybrid("https://exch01.contoso.local/")
	r := e.run("get-hybridapplication", "--app-id", "6CA7C832-49A2-4A5D-AEAE-A616F6D4B8E7", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.JSONEq(t, `[{"id":"obj-1","appId":"`+hybridGUID+`","displayName":"Hybrid Agent Exchange","externalUrl":"`+hybridExt+`",
		"internalUrl":"https://exch01.contoso.local/","externalAuthenticationType":"passthru","applicationServerTimeout":"default",
		"isOnPremPublishingEnabled":true,"isTranslateHostHeaderEnabled":false,"alternateUrl":""}]`, r.stdout)
}

func TestGetHybridApplicationNotPublishedIsExit4(t *testing.T) {
	e := newTestEnv(t)
	e.stubApp("obj-1", hybridGUID, "Plain", "")
	r := e.run("get-hybridapplication", "--app-id", hybridGUID)
	assert.Equal(t, 4, r.code)
	assert.Contains(t, r.stderr, "not published")

	e2 := newTestEnv(t)
	e2.reg.Register("by appId", httpstub.REST("GET", appByAppID), httpstub.GraphError(404, "Request_ResourceNotFound", "gone"))
	e2.reg.Register("by object id", httpstub.REST("GET", "/beta/applications/"+hybridGUID), httpstub.GraphError(404, "Request_ResourceNotFound", "gone"))
	e2.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, `{"value":[]}`))
	r = e2.run("get-hybridapplication", "--app-id", hybridGUID, "-o", "json")
	assert.Equal(t, 4, r.code)
	assert.Empty(t, r.stdout)
	assert.NotContains(t, r.stderr, "agent")
}

// An agent's id given as --app-id: the not-found error says whose id it
// is and which id to use instead.
func TestAgentIDAsAppIDGetsAHint(t *testing.T) {
	const agentID = "3c5e7a90-1b2d-4f6e-8a0c-2e4f6a8c0d21"
	e := newTestEnv(t)
	e.reg.Register("by appId", httpstub.REST("GET", "/beta/applications(appId='"+agentID+"')"), httpstub.GraphError(404, "Request_ResourceNotFound", "gone"))
	e.reg.Register("by object id", httpstub.REST("GET", "/beta/applications/"+agentID), httpstub.GraphError(404, "Request_ResourceNotFound", "gone"))
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, `{"value":[{"id":"g-exo","name":"Default group for Exchange Online","members":[
		{"id":"`+agentID+`","machineName":"EXCH-AGENT01.contoso.local","status":"active"}]}]}`))
	e.reg.Register("sps", httpstub.REST("GET", spPath), httpstub.JSON(200, `{"value":[{"id":"s1","appId":"`+hybridGUID+`"}]}`))
	e.stubHybrid("https://exch01.contoso.local/")
	r := e.run("update-hybridapplication", "--app-id", agentID, "--target-uri", "mail-lb.contoso.com")
	assert.Equal(t, 4, r.code, r.stderr)
	assert.Contains(t, r.stderr, "this is the id of agent EXCH-AGENT01.contoso.local, not of an application: the hybrid application's id is "+hybridGUID)
}

const spPath = "/beta/servicePrincipals"

func TestGetHybridApplicationListEmptyIsArray(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("sps", httpstub.REST("GET", spPath), httpstub.JSON(200, `{"value":[]}`))
	r := e.run("get-hybridapplication", "-o", "json")
	require.Equal(t, 0, r.code)
	assert.Equal(t, "[]\n", r.stdout)
	assert.Empty(t, r.stderr)
}

func TestGetHybridApplicationListSaysWhenNoneIsHybrid(t *testing.T) {
	e := newTestEnv(t)
	intranet := "2b4d6f80-1a3c-4e5f-9b7d-8c6e4a2f0d31"
	e.reg.Register("sps", httpstub.REST("GET", spPath), httpstub.JSON(200, `{"value":[{"id":"s2","appId":"`+intranet+`"}]}`))
	e.stubApp("obj-2", intranet, "Contoso Intranet", `{"externalUrl":"https://intranet-contoso.msappproxy.net/","internalUrl":"https://intranet.contoso.local/"}`)
	r := e.run("get-hybridapplication", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "[]\n", r.stdout)
	assert.Contains(t, r.stderr, "1 App Proxy application is published in this tenant, none of them at a hybrid route")
}

func TestGetHybridApplicationListReadsEachAppByObjectID(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("sps", httpstub.REST("GET", spPath), httpstub.JSON(200, `{"value":[{"id":"s1","appId":"`+hybridGUID+`"}]}`))
	// R5: the $select read omits publishing here; the property path serves it.
	e.stubResolve("obj-1", hybridGUID, "Hybrid Agent Exchange")
	e.reg.Register("publishing omitted", httpstub.Query(httpstub.REST("GET", "/beta/applications/obj-1"), "$select", selPublishing),
		httpstub.JSON(200, `{"id":"obj-1","appId":"`+hybridGUID+`","displayName":"Hybrid Agent Exchange"}`))
	e.reg.Register("path", httpstub.REST("GET", "/beta/applications/obj-1/onPremisesPublishing"), httpstub.JSON(200, hybridPub("https://exch01.contoso.local/")))
	r := e.run("get-hybridapplication", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"internalUrl": "https://exch01.contoso.local/"`)
}

func TestUpdateDryRunWritesNothing(t *testing.T) {
	e := newTestEnv(t)
	e.stubHybrid("https://exch01.contoso.local/")
	r := e.run("update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "mail-lb.contoso.com", "--dry-run", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var plans []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &plans))
	require.Len(t, plans, 1)
	assert.Equal(t, "update", plans[0]["operation"])
	assert.Equal(t, "https://exch01.contoso.local/", plans[0]["before"].(map[string]any)["internalUrl"])
	assert.Equal(t, "https://mail-lb.contoso.com/", plans[0]["after"].(map[string]any)["internalUrl"])
	for _, req := range e.reg.Requests {
		assert.True(t, strings.HasPrefix(req, "GET "), "a dry run only reads: %s", req)
	}
}

func TestUpdatePatchesBothURLsAndReadsBack(t *testing.T) {
	e := newTestEnv(t)
	e.stubHybrid("https://exch01.contoso.local/")
	e.reg.Register("patch", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
	e.stubPublishing("obj-1", hybridGUID, "Hybrid Agent Exchange", hybridPub("https://mail-lb.contoso.com/"))
	r := e.run("update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "https://mail-lb.contoso.com", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.JSONEq(t, `{"onPremisesPublishing":{"internalUrl":"https://mail-lb.contoso.com/","externalUrl":"`+hybridExt+`"}}`, e.reg.Bodies[2])
	assert.Contains(t, r.stdout, `"internalUrl": "https://mail-lb.contoso.com/"`)
}

func TestUpdateReadBackMismatchIsExit1(t *testing.T) {
	e := newTestEnv(t)
	e.stubHybrid("https://exch01.contoso.local/")
	e.reg.Register("patch", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
	e.stubPublishing("obj-1", hybridGUID, "Hybrid Agent Exchange", hybridPub("https://exch01.contoso.local/"))
	r := e.run("update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "https://mail-lb.contoso.com", "-o", "json")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, `Graph accepted the change but still reports internalUrl "https://exch01.contoso.local/"`)
	assert.Empty(t, r.stdout)
}

func TestUpdateRefusesNonHybridApp(t *testing.T) {
	e := newTestEnv(t)
	e.stubApp("obj-9", hybridGUID, "Intranet", `{"externalUrl":"https://intranet-contoso.msappproxy.net/","internalUrl":"https://intranet/"}`)
	e.stubWeb("obj-9", hybridGUID, `[]`)
	r := e.run("update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "mail.contoso.com")
	assert.Equal(t, 4, r.code)
	assert.True(t, contains(r.stderr, `refusing to retarget "Intranet" (appId `+hybridGUID+`)`, "not a hybrid route", "Nothing was written"), r.stderr)
	for _, req := range e.reg.Requests {
		assert.True(t, strings.HasPrefix(req, "GET "), "refused: only reads: %s", req)
	}
}

func TestWritesRefusedOutsideGlobalUnlessForced(t *testing.T) {
	for _, args := range [][]string{
		{"update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "mail.contoso.com"},
		{"remove-hybridapplication", "--app-id", hybridGUID, "--yes"},
		{"new-hybridapplication", "--target-uri", "mail.contoso.com"},
	} {
		e := newTestEnv(t)
		r := e.run(append(args, "--cloud", "USGov")...)
		assert.Equal(t, 2, r.code, args[0])
		assert.Contains(t, r.stderr, "not supported in the USGov cloud", args[0])
		assert.Zero(t, e.reg.Count())
	}
}

func TestRemoveSentinelAndDelete(t *testing.T) {
	e := newTestEnv(t)
	e.stubHybrid("https://exch01.contoso.local/")
	e.reg.Register("unpublish", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
	e.reg.Register("delete", httpstub.REST("DELETE", "/beta/applications/obj-1"), httpstub.Status(204))
	r := e.run("remove-hybridapplication", "--app-id", hybridGUID, "--delete-application", "--yes", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "[]\n", r.stdout)
	assert.JSONEq(t, `{"onPremisesPublishing":{"internalUrl":"PowerShellDeleteApplication","externalUrl":"PowerShellDeleteApplication"}}`, e.reg.Bodies[2])
	assert.True(t, contains(r.stderr, "Get-OrganizationRelationship | fl TargetSharingEpr", "Get-MigrationEndpoint | fl RemoteServer",
		"new-hybridapplication --app-id "+hybridGUID), "deleting the hybrid app warns about its GUID: %s", r.stderr)
}

func TestRemoveUnpublishReadsBack(t *testing.T) {
	e := newTestEnv(t)
	e.stubHybrid("https://exch01.contoso.local/")
	e.stubWeb("obj-1", hybridGUID, `[]`)
	e.reg.Register("mark", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
	e.reg.Register("unpublish", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
	e.stubPublishing("obj-1", hybridGUID, "Hybrid Agent Exchange", hybridPub("https://exch01.contoso.local/"))
	r := e.run("remove-hybridapplication", "--app-id", hybridGUID, "--yes", "-o", "json")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "still reports")
}

func TestRemoveUnpublishedIsExit4(t *testing.T) {
	e := newTestEnv(t)
	e.stubApp("obj-1", hybridGUID, "x", "")
	e.stubWeb("obj-1", hybridGUID, `["`+appproxy.HybridMark+`"]`)
	r := e.run("remove-hybridapplication", "--app-id", hybridGUID, "--yes")
	assert.Equal(t, 4, r.code)
	assert.Contains(t, r.stderr, `"x" (appId `+hybridGUID+`) is not published through App Proxy; nothing to remove`)
}

const (
	newAppID  = "11111111-2222-4333-8444-555555555555"
	newAppExt = "https://" + newAppID + ".resource.mailboxmigration.his.msappproxy.net:443/"
	newName   = "Exchange Hybrid Agent - exch01.contoso.local"
	instPath  = "/v1.0/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate"
)

func newFlowStubs(e *testEnv, answer string) {
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e.reg.Register("find by name", httpstub.Query(httpstub.REST("GET", "/beta/applications"), "$filter", "displayName eq '"+newName+"'", "$select", selIdentity),
		httpstub.JSON(200, `{"value":[]}`))
	e.stubNoHybridApps()
	e.reg.Register("instantiate", httpstub.REST("POST", instPath), httpstub.JSON(201, answer))
	e.reg.Register("mark", httpstub.REST("PATCH", "/beta/applications/obj-new"), httpstub.Status(204))
	e.reg.Register("uris", httpstub.REST("PATCH", "/beta/applications/obj-new"), httpstub.Status(204))
}

const v1Answer = `{"application":{"id":"obj-new","appId":"` + newAppID + `","displayName":"` + newName + `"},"servicePrincipal":{"id":"sp-1"}}`

func TestNewCreatesPublishesAndAssigns(t *testing.T) {
	for name, answer := range map[string]string{
		"v1.0 id":       v1Answer,
		"objectId only": `{"application":{"objectId":"obj-new","appId":"` + newAppID + `"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			newFlowStubs(e, answer)
			e.reg.Register("publish", httpstub.REST("PATCH", "/beta/applications/obj-new"), httpstub.Status(204))
			e.reg.Register("assign", httpstub.REST("PUT", "/beta/applications/obj-new/connectorGroup/$ref"), httpstub.Status(204))
			e.stubPublishing("obj-new", newAppID, newName, `{"externalUrl":"`+newAppExt+`","internalUrl":"https://exch01.contoso.local/"}`)
			r := e.run("new-hybridapplication", "--target-uri", "exch01.contoso.local", "-o", "json")
			require.Equal(t, 0, r.code, r.stderr)
			assert.JSONEq(t, `{"displayName":"`+newName+`"}`, e.reg.Bodies[3])
			assert.JSONEq(t, `{"tags":["`+appproxy.HybridMark+`"]}`, e.reg.Bodies[4], "the created app is marked, alone in its PATCH")
			assert.JSONEq(t, `{"web":{"redirectUris":["`+newAppExt+`"],"homePageUrl":"`+newAppExt+`"}}`, e.reg.Bodies[5], "R4: no identifierUris")
			assert.JSONEq(t, `{"onPremisesPublishing":{"internalUrl":"https://exch01.contoso.local/","externalUrl":"`+newAppExt+`","externalAuthenticationType":"passthru",
				"isTranslateHostHeaderEnabled":false,"isTranslateLinksInBodyEnabled":false,"applicationServerTimeout":"Default","applicationType":"microsoftapp","isOnPremPublishingEnabled":true}}`, e.reg.Bodies[6])
			assert.JSONEq(t, `{"@odata.id":"https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/g-exo"}`, e.reg.Bodies[7])
			assert.Contains(t, r.stdout, newAppExt)
		})
	}
}

func TestNewReadBackMismatchIsExit1(t *testing.T) {
	e := newTestEnv(t)
	newFlowStubs(e, v1Answer)
	e.reg.Register("publish", httpstub.REST("PATCH", "/beta/applications/obj-new"), httpstub.Status(204))
	e.reg.Register("assign", httpstub.REST("PUT", "/beta/applications/obj-new/connectorGroup/$ref"), httpstub.Status(204))
	e.stubPublishing("obj-new", newAppID, newName, `{"externalUrl":"https://other.msappproxy.net/","internalUrl":"https://exch01.contoso.local/"}`)
	r := e.run("new-hybridapplication", "--target-uri", "exch01.contoso.local")
	assert.Equal(t, 1, r.code)
	assert.True(t, contains(r.stderr, `reports externalUrl "https://other.msappproxy.net/"`, "--app-id "+newAppID+" --delete-application --yes"), r.stderr)
	assert.NotContains(t, r.stderr, "--force", "the created app is marked: its cleanup needs no --force")
}

func TestNewFailureNamesCleanup(t *testing.T) {
	e := newTestEnv(t)
	newFlowStubs(e, v1Answer)
	e.reg.Register("publish fails", httpstub.REST("PATCH", "/beta/applications/obj-new"),
		httpstub.GraphError(400, "Request_BadRequest", "externalUrl is invalid"))
	r := e.run("new-hybridapplication", "--target-uri", "exch01.contoso.local")
	assert.Equal(t, 1, r.code)
	assert.True(t, contains(r.stderr, "set onPremisesPublishing", "obj-new",
		"hybridmgmt remove-hybridapplication --app-id "+newAppID+" --delete-application --yes", "Re-run"), r.stderr)
	assert.Empty(t, r.stdout)
}

func TestNewResumesInsteadOfDuplicating(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e.reg.Register("find by name", httpstub.REST("GET", "/beta/applications"),
		httpstub.JSON(200, `{"value":[{"id":"obj-new","appId":"`+newAppID+`","displayName":"`+newName+`"}]}`))
	e.stubPublishing("obj-new", newAppID, newName, "")
	e.stubWeb("obj-new", newAppID, `["`+appproxy.HybridMark+`"]`)
	e.stubNoHybridApps()
	r := e.run("new-hybridapplication", "--target-uri", "exch01.contoso.local", "--dry-run", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"operation": "publish"`)
	assert.Contains(t, r.stdout, `"appId": "`+newAppID+`"`)
	for _, req := range e.reg.Requests {
		assert.NotContains(t, req, "instantiate")
	}
}

func TestNewResumeChecksTheNameItself(t *testing.T) {
	// The server's filter answered an app of another name: not ours.
	e2 := newTestEnv(t)
	e2.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e2.reg.Register("find by name", httpstub.REST("GET", "/beta/applications"),
		httpstub.JSON(200, `{"value":[{"id":"obj-x","appId":"`+hybridGUID+`","displayName":"Something else"}]}`))
	e2.stubNoHybridApps()
	r := e2.run("new-hybridapplication", "--target-uri", "exch01.contoso.local", "--dry-run", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"operation": "create"`)
}

func TestNewAppOnlyIsExit3(t *testing.T) {
	e := newTestEnv(t)
	e.appOnly = true
	r := e.run("new-hybridapplication", "--target-uri", "exch01.contoso.local")
	assert.Equal(t, 3, r.code)
	assert.Zero(t, e.reg.Count())
}

func TestServerErrorsAfterRetriesAreExit6(t *testing.T) {
	e := newTestEnv(t)
	// A Retry-After of 2 s cannot fit the test's 1 s budget: one attempt.
	e.reg.Register("503", httpstub.REST("GET", spPath), func(w http.ResponseWriter, r *http.Request) {
		httpstub.WithHeader("Retry-After", "2", httpstub.GraphError(503, "serviceUnavailable", "down"))(w, r)
	})
	r := e.run("get-hybridapplication")
	assert.Equal(t, 6, r.code)
	assert.Contains(t, r.stderr, "request-id")
}

// A run that failed at the group assignment left a published app: the
// re-run must assign the group, not report success with nothing done.
func stubResumePublished(e *testEnv) {
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e.reg.Register("find by name", httpstub.REST("GET", "/beta/applications"),
		httpstub.JSON(200, `{"value":[{"id":"obj-new","appId":"`+newAppID+`","displayName":"`+newName+`"}]}`))
	e.stubPublishing("obj-new", newAppID, newName, `{"externalUrl":"`+newAppExt+`","internalUrl":"https://exch01.contoso.local/"}`)
	e.stubNoHybridApps()
}

func TestNewResumeAssignsMissingGroup(t *testing.T) {
	e := newTestEnv(t)
	stubResumePublished(e)
	e.reg.Register("assign", httpstub.REST("PUT", "/beta/applications/obj-new/connectorGroup/$ref"), httpstub.Status(204))
	e.stubPublishing("obj-new", newAppID, newName, `{"externalUrl":"`+newAppExt+`","internalUrl":"https://exch01.contoso.local/"}`)
	r := e.run("new-hybridapplication", "--target-uri", "exch01.contoso.local", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, newAppID)
}

func TestNewResumeFailureStillNamesCleanup(t *testing.T) {
	e := newTestEnv(t)
	stubResumePublished(e)
	e.reg.Register("assign fails", httpstub.REST("PUT", "/beta/applications/obj-new/connectorGroup/$ref"),
		httpstub.GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."))
	r := e.run("new-hybridapplication", "--target-uri", "exch01.contoso.local")
	assert.Equal(t, 1, r.code)
	assert.True(t, contains(r.stderr, "--app-id "+newAppID+" --delete-application --yes", "delegated-only"), r.stderr)
}

func TestNewDryRunOnPublishedAppKeepsPlanShape(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e.stubHybrid("https://exch01.contoso.local/")
	e.stubNoHybridApps()
	r := e.run("new-hybridapplication", "--app-id", hybridGUID, "--target-uri", "exch01.contoso.local", "--dry-run", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var plans []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &plans))
	require.Len(t, plans, 1)
	assert.Equal(t, "none", plans[0]["operation"])
	assert.Equal(t, hybridGUID, plans[0]["appId"])

	e2 := newTestEnv(t)
	e2.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e2.stubHybrid("https://exch01.contoso.local/")
	r = e2.run("new-hybridapplication", "--app-id", hybridGUID, "--target-uri", "exch09.contoso.local")
	assert.Equal(t, 1, r.code, "a state conflict found after network calls is not a usage error")
	assert.Contains(t, r.stderr, "update-hybridapplication")
}

// Publishing an existing app adds the route to its web URIs, keeps the
// rest, and leaves identifierUris alone (R4).
func TestNewWithAppIDMergesURIs(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e.stubApp("obj-1", hybridGUID, "Existing", "")
	e.reg.Register("web", httpstub.Query(httpstub.REST("GET", "/beta/applications/obj-1"), "$select", selWeb), httpstub.JSON(200,
		`{"id":"obj-1","appId":"`+hybridGUID+`","identifierUris":["api://existing"],"tags":["`+appproxy.HybridMark+`"],"web":{"redirectUris":["https://app.contoso.com/signin"],"homePageUrl":"https://app.contoso.com/"}}`))
	e.stubNoHybridApps()
	e.reg.Register("uris", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
	e.reg.Register("publish", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
	e.reg.Register("assign", httpstub.REST("PUT", "/beta/applications/obj-1/connectorGroup/$ref"), httpstub.Status(204))
	e.stubPublishing("obj-1", hybridGUID, "Existing", hybridPub("https://exch01.contoso.local/"))
	r := e.run("new-hybridapplication", "--app-id", hybridGUID, "--target-uri", "exch01.contoso.local", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var webBody string
	for _, b := range e.reg.Bodies {
		if strings.Contains(b, `"web"`) {
			webBody = b
		}
	}
	assert.JSONEq(t, `{"web":{"redirectUris":["https://app.contoso.com/signin","`+hybridExt+`"],"homePageUrl":"https://app.contoso.com/"}}`, webBody)
}

func TestGetHybridAgentMinActive(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	r := e.run("get-hybridagent", "--min-active", "2")
	assert.Equal(t, 5, r.code, "the Default group has 0 of 1 active")
	assert.Contains(t, r.stdout, "EXCH-AGENT01.contoso.local", "the list is printed first")
	assert.Equal(t, `hybridmgmt: fewer than 2 active agents (--min-active): "Default" has 0 of 1 active`+"\n"+
		"Default: 0 of 1 active\nDefault group for Exchange Online: 2 of 2 active\n", r.stderr, "stderr ends with one line per group")

	e = newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	r = e.run("get-hybridagent", "--min-active", "2", "--connector-group", "Default group for Exchange Online")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "Default group for Exchange Online: 2 of 2 active\n", r.stderr)

	e = newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	r = e.run("get-hybridagent", "--min-active", "3", "--connector-group", "Default group for Exchange Online", "-o", "json")
	assert.Equal(t, 5, r.code)
	var agents []AgentView
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &agents), "JSON stays one array")
	assert.Len(t, agents, 2)
	assert.True(t, strings.HasPrefix(r.stderr, "hybridmgmt: fewer than 3"), "no summary lines in JSON mode: %q", r.stderr)

	e = newTestEnv(t)
	r = e.run("get-hybridagent", "--min-active", "-1")
	assert.Equal(t, 2, r.code)
}
