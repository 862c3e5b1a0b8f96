package appproxy

import (
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/httpstub"
)

// Tests of the client paths graph-reality.md asks for (R3, R5, R6, R8, R9).

const (
	tGUID   = "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7"
	tSuffix = "resource.mailboxmigration.his.msappproxy.net"
	tRoute  = "https://" + tGUID + "." + tSuffix + ":443/"
)

func byAppID(guid string) httpstub.Matcher {
	return httpstub.Query(httpstub.REST("GET", "/beta/applications(appId='"+guid+"')"), "$select", identitySelect)
}

func byObjectSelect(id, sel string) httpstub.Matcher {
	return httpstub.Query(httpstub.REST("GET", "/beta/applications/"+id), "$select", sel)
}

const identityJSON = `{"id":"o1","appId":"` + tGUID + `","displayName":"Hybrid"}`

func TestGetApplicationReadsPublishingByObjectID(t *testing.T) {
	h := newHarness(t, time.Second)
	h.reg.Register("resolve", byAppID(tGUID), httpstub.JSON(200, identityJSON))
	h.reg.Register("publishing", byObjectSelect("o1", publishingSelect),
		httpstub.JSON(200, `{"id":"o1","appId":"`+tGUID+`","displayName":"Hybrid","onPremisesPublishing":{"externalUrl":"`+tRoute+`","internalUrl":"https://exch01.contoso.local/"}}`))
	app, err := h.client.GetApplication(context.Background(), tGUID)
	require.NoError(t, err)
	assert.True(t, app.Published())
	assert.True(t, h.client.IsHybrid(app))
	assert.Equal(t, "https://exch01.contoso.local/", app.InternalURL())
}

func TestGetApplicationFallsBackToObjectIDThenPropertyPath(t *testing.T) {
	h := newHarness(t, time.Second)
	h.reg.Register("by appId", byAppID("o1"), httpstub.GraphError(404, "Request_ResourceNotFound", "Resource does not exist"))
	h.reg.Register("by object id", byObjectSelect("o1", identitySelect), httpstub.JSON(200, identityJSON))
	// R5: the $select read may carry no publishing; the path must answer.
	h.reg.Register("publishing omitted", byObjectSelect("o1", publishingSelect), httpstub.JSON(200, identityJSON))
	h.reg.Register("path", httpstub.REST("GET", "/beta/applications/o1/onPremisesPublishing"),
		httpstub.JSON(200, `{"@odata.context":"x","externalUrl":"`+tRoute+`","internalUrl":"https://exch02.contoso.local/"}`))
	app, err := h.client.GetApplication(context.Background(), "o1")
	require.NoError(t, err)
	assert.True(t, app.Published())
	assert.Equal(t, "https://exch02.contoso.local/", app.InternalURL())
	assert.NotContains(t, app.Publishing, "@odata.context")
}

func TestNotPublishedOnlyFromPropertyPath404(t *testing.T) {
	h := newHarness(t, time.Second)
	h.reg.Register("resolve", byAppID(tGUID), httpstub.JSON(200, identityJSON))
	h.reg.Register("publishing null", byObjectSelect("o1", publishingSelect), httpstub.JSON(200, `{"id":"o1","onPremisesPublishing":null}`))
	h.reg.Register("path", httpstub.REST("GET", "/beta/applications/o1/onPremisesPublishing"),
		httpstub.GraphError(404, "Application_NotFound", "Application 'o1' not found or OnPremisesPublishing is not enabled"))
	app, err := h.client.GetApplication(context.Background(), tGUID)
	require.NoError(t, err)
	assert.False(t, app.Published())

	// Any other 404 on the path is not "not published": it is an error.
	h2 := newHarness(t, time.Second)
	h2.reg.Register("resolve", byAppID(tGUID), httpstub.JSON(200, identityJSON))
	h2.reg.Register("publishing null", byObjectSelect("o1", publishingSelect), httpstub.JSON(200, `{"id":"o1"}`))
	h2.reg.Register("path", httpstub.REST("GET", "/beta/applications/o1/onPremisesPublishing"),
		httpstub.GraphError(404, "Request_ResourceNotFound", "gone"))
	_, err = h2.client.GetApplication(context.Background(), tGUID)
	require.Error(t, err)
	assert.Equal(t, exitcode.NotFound, exitcode.Of(err))
}

