package appproxy

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/httpstub"
)

// The connector group serving an application (test-hybridagent's hop):
// read by object id; a 404 is "no group" (exit 4), a 403 names the roles
// connector calls need.
func TestGetApplicationConnectorGroup(t *testing.T) {
	h := newHarness(t, time.Second)
	h.reg.Register("group", httpstub.REST("GET", "/beta/applications/o1/connectorGroup"),
		httpstub.JSON(200, `{"id":"g1","name":"Default group for Exchange Online","region":"eur"}`))
	g, err := h.client.GetApplicationConnectorGroup(context.Background(), "o1")
	require.NoError(t, err)
	assert.Equal(t, ConnectorGroup{ID: "g1", Name: ExchangeGroupName, Region: "eur"}, *g)

	h.reg.Register("none", httpstub.REST("GET", "/beta/applications/o2/connectorGroup"),
		httpstub.GraphError(404, "Request_ResourceNotFound", "no group"))
	g, err = h.client.GetApplicationConnectorGroup(context.Background(), "o2")
	require.Error(t, err)
	assert.Nil(t, g)
	assert.True(t, IsNotFound(err))
	assert.Equal(t, exitcode.NotFound, exitcode.Of(err))
	assert.Contains(t, err.Error(), "get the connector group of application o2: Graph returned 404")

	h.reg.Register("denied", httpstub.REST("GET", "/beta/applications/o3/connectorGroup"),
		httpstub.GraphError(403, "Authorization_RequestDenied", "denied"))
	_, err = h.client.GetApplicationConnectorGroup(context.Background(), "o3")
	assert.Equal(t, exitcode.Auth, exitcode.Of(err))
	assert.Contains(t, err.Error(), hintConnectors)
}

// URLs compare as Entra may store them: scheme and host in any case, the
// scheme's default port and a trailing slash ignored, any other port kept.
func TestSameURL(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"https://Mail.Contoso.com:443/owa/", "HTTPS://mail.contoso.com/owa", true},
		{"http://mail.contoso.com:80/", "http://mail.contoso.com", true},
		{"https://mail.contoso.com:8443/", "https://mail.contoso.com:8443", true},
		{"https://mail.contoso.com:8443/", "https://mail.contoso.com/", false},
		{"https://mail.contoso.com:80/", "https://mail.contoso.com/", false},
		{"http://mail.contoso.com:443/", "http://mail.contoso.com/", false},
		{"https://mail.contoso.com/", "http://mail.contoso.com/", false},
		{"https://mail.contoso.com/OWA", "https://mail.contoso.com/owa", false},
		{"", "", false},
		{"not a url", "not a url", false},
	} {
		assert.Equal(t, c.same, SameURL(c.a, c.b), "%q vs %q", c.a, c.b)
	}
}

// The hybrid rule reads the web settings only when the URL does not
// decide, once per application, and a failed read is the command's error.
func TestWhyNotHybridReadsWebOnlyWhenNeeded(t *testing.T) {
	h := newHarness(t, time.Second)
	hybrid := &Application{ID: "o1", AppID: tGUID, Publishing: map[string]any{"externalUrl": tRoute}}
	why, err := h.client.WhyNotHybrid(context.Background(), hybrid)
	require.NoError(t, err)
	assert.Empty(t, why)
	assert.Zero(t, h.reg.Count(), "a hybrid route decides without a read")

	other := &Application{ID: "o2", AppID: tGUID, Publishing: map[string]any{"externalUrl": "https://intranet.contoso.com/"}}
	h.reg.Register("web", byObjectSelect("o2", webSelect), httpstub.JSON(200, `{"id":"o2","appId":"`+tGUID+`","tags":["x"]}`))
	why, err = h.client.WhyNotHybrid(context.Background(), other)
	require.NoError(t, err)
	assert.Equal(t, h.client.NotHybridReason(other), why)
	assert.NotEmpty(t, why)
	assert.Equal(t, []string{"x"}, other.Tags)
	why2, err := h.client.WhyNotHybrid(context.Background(), other)
	require.NoError(t, err)
	assert.Equal(t, why, why2)
	assert.Equal(t, 1, h.reg.Count(), "the web settings are read once")

	denied := &Application{ID: "o3", AppID: tGUID}
	h.reg.Register("web denied", byObjectSelect("o3", webSelect), httpstub.GraphError(403, "Authorization_RequestDenied", "denied"))
	why, err = h.client.WhyNotHybrid(context.Background(), denied)
	require.Error(t, err)
	assert.Empty(t, why)
	assert.Equal(t, exitcode.Auth, exitcode.Of(err))
}

