package appproxy

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/httpstub"
)

type fakeTokens struct {
	appOnly bool
	calls   atomic.Int64 // listings read applications concurrently
}

func (f *fakeTokens) Token(context.Context) (string, error) { f.calls.Add(1); return "tok-123", nil }
func (f *fakeTokens) AppOnly() bool                         { return f.appOnly }

type harness struct {
	reg    *httpstub.Registry
	client *Client
	waits  []time.Duration
	now    time.Time
}

// newHarness builds a client against a stub Graph. The fake clock advances
// by each wait, so retry budgets are exercised without real sleeping.
func newHarness(t *testing.T, budget time.Duration) *harness {
	h := &harness{reg: &httpstub.Registry{}, now: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
	srv := httpstub.NewTLSServer(t, h.reg)
	gc, _ := cloud.Lookup("Global")
	h.client = New(Options{
		BaseURL:     srv.URL + "/beta",
		HTTPClient:  srv.Client(),
		Tokens:      &fakeTokens{},
		Cloud:       gc,
		RetryBudget: budget,
		Now:         func() time.Time { return h.now },
		Sleep: func(ctx context.Context, d time.Duration) error {
			h.waits = append(h.waits, d)
			h.now = h.now.Add(d)
			return ctx.Err()
		},
	})
	t.Cleanup(func() { h.reg.Verify(t) })
	return h
}

const groupsPath = "/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups"

func TestListConnectorGroupsExpandAndPaging(t *testing.T) {
	h := newHarness(t, 30*time.Second)
	h.reg.Register("page 1", httpstub.Query(httpstub.REST("GET", groupsPath), "$expand", "members"),
		func(w http.ResponseWriter, r *http.Request) {
			next := "https://" + r.Host + groupsPath + "?$expand=members&$skiptoken=abc"
			httpstub.JSON(200, `{"value":[{"id":"g1","name":"Default group for Exchange Online","members":[{"id":"c1","machineName":"EXCH-AGENT01","externalIp":"203.0.113.10","status":"active","version":"1.5.3437.0"}]}],"@odata.nextLink":"`+next+`"}`)(w, r)
		})
	h.reg.Register("page 2", httpstub.Query(httpstub.REST("GET", groupsPath), "$skiptoken", "abc"),
		httpstub.JSON(200, `{"value":[{"id":"g2","name":"Default","isDefault":true,"members":[]}]}`))

	groups, err := h.client.ListConnectorGroups(context.Background())
	require.NoError(t, err)
	require.Len(t, groups, 2)
	assert.Equal(t, "EXCH-AGENT01", groups[0].Members[0].MachineName)
	assert.Equal(t, "1.5.3437.0", groups[0].Members[0].Version)
	assert.True(t, groups[1].IsDefault)
}

func TestListConnectorGroupsFallsBackWhenExpandRejected(t *testing.T) {
	h := newHarness(t, 30*time.Second)
	h.reg.Register("expand rejected", httpstub.Query(httpstub.REST("GET", groupsPath), "$expand", "members"),
		httpstub.GraphError(400, "Request_UnsupportedQuery", "Unsupported query: $expand"))
	h.reg.Register("groups", func(r *http.Request) bool {
		return r.Method == "GET" && r.URL.Path == groupsPath && r.URL.RawQuery == ""
	}, httpstub.JSON(200, `{"value":[{"id":"g1","name":"A"},{"id":"g2","name":"B"}]}`))
	h.reg.Register("members g1", httpstub.REST("GET", groupsPath+"/g1/members"),
		httpstub.JSON(200, `{"value":[{"id":"c1","machineName":"m1","status":"active"}]}`))
	h.reg.Register("members g2", httpstub.REST("GET", groupsPath+"/g2/members"),
		httpstub.JSON(200, `{"value":[{"id":"c2","machineName":"m2","status":"inactive"}]}`))

	groups, err := h.client.ListConnectorGroups(context.Background())
	require.NoError(t, err)
	require.Len(t, groups, 2)
	assert.Equal(t, "m1", groups[0].Members[0].MachineName)
	assert.Equal(t, "inactive", groups[1].Members[0].Status)
}

func TestRetryHonoursRetryAfterThenSucceeds(t *testing.T) {
	h := newHarness(t, 30*time.Second)
	for i := 0; i < 2; i++ {
		h.reg.Register("throttled", httpstub.REST("GET", groupsPath),
			httpstub.WithHeader("Retry-After", "3", httpstub.GraphError(429, "TooManyRequests", "Too many requests")))
	}
	h.reg.Register("ok", httpstub.REST("GET", groupsPath), httpstub.JSON(200, `{"value":[]}`))
	_, err := h.client.ListConnectorGroups(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{3 * time.Second, 3 * time.Second}, h.waits)
}

func TestRetryBudgetSpentGivesUnavailable(t *testing.T) {
	h := newHarness(t, 10*time.Second)
	for i := 0; i < 3; i++ {
		h.reg.Register("unavailable", httpstub.REST("GET", groupsPath),
			httpstub.WithHeader("Retry-After", "4", httpstub.GraphError(503, "serviceUnavailable", "Service unavailable")))
	}
	_, err := h.client.ListConnectorGroups(context.Background())
	require.Error(t, err)
	assert.Equal(t, exitcode.Unavailable, exitcode.Of(err))
	assert.Contains(t, err.Error(), "request-id")
	// 4+4 fits in 10 s, a third wait would not: three attempts, then stop.
	assert.Equal(t, 3, h.reg.Count())
	assert.Equal(t, []time.Duration{4 * time.Second, 4 * time.Second}, h.waits)
}

func TestPostIsNotRetriedOn503(t *testing.T) {
	h := newHarness(t, 30*time.Second)
	h.reg.Register("instantiate 503", httpstub.REST("POST", "/v1.0/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate"),
		httpstub.GraphError(503, "serviceUnavailable", "busy"))
	_, err := h.client.Instantiate(context.Background(), "x")
	require.Error(t, err)
	assert.Equal(t, exitcode.Unavailable, exitcode.Of(err))
	assert.Empty(t, h.waits)
}

func TestErrorsMapToExitCodes(t *testing.T) {
	cases := []struct {
		status int
		code   string
		want   int
		hint   string
	}{
		{401, "InvalidAuthenticationToken", exitcode.Auth, "connect"},
		{403, "Authorization_RequestDenied", exitcode.Auth, "Application.Read.All"},
		{400, "Request_InvalidData", exitcode.Unexpected, ""},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			h := newHarness(t, time.Second)
			h.reg.Register("err", httpstub.REST("GET", "/beta/servicePrincipals"), httpstub.GraphError(c.status, c.code, "Insufficient privileges to complete the operation."))
			_, err := h.client.ListHybridApplications(context.Background())
			require.Error(t, err)
			assert.Equal(t, c.want, exitcode.Of(err))
			assert.Contains(t, err.Error(), c.code)
			assert.Contains(t, err.Error(), "request-id req-get")
			assert.Contains(t, err.Error(), c.hint)
		})
	}
}

