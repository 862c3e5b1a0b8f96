package appproxy

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/httpstub"
)

// Each transient Graph status is retried on a read, and when the retry
// budget runs out the command exits 6 (unavailable), never 1: scripts retry
// an outage later but treat 1 as a bug.
func TestTransientStatusesAreRetriedThenUnavailable(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			h := newHarness(t, 10*time.Second)
			for i := 0; i < 3; i++ {
				h.reg.Register("transient", httpstub.REST("GET", groupsPath),
					httpstub.WithHeader("Retry-After", "4", httpstub.GraphError(status, "transient", "try later")))
			}
			_, err := h.client.ListConnectorGroups(context.Background())
			require.Error(t, err)
			assert.Equal(t, exitcode.Unavailable, exitcode.Of(err), "%v", err)
			// 4+4 s fit the 10 s budget, a third wait would not: three
			// attempts (every stub used), two waits.
			assert.Equal(t, 3, h.reg.Count(), "retried")
			assert.Equal(t, []time.Duration{4 * time.Second, 4 * time.Second}, h.waits)
			assert.Contains(t, err.Error(), "retry budget")
		})
	}
}

// A nextLink on Graph's own host but over plain http would send the bearer
// token unencrypted: refused before any request is made to it.
func TestNextLinkDowngradedToHTTPIsRefused(t *testing.T) {
	h := newHarness(t, time.Second)
	h.reg.Register("page 1", httpstub.REST("GET", "/beta/servicePrincipals"), func(w http.ResponseWriter, r *http.Request) {
		httpstub.JSON(200, `{"value":[],"@odata.nextLink":"http://`+r.Host+`/beta/servicePrincipals?$skiptoken=x"}`)(w, r)
	})
	_, err := h.client.ListHybridApplications(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "paging link outside")
	assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
	assert.Equal(t, 1, h.reg.Count(), "the http link was not followed")
}

// Publishing an application that remove unpublished shows what is there
// now (the unpublish sentinel) as the before value: the dry run and the
// confirmation name the real rollback state, not "(none)".
func TestPublishPlanShowsAnUnpublishedAppsCurrentValues(t *testing.T) {
	app := &Application{AppID: tGUID, DisplayName: "Hybrid", Publishing: map[string]any{
		"externalUrl": UnpublishSentinel, "internalUrl": UnpublishSentinel, "externalAuthenticationType": "passthru"}}
	require.False(t, app.Published())
	p := PublishPlan(app, "ignored", HybridPublishing(tGUID, tSuffix, "https://exch02.contoso.local/"), "")
	assert.Equal(t, "publish", p.Operation)
	assert.Contains(t, p.Lines(), "  externalUrl: "+UnpublishSentinel+" → "+HybridRouteURL(tGUID, tSuffix))
	assert.Contains(t, p.Lines(), "  internalUrl: "+UnpublishSentinel+" → https://exch02.contoso.local/")
	assert.Contains(t, p.Lines(), "  applicationType: (none) → microsoftapp")
	route := HybridRouteURL(tGUID, tSuffix)
	assert.Contains(t, p.Lines(), "  web.redirectUris: (none) → ["+route+"]", "the route joins the web URIs")

	// Other redirect URIs are kept, and shown as the before value.
	app.Web = &WebSettings{RedirectURIs: []string{"https://intranet.contoso.com/"}}
	p = PublishPlan(app, "ignored", HybridPublishing(tGUID, tSuffix, "https://exch02.contoso.local/"), "")
	assert.Contains(t, p.Lines(), "  web.redirectUris: [https://intranet.contoso.com/] → [https://intranet.contoso.com/, "+route+"]")

	// Web URIs that already list the route are no change.
	app.Web = &WebSettings{RedirectURIs: []string{route}, HomePageURL: route}
	p = PublishPlan(app, "ignored", HybridPublishing(tGUID, tSuffix, "https://exch02.contoso.local/"), "")
	for _, c := range p.Changes {
		assert.NotEqual(t, "web.redirectUris", c.Property)
	}
}

// An application without a display name is named by its appId alone.
func TestAppNameWithoutDisplayName(t *testing.T) {
	assert.Equal(t, "application "+tGUID, AppName("", tGUID))
	assert.Equal(t, `"Hybrid" (appId `+tGUID+`)`, AppName("Hybrid", tGUID))
}