// A create answered with the object id alone looks the appId up; when that
// lookup fails the command says what was created and returns it, so the
// run can be resumed rather than create a twin.
func TestInstantiateWithoutAppIDLooksItUp(t *testing.T) {
	h := newHarness(t, time.Second)
	h.reg.Register("create", instantiatePath(), httpstub.JSON(201, `{"application":{"id":"o9"}}`))
	h.reg.Register("lookup", httpstub.REST("GET", "/beta/applications(appId='o9')"), httpstub.JSON(200, `{"id":"o9","appId":"`+tGUID+`"}`))
	app, err := h.client.Instantiate(context.Background(), "n")
	require.NoError(t, err)
	assert.Equal(t, tGUID, app.AppID)

	h = newHarness(t, time.Second)
	h.reg.Register("create", instantiatePath(), httpstub.JSON(201, `{"application":{"id":"o9"}}`))
	h.reg.Register("lookup denied", httpstub.REST("GET", "/beta/applications(appId='o9')"), httpstub.GraphError(403, "Authorization_RequestDenied", "denied"))
	app, err = h.client.Instantiate(context.Background(), "n")
	require.Error(t, err)
	require.NotNil(t, app)
	assert.Equal(t, "o9", app.ID)
	assert.Contains(t, err.Error(), "the answer named object o9 but no appId, and the lookup failed")
	assert.Equal(t, exitcode.Auth, exitcode.Of(err))
}

// Retry-After as seconds or as an HTTP date; capped at 5 minutes, and a
// date in the past or a value that is neither asks for no particular wait.
func TestParseRetryAfter(t *testing.T) {
	for v, want := range map[string]time.Duration{
		"":                              0,
		"7":                             7 * time.Second,
		" 7 ":                           7 * time.Second,
		"0":                             0,
		"-5":                            0,
		"300":                           5 * time.Minute,
		"100000":                        5 * time.Minute,
		"soon":                          0,
		"Wed, 21 Oct 2099 07:28:00 GMT": 5 * time.Minute,
		"Wed, 21 Oct 2015 07:28:00 GMT": 0,
	} {
		assert.Equal(t, want, parseRetryAfter(v, time.Now()), "%q", v)
	}
}

// A Retry-After date far ahead waits the 5-minute cap when the budget
// allows; one in the past falls back to the ordinary backoff.
func TestRetryAfterDateThroughTheClient(t *testing.T) {
	h := newHarness(t, 10*time.Minute)
	h.reg.Register("throttled", httpstub.REST("GET", groupsPath),
		httpstub.WithHeader("Retry-After", "Wed, 21 Oct 2099 07:28:00 GMT", httpstub.GraphError(429, "TooManyRequests", "later")))
	h.reg.Register("throttled again", httpstub.REST("GET", groupsPath),
		httpstub.WithHeader("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT", httpstub.GraphError(429, "TooManyRequests", "later")))
	h.reg.Register("ok", httpstub.REST("GET", groupsPath), httpstub.JSON(200, `{"value":[]}`))
	_, err := h.client.ListConnectorGroups(context.Background())
	require.NoError(t, err)
	require.Len(t, h.waits, 2)
	assert.Equal(t, 5*time.Minute, h.waits[0])
	assert.GreaterOrEqual(t, h.waits[1], time.Second, "attempt 2's backoff step is 2 s")
	assert.LessOrEqual(t, h.waits[1], 2*time.Second)
}