func TestResolveRefusesAnAnswerWithoutIDs(t *testing.T) {
	h := newHarness(t, time.Second)
	h.reg.Register("resolve", byAppID(tGUID), httpstub.JSON(200, `{"displayName":"x"}`))
	_, err := h.client.GetApplication(context.Background(), tGUID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "malformed")
}

func TestListHybridApplicationsThroughTaggedServicePrincipals(t *testing.T) {
	h := newHarness(t, time.Second)
	other := "2b4d6f80-1a3c-4e5f-9b7d-8c6e4a2f0d31"
	spoof := "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c41"
	gone := "11111111-2222-4333-8444-555555555555"
	h.reg.Register("sps", httpstub.Query(httpstub.REST("GET", "/beta/servicePrincipals"),
		"$filter", "tags/any(t:t eq 'WindowsAzureActiveDirectoryOnPremApp')", "$select", identitySelect),
		httpstub.JSON(200, `{"value":[{"id":"s1","appId":"`+tGUID+`"},{"id":"s2","appId":"`+other+`"},{"id":"s3","appId":"`+spoof+`"},{"id":"s4","appId":"`+gone+`"}]}`))
	h.reg.Register("r1", byAppID(tGUID), httpstub.JSON(200, identityJSON))
	h.reg.Register("p1", byObjectSelect("o1", publishingSelect), httpstub.JSON(200, `{"id":"o1","onPremisesPublishing":{"externalUrl":"`+tRoute+`"}}`))
	h.reg.Register("r2", byAppID(other), httpstub.JSON(200, `{"id":"o2","appId":"`+other+`","displayName":"Intranet"}`))
	h.reg.Register("p2", byObjectSelect("o2", publishingSelect), httpstub.JSON(200, `{"id":"o2","onPremisesPublishing":{"externalUrl":"https://intranet-contoso.msappproxy.net/"}}`))
	// A route whose GUID is not the app's own appId is not that app's route.
	h.reg.Register("r3", byAppID(spoof), httpstub.JSON(200, `{"id":"o3","appId":"`+spoof+`","displayName":"Spoof"}`))
	h.reg.Register("p3", byObjectSelect("o3", publishingSelect), httpstub.JSON(200, `{"id":"o3","onPremisesPublishing":{"externalUrl":"`+tRoute+`"}}`))
	h.reg.Register("r4 by appId", byAppID(gone), httpstub.GraphError(404, "Request_ResourceNotFound", "no"))
	h.reg.Register("r4 by id", byObjectSelect(gone, identitySelect), httpstub.GraphError(404, "Request_ResourceNotFound", "no"))

	got, err := h.client.ListHybridApplications(context.Background())
	require.NoError(t, err)
	require.Len(t, got.Hybrid, 1)
	assert.Equal(t, tGUID, got.Hybrid[0].AppID)
	assert.Len(t, got.Others, 2)
	for _, r := range h.reg.Requests {
		assert.NotRegexp(t, `applications\?.*onPremisesPublishing`, r, "R5: never in a list's $select")
	}
}

func TestFindByDisplayNameSelectsIdentityAndChecksNames(t *testing.T) {
	h := newHarness(t, time.Second)
	h.reg.Register("filter", httpstub.Query(httpstub.REST("GET", "/beta/applications"), "$select", identitySelect,
		"$filter", "displayName eq 'Exchange Hybrid Agent - o''brien'"),
		httpstub.JSON(200, `{"value":[{"id":"o1","appId":"a1","displayName":"Exchange Hybrid Agent - o'brien"},{"id":"o2","appId":"a2","displayName":"EXCHANGE HYBRID AGENT - O'BRIEN"},{"id":"o3","appId":"a3","displayName":"other"}]}`))
	apps, err := h.client.FindApplicationsByDisplayName(context.Background(), "Exchange Hybrid Agent - o'brien")
	require.NoError(t, err)
	require.Len(t, apps, 1, "the server's filter is not trusted")
	assert.Equal(t, "o1", apps[0].ID)
}

