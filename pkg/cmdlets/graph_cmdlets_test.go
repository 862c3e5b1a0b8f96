package cmdlets

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

func hybridAppJSON(internal string) string {
	return `{"id":"obj-1","appId":"` + hybridGUID + `","displayName":"Hybrid Agent Exchange","onPremisesPublishing":{` +
		`"externalUrl":"` + hybridExt + `","internalUrl":"` + internal + `","externalAuthenticationType":"passthru",` +
		`"applicationServerTimeout":"default","isOnPremPublishingEnabled":true,"isTranslateHostHeaderEnabled":false,"alternateUrl":""}}`
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
	e.reg.Register("app", httpstub.REST("GET", appByAppID), httpstub.JSON(200, hybridAppJSON("https://exch01.contoso.local/")))
	r := e.run("get-hybridapplication", "--app-id", "6CA7C832-49A2-4A5D-AEAE-A616F6D4B8E7", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.JSONEq(t, `[{"id":"obj-1","appId":"`+hybridGUID+`","displayName":"Hybrid Agent Exchange","externalUrl":"`+hybridExt+`",
		"internalUrl":"https://exch01.contoso.local/","externalAuthenticationType":"passthru","applicationServerTimeout":"default",
		"isOnPremPublishingEnabled":true,"isTranslateHostHeaderEnabled":false,"alternateUrl":""}]`, r.stdout)
}

func TestGetHybridApplicationNotPublishedIsExit4(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("app", httpstub.REST("GET", appByAppID),
		httpstub.JSON(200, `{"id":"obj-1","appId":"`+hybridGUID+`","displayName":"Plain","onPremisesPublishing":null}`))
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
	e.reg.Register("apps", httpstub.REST("GET", "/beta/applications"), httpstub.JSON(200, `{"value":[`+hybridAppJSON("https://exch01.contoso.local/")+`]}`))
	r := e.run("update-hybridapplication", "--app-id", agentID, "--target-uri", "mail-lb.contoso.com")
	assert.Equal(t, 4, r.code, r.stderr)
	assert.Contains(t, r.stderr, "this is the id of agent EXCH-AGENT01.contoso.local, not of an application: the hybrid application's id is "+hybridGUID)
}

func TestGetHybridApplicationListEmptyIsArray(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("apps", httpstub.REST("GET", "/beta/applications"), httpstub.JSON(200, `{"value":[]}`))
	r := e.run("get-hybridapplication", "-o", "json")
	require.Equal(t, 0, r.code)
	assert.Equal(t, "[]\n", r.stdout)
}

func TestUpdateDryRunWritesNothing(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("app", httpstub.REST("GET", appByAppID), httpstub.JSON(200, hybridAppJSON("https://exch01.contoso.local/")))
	r := e.run("update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "mail-lb.contoso.com", "--dry-run", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var plans []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &plans))
	require.Len(t, plans, 1)
	assert.Equal(t, "update", plans[0]["operation"])
	assert.Equal(t, "https://exch01.contoso.local/", plans[0]["before"].(map[string]any)["internalUrl"])
	assert.Equal(t, "https://mail-lb.contoso.com/", plans[0]["after"].(map[string]any)["internalUrl"])
	assert.Equal(t, []string{"GET " + appByAppID + "?%24select=id%2CappId%2CdisplayName%2CapplicationTemplateId%2CidentifierUris%2Cweb%2ConPremisesPublishing"}, e.reg.Requests)
}

func TestUpdatePatchesBothURLsAndReadsBack(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("app", httpstub.REST("GET", appByAppID), httpstub.JSON(200, hybridAppJSON("https://exch01.contoso.local/")))
	e.reg.Register("patch", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
	e.reg.Register("read back", httpstub.REST("GET", appByAppID), httpstub.JSON(200, hybridAppJSON("https://mail-lb.contoso.com/")))
	r := e.run("update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "https://mail-lb.contoso.com", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.JSONEq(t, `{"onPremisesPublishing":{"internalUrl":"https://mail-lb.contoso.com/","externalUrl":"`+hybridExt+`"}}`, e.reg.Bodies[1])
	assert.Contains(t, r.stdout, `"internalUrl": "https://mail-lb.contoso.com/"`)
}

func TestUpdateRefusesNonHybridApp(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("app", httpstub.REST("GET", appByAppID), httpstub.JSON(200,
		`{"id":"obj-9","appId":"`+hybridGUID+`","displayName":"Intranet","onPremisesPublishing":{"externalUrl":"https://intranet-contoso.msappproxy.net/","internalUrl":"https://intranet/"}}`))
	r := e.run("update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "mail.contoso.com")
	assert.Equal(t, 4, r.code)
	assert.Contains(t, r.stderr, "not a hybrid route")
}

func TestRemoveSentinelAndDelete(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("app", httpstub.REST("GET", appByAppID), httpstub.JSON(200, hybridAppJSON("https://exch01.contoso.local/")))
	e.reg.Register("unpublish", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
	e.reg.Register("delete", httpstub.REST("DELETE", "/beta/applications/obj-1"), httpstub.Status(204))
	r := e.run("remove-hybridapplication", "--app-id", hybridGUID, "--delete-application", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "[]\n", r.stdout)
	assert.JSONEq(t, `{"onPremisesPublishing":{"internalUrl":"PowerShellDeleteApplication","externalUrl":"PowerShellDeleteApplication"}}`, e.reg.Bodies[1])
}

func TestRemoveUnpublishedIsExit4(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("app", httpstub.REST("GET", appByAppID),
		httpstub.JSON(200, `{"id":"obj-1","appId":"`+hybridGUID+`","displayName":"x","onPremisesPublishing":{"externalUrl":"PowerShellDeleteApplication","internalUrl":"PowerShellDeleteApplication"}}`))
	r := e.run("remove-hybridapplication", "--app-id", hybridGUID)
	assert.Equal(t, 4, r.code)
}

func newFlowStubs(e *testEnv) {
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e.reg.Register("find by name", httpstub.Query(httpstub.REST("GET", "/beta/applications"), "$filter", "displayName eq 'Exchange Hybrid Agent - exch01.contoso.local'"),
		httpstub.JSON(200, `{"value":[]}`))
	e.reg.Register("instantiate", httpstub.REST("POST", "/beta/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate"),
		httpstub.JSON(201, `{"application":{"id":"obj-new","appId":"11111111-2222-4333-8444-555555555555","displayName":"Exchange Hybrid Agent - exch01.contoso.local"},"servicePrincipal":{"id":"sp-1"}}`))
	e.reg.Register("uris", httpstub.REST("PATCH", "/beta/applications/obj-new"), httpstub.Status(204))
}

func TestNewCreatesPublishesAndAssigns(t *testing.T) {
	e := newTestEnv(t)
	newFlowStubs(e)
	ext := "https://11111111-2222-4333-8444-555555555555.resource.mailboxmigration.his.msappproxy.net:443/"
	e.reg.Register("publish", httpstub.REST("PATCH", "/beta/applications/obj-new"), httpstub.Status(204))
	e.reg.Register("assign", httpstub.REST("PUT", "/beta/applications/obj-new/connectorGroup/$ref"), httpstub.Status(204))
	e.reg.Register("read back", httpstub.REST("GET", "/beta/applications(appId='11111111-2222-4333-8444-555555555555')"),
		httpstub.JSON(200, `{"id":"obj-new","appId":"11111111-2222-4333-8444-555555555555","displayName":"Exchange Hybrid Agent - exch01.contoso.local","onPremisesPublishing":{"externalUrl":"`+ext+`","internalUrl":"https://exch01.contoso.local/"}}`))
	r := e.run("new-hybridapplication", "--target-uri", "exch01.contoso.local", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.JSONEq(t, `{"displayName":"Exchange Hybrid Agent - exch01.contoso.local"}`, e.reg.Bodies[2])
	assert.JSONEq(t, `{"identifierUris":["`+ext+`"],"web":{"redirectUris":["`+ext+`"],"homePageUrl":"`+ext+`"}}`, e.reg.Bodies[3])
	assert.JSONEq(t, `{"onPremisesPublishing":{"internalUrl":"https://exch01.contoso.local/","externalUrl":"`+ext+`","externalAuthenticationType":"passthru","isTranslateHostHeaderEnabled":false,"isTranslateLinksInBodyEnabled":false,"applicationServerTimeout":"default"}}`, e.reg.Bodies[4])
	assert.JSONEq(t, `{"@odata.id":"https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/g-exo"}`, e.reg.Bodies[5])
	assert.Contains(t, r.stdout, ext)
}

func TestNewFailureNamesCleanup(t *testing.T) {
	e := newTestEnv(t)
	newFlowStubs(e)
	e.reg.Register("publish fails", httpstub.REST("PATCH", "/beta/applications/obj-new"),
		httpstub.GraphError(400, "Request_BadRequest", "externalUrl is invalid"))
	r := e.run("new-hybridapplication", "--target-uri", "exch01.contoso.local")
	assert.Equal(t, 1, r.code)
	assert.True(t, contains(r.stderr, "set onPremisesPublishing", "obj-new",
		"hybridmgmt remove-hybridapplication --app-id 11111111-2222-4333-8444-555555555555 --delete-application", "Re-run"), r.stderr)
	assert.Empty(t, r.stdout)
}

func TestNewResumesInsteadOfDuplicating(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e.reg.Register("find by name", httpstub.REST("GET", "/beta/applications"),
		httpstub.JSON(200, `{"value":[{"id":"obj-new","appId":"11111111-2222-4333-8444-555555555555","displayName":"Exchange Hybrid Agent - exch01.contoso.local","onPremisesPublishing":null}]}`))
	r := e.run("new-hybridapplication", "--target-uri", "exch01.contoso.local", "--dry-run", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"operation": "publish"`)
	assert.Contains(t, r.stdout, `"appId": "11111111-2222-4333-8444-555555555555"`)
	for _, req := range e.reg.Requests {
		assert.NotContains(t, req, "instantiate")
	}
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
	e.reg.Register("503", httpstub.REST("GET", "/beta/applications"), func(w http.ResponseWriter, r *http.Request) {
		httpstub.WithHeader("Retry-After", "2", httpstub.GraphError(503, "serviceUnavailable", "down"))(w, r)
	})
	r := e.run("get-hybridapplication")
	assert.Equal(t, 6, r.code)
	assert.Contains(t, r.stderr, "request-id")
}

const newAppPublished = `{"value":[{"id":"obj-new","appId":"11111111-2222-4333-8444-555555555555","displayName":"Exchange Hybrid Agent - exch01.contoso.local",
 "onPremisesPublishing":{"externalUrl":"https://11111111-2222-4333-8444-555555555555.resource.mailboxmigration.his.msappproxy.net:443/","internalUrl":"https://exch01.contoso.local/"}}]}`

// A run that failed at the group assignment left a published app: the
// re-run must assign the group, not report success with nothing done.
func TestNewResumeAssignsMissingGroup(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e.reg.Register("find by name", httpstub.REST("GET", "/beta/applications"), httpstub.JSON(200, newAppPublished))
	e.reg.Register("assign", httpstub.REST("PUT", "/beta/applications/obj-new/connectorGroup/$ref"), httpstub.Status(204))
	e.reg.Register("read back", httpstub.REST("GET", "/beta/applications(appId='11111111-2222-4333-8444-555555555555')"),
		httpstub.JSON(200, `{"id":"obj-new","appId":"11111111-2222-4333-8444-555555555555","displayName":"x","onPremisesPublishing":{"externalUrl":"https://11111111-2222-4333-8444-555555555555.resource.mailboxmigration.his.msappproxy.net:443/","internalUrl":"https://exch01.contoso.local/"}}`))
	r := e.run("new-hybridapplication", "--target-uri", "exch01.contoso.local", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "11111111-2222-4333-8444-555555555555")
}

func TestNewResumeFailureStillNamesCleanup(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e.reg.Register("find by name", httpstub.REST("GET", "/beta/applications"), httpstub.JSON(200, newAppPublished))
	e.reg.Register("assign fails", httpstub.REST("PUT", "/beta/applications/obj-new/connectorGroup/$ref"),
		httpstub.GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."))
	r := e.run("new-hybridapplication", "--target-uri", "exch01.contoso.local")
	assert.Equal(t, 1, r.code)
	assert.True(t, contains(r.stderr, "--app-id 11111111-2222-4333-8444-555555555555 --delete-application", "delegated-only"), r.stderr)
}

func TestNewDryRunOnPublishedAppKeepsPlanShape(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e.reg.Register("app", httpstub.REST("GET", appByAppID), httpstub.JSON(200, hybridAppJSON("https://exch01.contoso.local/")))
	r := e.run("new-hybridapplication", "--app-id", hybridGUID, "--target-uri", "exch01.contoso.local", "--dry-run", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var plans []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &plans))
	require.Len(t, plans, 1)
	assert.Equal(t, "none", plans[0]["operation"])
	assert.Equal(t, hybridGUID, plans[0]["appId"])

	e2 := newTestEnv(t)
	e2.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e2.reg.Register("app", httpstub.REST("GET", appByAppID), httpstub.JSON(200, hybridAppJSON("https://exch01.contoso.local/")))
	r = e2.run("new-hybridapplication", "--app-id", hybridGUID, "--target-uri", "exch09.contoso.local")
	assert.Equal(t, 1, r.code, "a state conflict found after network calls is not a usage error")
	assert.Contains(t, r.stderr, "update-hybridapplication")
}

// Publishing an existing app adds the route to its URIs and keeps the rest.
func TestNewWithAppIDMergesURIs(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e.reg.Register("app", httpstub.REST("GET", appByAppID), httpstub.JSON(200,
		`{"id":"obj-1","appId":"`+hybridGUID+`","displayName":"Existing","identifierUris":["api://existing"],"web":{"redirectUris":["https://app.contoso.com/signin"],"homePageUrl":"https://app.contoso.com/"},"onPremisesPublishing":null}`))
	e.reg.Register("uris", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
	e.reg.Register("publish", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
	e.reg.Register("assign", httpstub.REST("PUT", "/beta/applications/obj-1/connectorGroup/$ref"), httpstub.Status(204))
	e.reg.Register("read back", httpstub.REST("GET", appByAppID), httpstub.JSON(200, hybridAppJSON("https://exch01.contoso.local/")))
	r := e.run("new-hybridapplication", "--app-id", hybridGUID, "--target-uri", "exch01.contoso.local", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.JSONEq(t, `{"identifierUris":["api://existing","`+hybridExt+`"],"web":{"redirectUris":["https://app.contoso.com/signin","`+hybridExt+`"],"homePageUrl":"https://app.contoso.com/"}}`, e.reg.Bodies[2])
}