// An id goes into the URL escaped exactly once: it stays one path segment
// ("/" cannot reach another route) and reaches Graph as it was given.
func TestIDsAreEscapedOnce(t *testing.T) {
	h := newHarness(t, time.Second)
	h.reg.Register("group", httpstub.REST("GET", "/beta/applications/o%201%2F..%2Fx/connectorGroup"), httpstub.JSON(200, `{"id":"g1"}`))
	_, err := h.client.GetApplicationConnectorGroup(context.Background(), "o 1/../x")
	require.NoError(t, err)
	assert.Equal(t, []string{"GET /beta/applications/o%201%2F..%2Fx/connectorGroup"}, h.reg.Requests)
}

// A hybrid route is the bare origin: a query, a fragment, an empty query
// or an opaque form is some other URL, never the route update and remove
// may touch.
func TestHybridRouteIsTheBareOrigin(t *testing.T) {
	base := "https://" + tGUID + "." + tSuffix
	for _, ok := range []string{base, base + "/", base + ":443", base + ":443/"} {
		g, yes := HybridRouteGUID(ok, tSuffix)
		assert.True(t, yes, ok)
		assert.Equal(t, tGUID, g, ok)
	}
	for _, bad := range []string{base + "/?x=1", base + "/#top", base + "/?", "https:" + tGUID + "." + tSuffix, base + "/%2F"} {
		_, yes := HybridRouteGUID(bad, tSuffix)
		assert.False(t, yes, bad)
	}
}

// The publishing read must be of the object asked for; and a property
// path that answers nothing but metadata means "not published".
func TestReadPublishingChecksTheAnswer(t *testing.T) {
	h := newHarness(t, time.Second)
	h.reg.Register("other object", byObjectSelect("o1", publishingSelect), httpstub.JSON(200, `{"id":"o2","onPremisesPublishing":{"externalUrl":"`+tRoute+`"}}`))
	err := h.client.ReadPublishing(context.Background(), &Application{ID: "o1", AppID: tGUID})
	require.Error(t, err)
	assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
	assert.Contains(t, err.Error(), "asked for object o1, got o2")

	h.reg.Register("same object, other case", byObjectSelect("O3", publishingSelect), httpstub.JSON(200, `{"id":"o3","onPremisesPublishing":{"externalUrl":"`+tRoute+`"}}`))
	app := &Application{ID: "O3", AppID: tGUID}
	require.NoError(t, h.client.ReadPublishing(context.Background(), app))
	assert.Equal(t, tRoute, app.ExternalURL())

	h.reg.Register("no publishing", byObjectSelect("o4", publishingSelect), httpstub.JSON(200, `{"id":"o4"}`))
	h.reg.Register("metadata only", httpstub.REST("GET", "/beta/applications/o4/onPremisesPublishing"), httpstub.JSON(200, `{"@odata.context":"x"}`))
	app = &Application{ID: "o4", AppID: tGUID, Publishing: map[string]any{"stale": "value"}}
	require.NoError(t, h.client.ReadPublishing(context.Background(), app))
	assert.Nil(t, app.Publishing)
	assert.False(t, app.Published())

	h.reg.Register("no publishing again", byObjectSelect("o5", publishingSelect), httpstub.JSON(200, `{"id":"o5"}`))
	h.reg.Register("path denied", httpstub.REST("GET", "/beta/applications/o5/onPremisesPublishing"), httpstub.GraphError(404, "Request_ResourceNotFound", "gone"))
	err = h.client.ReadPublishing(context.Background(), &Application{ID: "o5", AppID: tGUID})
	require.Error(t, err, "a 404 without Application_NotFound is the object gone, not 'not published'")
	assert.Equal(t, exitcode.NotFound, exitcode.Of(err))
}