func instantiatePath() httpstub.Matcher {
	return httpstub.REST("POST", "/v1.0/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate")
}

func TestInstantiateOnV1AcceptsEitherIDShape(t *testing.T) {
	for name, body := range map[string]string{
		"v1.0 id":          `{"application":{"id":"o9","appId":"` + tGUID + `"}}`,
		"beta objectId":    `{"application":{"objectId":"o9","appId":"` + tGUID + `"}}`,
		"both, id wins":    `{"application":{"id":"o9","objectId":"zz","appId":"` + tGUID + `"}}`,
		"displayName kept": `{"application":{"id":"o9","appId":"` + tGUID + `","displayName":"Exchange Hybrid Agent - x"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, time.Second)
			h.reg.Register("create", instantiatePath(), httpstub.JSON(201, body))
			app, err := h.client.Instantiate(context.Background(), "Exchange Hybrid Agent - x")
			require.NoError(t, err)
			assert.Equal(t, "o9", app.ID)
			assert.Equal(t, tGUID, app.AppID)
			assert.Equal(t, "Exchange Hybrid Agent - x", app.DisplayName)
		})
	}
	h := newHarness(t, time.Second)
	h.reg.Register("create", instantiatePath(), httpstub.JSON(201, `{"application":{"appId":"`+tGUID+`"}}`))
	h.reg.Register("lookup", byAppID(tGUID), httpstub.JSON(200, `{"id":"o7","appId":"`+tGUID+`"}`))
	app, err := h.client.Instantiate(context.Background(), "n")
	require.NoError(t, err)
	assert.Equal(t, "o7", app.ID, "found by appId when the answer has no object id")

	h = newHarness(t, time.Second)
	h.reg.Register("create", instantiatePath(), httpstub.JSON(201, `{"application":{}}`))
	_, err = h.client.Instantiate(context.Background(), "n")
	var lost *LostCreateError
	require.ErrorAs(t, err, &lost)
	assert.Contains(t, err.Error(), `named "n" may exist`)
}

func TestNewObjectRidesOutReplication(t *testing.T) {
	h := newHarness(t, 30*time.Second)
	h.reg.Register("create", instantiatePath(), httpstub.JSON(201, `{"application":{"id":"o9","appId":"`+tGUID+`"}}`))
	h.reg.Register("404", httpstub.REST("PATCH", "/beta/applications/o9"), httpstub.GraphError(404, "Request_ResourceNotFound", "no"))
	h.reg.Register("500", httpstub.REST("PATCH", "/beta/applications/o9"), httpstub.GraphError(500, "", "An error has occurred."))
	h.reg.Register("ok", httpstub.REST("PATCH", "/beta/applications/o9"), httpstub.Status(204))
	ctx := context.Background()
	app, err := h.client.Instantiate(ctx, "n")
	require.NoError(t, err)
	require.NoError(t, h.client.SetWebURIs(ctx, app, tRoute))
	assert.Len(t, h.waits, 2)

	// Past the window a 404 is final.
	h.now = h.now.Add(replicationWindow)
	h.reg.Register("late 404", httpstub.REST("DELETE", "/beta/applications/o9"), httpstub.GraphError(404, "Request_ResourceNotFound", "no"))
	err = h.client.DeleteApplication(ctx, "o9")
	assert.Equal(t, exitcode.NotFound, exitcode.Of(err))

	// A 404 on an object this client did not create is final at once.
	h2 := newHarness(t, 30*time.Second)
	h2.reg.Register("404", httpstub.REST("PATCH", "/beta/applications/o1"), httpstub.GraphError(404, "Request_ResourceNotFound", "no"))
	err = h2.client.Unpublish(ctx, "o1")
	assert.Equal(t, exitcode.NotFound, exitcode.Of(err))
	assert.Empty(t, h2.waits)
}

func TestExpandFallbackOnAnyBadRequestOrNotImplemented(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
	}{{400, ""}, {400, "SomethingElse"}, {501, ""}} {
		h := newHarness(t, time.Second)
		h.reg.Register("expand rejected", httpstub.Query(httpstub.REST("GET", groupsPath), "$expand", "members"),
			httpstub.GraphError(tc.status, tc.code, "An error has occurred."))
		h.reg.Register("groups", func(r *http.Request) bool {
			return r.Method == "GET" && r.URL.Path == groupsPath && r.URL.RawQuery == ""
		}, httpstub.JSON(200, `{"value":[{"id":"g1","name":"A"}]}`))
		h.reg.Register("members", httpstub.REST("GET", groupsPath+"/g1/members"), httpstub.JSON(200, `{"value":[{"id":"c1","status":"active"}]}`))
		groups, err := h.client.ListConnectorGroups(context.Background())
		require.NoError(t, err, "%d %q", tc.status, tc.code)
		require.Len(t, groups, 1)
		assert.Len(t, groups[0].Members, 1)
	}
}

func TestRetry500OnIdempotentCallsOnly(t *testing.T) {
	h := newHarness(t, 30*time.Second)
	h.reg.Register("500", httpstub.REST("GET", groupsPath), httpstub.GraphError(500, "", "An error has occurred."))
	h.reg.Register("ok", httpstub.REST("GET", groupsPath), httpstub.JSON(200, `{"value":[]}`))
	_, err := h.client.ListConnectorGroups(context.Background())
	require.NoError(t, err)
	assert.Len(t, h.waits, 1)

	h = newHarness(t, 30*time.Second)
	h.reg.Register("500", instantiatePath(), httpstub.GraphError(500, "", "An error has occurred."))
	_, err = h.client.Instantiate(context.Background(), "n")
	require.Error(t, err)
	assert.Empty(t, h.waits, "a POST is never repeated")
	assert.Equal(t, 1, h.reg.Count())
}

func TestErrorsCarryDetailCodeAndBothRequestIDs(t *testing.T) {
	h := newHarness(t, time.Second)
	var sent string
	h.reg.Register("403", httpstub.REST("PATCH", "/beta/applications/o1"), func(w http.ResponseWriter, r *http.Request) {
		sent = r.Header.Get("client-request-id")
		httpstub.JSON(403, `{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges.","details":[{"code":"NotAdminRoleNoEnoughCustomPermission_UnauthorizedAccess"}]}}`)(w, r)
	})
	err := h.client.Unpublish(context.Background(), "o1")
	require.Error(t, err)
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`), sent)
	assert.Contains(t, err.Error(), "NotAdminRoleNoEnoughCustomPermission_UnauthorizedAccess")
	assert.Contains(t, err.Error(), "[request-id req-patch, client-request-id "+sent+"]")
	assert.Contains(t, err.Error(), "Application.ReadWrite.All", "a 403 names the scope")
	assert.Contains(t, err.Error(), "Application Administrator", "and the role")
	assert.Equal(t, exitcode.Auth, exitcode.Of(err))
}

// "Not published" on a just-created app is an answer, not replication.
func TestNewObjectNotPublishedIsNotWaitedFor(t *testing.T) {
	h := newHarness(t, 30*time.Second)
	h.reg.Register("create", instantiatePath(), httpstub.JSON(201, `{"application":{"id":"o9","appId":"`+tGUID+`"}}`))
	h.reg.Register("publishing", byObjectSelect("o9", publishingSelect), httpstub.JSON(200, `{"id":"o9"}`))
	h.reg.Register("path", httpstub.REST("GET", "/beta/applications/o9/onPremisesPublishing"),
		httpstub.GraphError(404, "Application_NotFound", "not published"))
	app, err := h.client.Instantiate(context.Background(), "n")
	require.NoError(t, err)
	require.NoError(t, h.client.ReadPublishing(context.Background(), app))
	assert.False(t, app.Published())
	assert.Empty(t, h.waits)
}