func TestPagingLoopAndForeignLinkAreErrors(t *testing.T) {
	h := newHarness(t, time.Second)
	h.reg.Register("loop", httpstub.REST("GET", "/beta/servicePrincipals"), func(w http.ResponseWriter, r *http.Request) {
		httpstub.JSON(200, `{"value":[],"@odata.nextLink":"https://`+r.Host+r.URL.RequestURI()+`"}`)(w, r)
	})
	_, err := h.client.ListHybridApplications(context.Background())
	require.Error(t, err)
	assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
	assert.Contains(t, err.Error(), "already returned")

	h2 := newHarness(t, time.Second)
	h2.reg.Register("foreign", httpstub.REST("GET", "/beta/servicePrincipals"),
		httpstub.JSON(200, `{"value":[],"@odata.nextLink":"https://evil.example/beta/servicePrincipals?$skiptoken=x"}`))
	_, err = h2.client.ListHybridApplications(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "outside")
}

func TestMalformedAndOversizedBodies(t *testing.T) {
	h := newHarness(t, time.Second)
	h.reg.Register("malformed", httpstub.REST("GET", groupsPath), httpstub.JSON(200, `{"value":[{"id":`))
	_, err := h.client.ListConnectorGroups(context.Background())
	require.Error(t, err)
	assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
	assert.Contains(t, err.Error(), "malformed answer")

	h2 := newHarness(t, time.Second)
	h2.reg.Register("huge", httpstub.REST("GET", groupsPath), func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"value":[{"id":"`))
		chunk := []byte(strings.Repeat("a", 1<<20))
		for i := 0; i < (MaxResponseBytes>>20)+2; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	_, err = h2.client.ListConnectorGroups(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "larger than")
}

func TestWritesSendDocumentedBodies(t *testing.T) {
	h := newHarness(t, time.Second)
	h.reg.Register("patch", httpstub.REST("PATCH", "/beta/applications/o1"), httpstub.Status(204))
	h.reg.Register("put ref", httpstub.REST("PUT", "/beta/applications/o1/connectorGroup/$ref"), httpstub.Status(204))
	h.reg.Register("delete", httpstub.REST("DELETE", "/beta/applications/o1"), httpstub.Status(204))
	h.reg.Register("publish", httpstub.REST("PATCH", "/beta/applications/o1"), httpstub.Status(204))
	h.reg.Register("web", httpstub.REST("PATCH", "/beta/applications/o1"), httpstub.Status(204))
	ctx := context.Background()
	require.NoError(t, h.client.Unpublish(ctx, "o1"))
	require.NoError(t, h.client.AssignConnectorGroup(ctx, "o1", "g1"))
	require.NoError(t, h.client.DeleteApplication(ctx, "o1"))
	guid := "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7"
	require.NoError(t, h.client.UpdatePublishing(ctx, "o1", HybridPublishing(guid, "resource.mailboxmigration.his.msappproxy.net", "https://exch01.contoso.local/")))
	require.NoError(t, h.client.SetWebURIs(ctx, &Application{ID: "o1", AppID: guid, IdentifierURIs: []string{"api://x"}}, HybridRouteURL(guid, "resource.mailboxmigration.his.msappproxy.net")))
	assert.JSONEq(t, `{"onPremisesPublishing":{"internalUrl":"PowerShellDeleteApplication","externalUrl":"PowerShellDeleteApplication"}}`, h.reg.Bodies[0])
	assert.JSONEq(t, `{"@odata.id":"https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/g1"}`, h.reg.Bodies[1],
		"R13: the cloud's Graph root, not the (test server) override")
	// R7: HCW's own body, publishing alone in its PATCH.
	assert.JSONEq(t, `{"onPremisesPublishing":{"externalUrl":"https://`+guid+`.resource.mailboxmigration.his.msappproxy.net:443/",
		"internalUrl":"https://exch01.contoso.local/","externalAuthenticationType":"passthru","applicationServerTimeout":"Default",
		"applicationType":"microsoftapp","isOnPremPublishingEnabled":true,"isTranslateHostHeaderEnabled":false,"isTranslateLinksInBodyEnabled":false}}`, h.reg.Bodies[3])
	// R4: the route goes into web only; identifierUris are left alone.
	assert.JSONEq(t, `{"web":{"redirectUris":["https://`+guid+`.resource.mailboxmigration.his.msappproxy.net:443/"],
		"homePageUrl":"https://`+guid+`.resource.mailboxmigration.his.msappproxy.net:443/"}}`, h.reg.Bodies[4])
}

func TestHybridRouteGUID(t *testing.T) {
	s := "resource.mailboxmigration.his.msappproxy.net"
	g, ok := HybridRouteGUID("https://6CA7C832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net:443/", s)
	assert.True(t, ok)
	assert.Equal(t, "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7", g)
	g, ok = HybridRouteGUID("HTTPS://6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.RESOURCE.mailboxmigration.his.msappproxy.net", s)
	assert.True(t, ok)
	assert.Equal(t, "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7", g)
	for _, bad := range []string{"", "PowerShellDeleteApplication", "https://x.y.resource.mailboxmigration.his.msappproxy.net/", "https://resource.mailboxmigration.his.msappproxy.net/",
		// found by FuzzDecodeGraph: any scheme and an empty label passed
		"A000://.resourCe.mAilBoXmigrAtion.his.msAppproXY.net",
		"https://.resource.mailboxmigration.his.msappproxy.net/",
		"http://6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net/",
		"https://6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net:8443/",
		"https://6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net/owa",
		"https://u:p@6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net/",
		"https://abc.resource.mailboxmigration.his.msappproxy.net/"} {
		_, ok := HybridRouteGUID(bad, s)
		assert.False(t, ok, bad)
	}
	assert.Equal(t, "https://abc."+s+":443/", HybridRouteURL("ABC", s))
}