// A listing answer whose appId is not a GUID is refused before any read
// (the appId goes into a URL), and the bad value is shown bounded.
func TestListingRefusesAnAppIDThatIsNotAGUID(t *testing.T) {
	h := newHarness(t, time.Second)
	bad := tGUID + "')/owners" + strings.Repeat("x", 100)
	h.reg.Register("sps", httpstub.REST("GET", "/beta/servicePrincipals"),
		httpstub.JSON(200, `{"value":[{"id":"s1","appId":"`+tGUID+`"},{"id":"s2","appId":"`+bad+`"}]}`))
	_, err := h.client.ListHybridApplications(context.Background())
	require.Error(t, err)
	assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
	assert.Contains(t, err.Error(), `appId "`+bad[:64]+`..." is not a GUID`)
	assert.Equal(t, 1, h.reg.Count(), "no application was read")
}

// Idempotent creation trusts only full identities: a list entry with the
// name but no id or appId is not an application a re-run can resume.
func TestFindByDisplayNameNeedsBothIDs(t *testing.T) {
	h := newHarness(t, time.Second)
	h.reg.Register("filter", httpstub.REST("GET", "/beta/applications"),
		httpstub.JSON(200, `{"value":[{"id":"o1","displayName":"n"},{"appId":"a2","displayName":"n"},{"id":"o3","appId":"a3","displayName":"n"}]}`))
	apps, err := h.client.FindApplicationsByDisplayName(context.Background(), "n")
	require.NoError(t, err)
	require.Len(t, apps, 1)
	assert.Equal(t, "o3", apps[0].ID)
}

// The replication window is 60 s from the create, exactly: a 404 on the
// new object 1 ns before its end is waited out, one at its end is final.
func TestReplicationWindowEndsAtExactly60Seconds(t *testing.T) {
	for _, c := range []struct {
		name    string
		elapsed time.Duration
		waited  bool
	}{{"just inside", replicationWindow - time.Nanosecond, true}, {"at the end", replicationWindow, false}} {
		t.Run(c.name, func(t *testing.T) {
			// The budget runs from construction: it must outlast the window.
			h := newHarness(t, 2*time.Minute)
			h.reg.Register("create", instantiatePath(), httpstub.JSON(201, `{"application":{"id":"o9","appId":"`+tGUID+`"}}`))
			h.reg.Register("404", httpstub.REST("PATCH", "/beta/applications/o9"), httpstub.GraphError(404, "Request_ResourceNotFound", "no"))
			if c.waited {
				h.reg.Register("ok", httpstub.REST("PATCH", "/beta/applications/o9"), httpstub.Status(204))
			}
			app, err := h.client.Instantiate(context.Background(), "n")
			require.NoError(t, err)
			h.now = h.now.Add(c.elapsed)
			err = h.client.Unpublish(context.Background(), app.ID)
			if c.waited {
				require.NoError(t, err)
				assert.Equal(t, []time.Duration{replicationRetryDelay}, h.waits)
				return
			}
			assert.Equal(t, exitcode.NotFound, exitcode.Of(err))
			assert.Empty(t, h.waits)
		})
	}
}

// A Retry-After date is measured from the client's clock, not the
// machine's: 90 s after the harness's now is a 90 s wait.
func TestRetryAfterDateFromTheClientsClock(t *testing.T) {
	h := newHarness(t, 10*time.Minute)
	at := h.now.Add(90 * time.Second).Format(http.TimeFormat)
	h.reg.Register("throttled", httpstub.REST("GET", groupsPath),
		httpstub.WithHeader("Retry-After", at, httpstub.GraphError(429, "TooManyRequests", "later")))
	h.reg.Register("ok", httpstub.REST("GET", groupsPath), httpstub.JSON(200, `{"value":[]}`))
	_, err := h.client.ListConnectorGroups(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{90 * time.Second}, h.waits)
}
