package appproxy

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/httpstub"
)

func TestNotHybridReason(t *testing.T) {
	c := New(Options{Cloud: globalCloud})
	other := "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c41"
	pub := func(ext string) map[string]any { return map[string]any{"externalUrl": ext} }
	cases := []struct {
		name string
		app  Application
		want string
	}{
		{"published at its own route", Application{AppID: tGUID, Publishing: pub(tRoute)}, ""},
		{"unpublished but marked", Application{AppID: tGUID, Tags: []string{"x", "hybridmgmthybridapplication"}}, ""},
		{"unpublished", Application{AppID: tGUID}, "not published through App Proxy"},
		{"sentinel", Application{AppID: tGUID, Publishing: pub(UnpublishSentinel)}, "not published through App Proxy"},
		{"another app's route", Application{AppID: other, Publishing: pub(tRoute)}, "the route of another application (" + tGUID + ")"},
		{"not a route", Application{AppID: tGUID, Publishing: pub("https://intranet-contoso.msappproxy.net/")}, "which is not a hybrid route"},
	}
	for _, tc := range cases {
		got := c.NotHybridReason(&tc.app)
		if tc.want == "" {
			assert.Empty(t, got, tc.name)
		} else {
			assert.Contains(t, got, tc.want, tc.name)
		}
	}
}

func TestPlanShapesAndLines(t *testing.T) {
	app := &Application{AppID: tGUID, DisplayName: "Hybrid", Publishing: map[string]any{"externalUrl": tRoute, "internalUrl": "https://exch01.contoso.local/"}}
	b, err := json.Marshal(RemovePlan(app, true))
	require.NoError(t, err)
	assert.JSONEq(t, `{"operation":"unpublish and delete","appId":"`+tGUID+`","displayName":"Hybrid",
		"before":{"externalUrl":"`+tRoute+`","internalUrl":"https://exch01.contoso.local/"},"after":null}`, string(b))
	b, err = json.Marshal(RemovePlan(app, false))
	require.NoError(t, err)
	assert.JSONEq(t, `{"operation":"unpublish","appId":"`+tGUID+`","displayName":"Hybrid",
		"before":{"externalUrl":"`+tRoute+`","internalUrl":"https://exch01.contoso.local/"},"after":{"externalUrl":null,"internalUrl":null}}`, string(b))
	assert.Equal(t, []string{`update "Hybrid" (appId ` + tGUID + `): nothing to change`}, RetargetPlan(app, "https://EXCH01.contoso.local:443").Lines())
	assert.Equal(t, "delete", RemovePlan(&Application{AppID: tGUID}, true).Operation)

	p := PublishPlan(nil, "Exchange Hybrid Agent - x", HybridPublishing("<appId>", tSuffix, "https://x.contoso.com/"), "Default group for Exchange Online")
	assert.Equal(t, "create", p.Operation)
	lines := p.Lines()
	assert.Contains(t, lines, "  displayName: (none) → Exchange Hybrid Agent - x")
	assert.Contains(t, lines, "  applicationType: (none) → microsoftapp")
	assert.Contains(t, lines, "  connectorGroup: (none) → Default group for Exchange Online")
	assert.Equal(t, "none", PublishPlan(app, "n", HybridPublishing(tGUID, tSuffix, "https://exch01.contoso.local/"), "").Operation)
}

func TestMarkKeepsTheOtherTags(t *testing.T) {
	h := newHarness(t, time.Second)
	h.reg.Register("web", byObjectSelect("o1", webSelect), httpstub.JSON(200, `{"id":"o1","tags":["HideApp"]}`))
	h.reg.Register("mark", httpstub.REST("PATCH", "/beta/applications/o1"), httpstub.Status(204))
	app := &Application{ID: "o1", AppID: tGUID}
	require.NoError(t, h.client.Mark(context.Background(), app))
	assert.JSONEq(t, `{"tags":["HideApp","HybridMgmtHybridApplication"]}`, h.reg.Bodies[1])
	assert.True(t, app.Marked())
	require.NoError(t, h.client.Mark(context.Background(), app), "marking twice writes nothing")
}

func TestDeleteWhoseAnswerWasLostIsDone(t *testing.T) {
	h := newHarness(t, 30*time.Second)
	h.reg.Register("lost", httpstub.REST("DELETE", "/beta/applications/o1"), httpstub.GraphError(503, "serviceUnavailable", "lost"))
	h.reg.Register("gone", httpstub.REST("DELETE", "/beta/applications/o1"), httpstub.GraphError(404, "Request_ResourceNotFound", "gone"))
	require.NoError(t, h.client.DeleteApplication(context.Background(), "o1"))

	// A first-attempt 404 is not found, as always.
	h = newHarness(t, 30*time.Second)
	h.reg.Register("gone", httpstub.REST("DELETE", "/beta/applications/o1"), httpstub.GraphError(404, "Request_ResourceNotFound", "gone"))
	assert.True(t, IsNotFound(h.client.DeleteApplication(context.Background(), "o1")))
}

// An unpublished app that kept its settings: the plan shows only changes.
func TestPublishPlanListsOnlyWhatChanges(t *testing.T) {
	app := &Application{AppID: tGUID, DisplayName: "Hybrid", webRead: true, Publishing: map[string]any{
		"externalUrl": UnpublishSentinel, "internalUrl": UnpublishSentinel, "externalAuthenticationType": "Passthru", "applicationType": "microsoftapp"}}
	p := PublishPlan(app, "n", HybridPublishing(tGUID, tSuffix, "https://exch01.contoso.local/"), "")
	var props []string
	for _, c := range p.Changes {
		props = append(props, c.Property)
	}
	assert.Equal(t, []string{"externalUrl", "internalUrl", "web.redirectUris"}, props)
}
