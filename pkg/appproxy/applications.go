package appproxy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// Application is an Entra application with its App Proxy publishing
// settings. Publishing keeps every onPremisesPublishing property Graph
// returned, so output can show properties this code does not know yet; it
// is nil when the application is not published.
type Application struct {
	ID                    string         `json:"id"`
	AppID                 string         `json:"appId"`
	DisplayName           string         `json:"displayName"`
	ApplicationTemplateID string         `json:"applicationTemplateId,omitempty"`
	IdentifierURIs        []string       `json:"identifierUris,omitempty"`
	Tags                  []string       `json:"tags,omitempty"`
	Web                   *WebSettings   `json:"web,omitempty"`
	Publishing            map[string]any `json:"onPremisesPublishing"`

	// webRead records that ReadWeb filled Web, IdentifierURIs and Tags.
	webRead bool
}

// WebSettings is the part of application.web the publishing flow touches.
type WebSettings struct {
	RedirectURIs []string `json:"redirectUris,omitempty"`
	HomePageURL  string   `json:"homePageUrl,omitempty"`
}

// UnpublishSentinel is the value Entra PowerShell's
// Remove-EntraBetaApplicationProxyApplication PATCHes into both URLs to
// remove App Proxy publishing (docs/graph.md).
const UnpublishSentinel = "PowerShellDeleteApplication"

// OnPremAppTag is the tag Entra puts on the service principal of every App
// Proxy application; Microsoft's own listing sample filters on it (R6).
const OnPremAppTag = "WindowsAzureActiveDirectoryOnPremApp"

// ExternalURL returns onPremisesPublishing.externalUrl or "".
func (a *Application) ExternalURL() string { return a.str("externalUrl") }

// InternalURL returns onPremisesPublishing.internalUrl or "".
func (a *Application) InternalURL() string { return a.str("internalUrl") }

func (a *Application) str(k string) string {
	if a == nil || a.Publishing == nil {
		return ""
	}
	s, _ := a.Publishing[k].(string)
	return s
}

// Published reports whether the app has App Proxy publishing configured.
func (a *Application) Published() bool {
	ext := a.ExternalURL()
	return ext != "" && ext != UnpublishSentinel
}

// HybridRouteGUID returns the GUID of a hybrid route URL
// (https://<guid>.<suffix>[:443][/]) in lower case, and whether u is one.
// Anything else (another scheme or port, a path, credentials, a first
// label that is not a GUID) is not a route: update and remove refuse to
// touch such an app.
func HybridRouteGUID(u, suffix string) (string, bool) {
	pu, err := url.Parse(u)
	if err != nil || !strings.EqualFold(pu.Scheme, "https") || pu.User != nil || pu.Opaque != "" ||
		pu.RawQuery != "" || pu.ForceQuery || pu.Fragment != "" || (pu.Path != "" && pu.Path != "/") {
		return "", false
	}
	if p := pu.Port(); p != "" && p != "443" {
		return "", false
	}
	host := strings.ToLower(pu.Hostname())
	label, rest, ok := strings.Cut(host, ".")
	if !ok || rest != strings.ToLower(suffix) || !routeGUIDRE.MatchString(label) {
		return "", false
	}
	return label, true
}

var routeGUIDRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// HybridRouteURL is the external URL of the hybrid route for guid, written
// as HCW writes it (R7).
func HybridRouteURL(guid, suffix string) string {
	return "https://" + strings.ToLower(guid) + "." + suffix + ":443/"
}

// SameURL compares two URLs as Entra might store them: scheme and host
// without regard to case, the default port and a trailing slash ignored.
func SameURL(a, b string) bool {
	na, nb := normURL(a), normURL(b)
	return na != "" && na == nb
}

func normURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" && !(scheme == "https" && p == "443") && !(scheme == "http" && p == "80") {
		host += ":" + p
	}
	return scheme + "://" + host + strings.TrimRight(u.EscapedPath(), "/") + "/"
}

// Selects. onPremisesPublishing is served by another workload than the rest
// of the application (R5): it is asked for only in a read of one
// application by object id, never in a list, a $filter query or an
// alternate-key read, where Graph omits or rejects it.
const (
	identitySelect   = "id,appId,displayName"
	publishingSelect = identitySelect + ",onPremisesPublishing"
	webSelect        = identitySelect + ",web,identifierUris,tags"
)

// Hints for a 403, naming both what the token lacks and what the user
// lacks (R1): in a fresh tenant it is usually the consent.
const (
	hintAssignGroup = "assigning a connector group is delegated-only: it needs delegated Directory.ReadWrite.All and a signed-in user with the Application Administrator or Global Administrator role"
	hintAppRead     = "reading applications needs delegated Application.Read.All or Directory.Read.All (the CLI asks for Directory.ReadWrite.All and Application.ReadWrite.All), or app-only Application.Read.All"
	hintAppWrite    = "changing an application needs delegated Application.ReadWrite.All (Directory.ReadWrite.All is not enough; an administrator's interactive `hybridmgmt connect` consents for the organisation) and the Application Administrator or Global Administrator role (Cloud Application Administrator cannot manage App Proxy); app-only needs Application.ReadWrite.All (OwnedBy does not reach HCW's app)"
)

// ResolveApplication finds an application by the GUID of its hybrid route,
// reading only its identity. Which id Microsoft puts in the route is most
// likely the appId, so the GUID is tried as the appId first, then as the
// object id (R5). The answer carries no publishing: see ReadPublishing.
func (c *Client) ResolveApplication(ctx context.Context, guid string) (*Application, error) {
	q := url.Values{"$select": {identitySelect}}
	var app Application
	err := c.do(ctx, request{
		op: "get application " + guid, method: http.MethodGet, retryable: true, hint403: hintAppRead, target: guid,
		url: c.path("/applications(appId='"+url.PathEscape(guid)+"')", q),
	}, &app)
	if err == nil {
		return checkIdentity(&app, "get application "+guid)
	}
	if !IsNotFound(err) {
		return nil, err
	}
	c.logf("no application has appId %s; trying it as an object id", guid)
	app = Application{}
	err = c.do(ctx, request{
		op: "get application " + guid, method: http.MethodGet, retryable: true, hint403: hintAppRead, target: guid,
		url: c.path("/applications/"+url.PathEscape(guid), q),
	}, &app)
	if err != nil {
		return nil, err
	}
	return checkIdentity(&app, "get application "+guid)
}

// checkIdentity refuses an answer without the ids every later call needs:
// a 200 that names no object is malformed, not an application.
func checkIdentity(app *Application, op string) (*Application, error) {
	if app.ID == "" || app.AppID == "" {
		return nil, exitcode.Malformedf("%s: malformed answer from Graph: no id or appId", op)
	}
	return app, nil
}

// GetApplication resolves the application and reads its publishing by
// object id, the only reads Microsoft's own tools are shown to make (R5).
func (c *Client) GetApplication(ctx context.Context, guid string) (*Application, error) {
	app, err := c.ResolveApplication(ctx, guid)
	if err != nil {
		return nil, err
	}
	if err := c.ReadPublishing(ctx, app); err != nil {
		return nil, err
	}
	return app, nil
}

// ReadPublishing fills app.Publishing from a read of the object by id with
// $select naming onPremisesPublishing; when that carries none, the property
// path answers, where 404 Application_NotFound (or no content) means "not
// published". app.Publishing is nil afterwards for an unpublished app.
func (c *Client) ReadPublishing(ctx context.Context, app *Application) error {
	var got Application
	op := "read App Proxy publishing of " + app.AppID
	err := c.do(ctx, request{
		op: op, method: http.MethodGet, retryable: true, hint403: hintAppRead, target: app.ID,
		url: c.path("/applications/"+url.PathEscape(app.ID), url.Values{"$select": {publishingSelect}}),
	}, &got)
	if err != nil {
		return err
	}
	if got.ID != "" && !strings.EqualFold(got.ID, app.ID) {
		return exitcode.Malformedf("%s: malformed answer from Graph: asked for object %s, got %s", op, app.ID, got.ID)
	}
	if got.Publishing != nil {
		app.Publishing = got.Publishing
		return nil
	}
	c.logf("%s: the application read carried no onPremisesPublishing; reading the property itself", op)
	var pub map[string]any
	err = c.do(ctx, request{
		op: op, method: http.MethodGet, retryable: true, hint403: hintAppRead, target: app.ID,
		url: c.path("/applications/"+url.PathEscape(app.ID)+"/onPremisesPublishing", nil),
	}, &pub)
	var ge *Error
	if errors.As(err, &ge) && ge.Status == http.StatusNotFound && strings.EqualFold(ge.Code, "Application_NotFound") {
		app.Publishing = nil
		return nil
	}
	if err != nil {
		return err
	}
	delete(pub, "@odata.context")
	if len(pub) == 0 {
		pub = nil
	}
	app.Publishing = pub
	return nil
}

// ReadWeb fills the application's web settings, identifier URIs and tags,
// which only writes need; once per application value.
func (c *Client) ReadWeb(ctx context.Context, app *Application) error {
	if app.webRead {
		return nil
	}
	var got Application
	err := c.do(ctx, request{
		op: "read application " + app.AppID, method: http.MethodGet, retryable: true, hint403: hintAppRead, target: app.ID,
		url: c.path("/applications/"+url.PathEscape(app.ID), url.Values{"$select": {webSelect}}),
	}, &got)
	if err != nil {
		return err
	}
	app.Web, app.IdentifierURIs, app.Tags, app.webRead = got.Web, got.IdentifierURIs, got.Tags, true
	return nil
}

// WhyNotHybrid applies the hybrid-application rule (NotHybridReason),
// reading the tags first when the URL alone does not decide.
func (c *Client) WhyNotHybrid(ctx context.Context, app *Application) (string, error) {
	if c.IsHybrid(app) {
		return "", nil
	}
	if err := c.ReadWeb(ctx, app); err != nil {
		return "", err
	}
	return c.NotHybridReason(app), nil
}

// servicePrincipal is the slice of a service principal the listing needs.
type servicePrincipal struct {
	ID          string `json:"id"`
	AppID       string `json:"appId"`
	DisplayName string `json:"displayName"`
}

// readConcurrency bounds the per-application reads of a listing: enough to
// hide latency, few enough to stay clear of Graph's throttling.
const readConcurrency = 8

// Listing is what ListHybridApplications found.
type Listing struct {
	// Hybrid are the applications published at a hybrid route of this cloud.
	Hybrid []Application
	// Others are App Proxy applications published elsewhere.
	Others []Application
}

// ListHybridApplications lists the App Proxy applications the way
// Microsoft's own sample does (R6): the service principals tagged
// WindowsAzureActiveDirectoryOnPremApp, then each application's publishing
// read by object id, keeping those whose external URL is a hybrid route of
// this cloud whose GUID is the app's own appId.
func (c *Client) ListHybridApplications(ctx context.Context) (*Listing, error) {
	sps, err := listAll[servicePrincipal](ctx, c, request{
		op: "list App Proxy service principals", method: http.MethodGet, retryable: true, hint403: hintAppRead,
		url: c.path("/servicePrincipals", url.Values{
			"$filter": {"tags/any(t:t eq '" + OnPremAppTag + "')"},
			"$select": {identitySelect},
		}),
	})
	if err != nil {
		return nil, err
	}
	for _, sp := range sps {
		// Checked before any read starts: the appId goes into a URL.
		if !routeGUIDRE.MatchString(strings.ToLower(sp.AppID)) {
			return nil, exitcode.Malformedf("list App Proxy service principals: malformed answer from Graph: appId %q is not a GUID", cut(sp.AppID, 64))
		}
	}
	apps := make([]*Application, len(sps))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
	for i, sp := range sps {
		g.Go(func() error {
			app, err := c.GetApplication(gctx, sp.AppID)
			if IsNotFound(err) {
				// The application of a tagged service principal can be gone
				// (deleted meanwhile, or in another tenant for a multi-tenant
				// app): nothing of ours to list.
				c.logf("service principal %s has no application in this tenant; skipped", sp.AppID)
				return nil
			}
			apps[i] = app
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := &Listing{}
	for _, a := range apps {
		if a == nil || !a.Published() {
			continue
		}
		if c.IsHybrid(a) {
			out.Hybrid = append(out.Hybrid, *a)
		} else {
			out.Others = append(out.Others, *a)
		}
	}
	return out, nil
}

// IsHybrid reports whether app is published at the hybrid route of its own
// appId in this cloud.
func (c *Client) IsHybrid(app *Application) bool {
	guid, ok := HybridRouteGUID(app.ExternalURL(), c.opts.Cloud.HybridRouteSuffix)
	return ok && strings.EqualFold(guid, app.AppID)
}

// FindApplicationsByDisplayName supports idempotent creation: a re-run finds
// what an interrupted run created instead of creating a twin. Only identity
// is selected ($filter with a cross-workload $select is rejected or
// omitted, R5), and the names are compared here rather than trusting the
// server's filter.
func (c *Client) FindApplicationsByDisplayName(ctx context.Context, name string) ([]Application, error) {
	filter := "displayName eq '" + strings.ReplaceAll(name, "'", "''") + "'"
	apps, err := listAll[Application](ctx, c, request{
		op: "find applications named " + name, method: http.MethodGet, retryable: true, hint403: hintAppRead,
		url: c.path("/applications", url.Values{"$select": {identitySelect}, "$filter": {filter}}),
	})
	if err != nil {
		return nil, err
	}
	var out []Application
	for _, a := range apps {
		if a.DisplayName == name && a.ID != "" && a.AppID != "" {
			out = append(out, a)
			// Found by a list, it exists; a read by id that 404s right after
			// is replication catching up with an earlier run's create (R8).
			c.markCreated(a.ID, a.AppID)
		}
	}
	return out, nil
}

type instantiateResult struct {
	Application struct {
		ID          string       `json:"id"`
		ObjectID    string       `json:"objectId"`
		AppID       string       `json:"appId"`
		DisplayName string       `json:"displayName"`
		Tags        []string     `json:"tags"`
		Web         *WebSettings `json:"web"`
	} `json:"application"`
}

// Instantiate creates an application and its service principal from the
// cloud's custom (non-gallery) application template, on Graph v1.0, where
// the answer carries application.id (beta answers the AAD Graph shape
// application.objectId, R3; both are accepted). It is not retried on 5xx: a
// lost response may already have created the app. The created object is
// remembered so later calls ride out directory replication (R8).
func (c *Client) Instantiate(ctx context.Context, displayName string) (*Application, error) {
	var res instantiateResult
	err := c.do(ctx, request{
		op: "create application", method: http.MethodPost, retryable: false, hint403: hintAppWrite,
		url:  c.v1Path("/applicationTemplates/" + url.PathEscape(c.opts.Cloud.CustomAppTemplateID) + "/instantiate"),
		body: map[string]string{"displayName": displayName},
	}, &res)
	if err != nil {
		return nil, err
	}
	a := res.Application
	// The answer is the whole new application: its web settings and tags
	// are known without a read (which replication would delay).
	app := &Application{ID: a.ID, AppID: a.AppID, DisplayName: a.DisplayName, Tags: a.Tags, Web: a.Web, webRead: true}
	if app.ID == "" {
		app.ID = a.ObjectID
	}
	if app.DisplayName == "" {
		app.DisplayName = displayName
	}
	if app.AppID == "" && app.ID == "" {
		return nil, &LostCreateError{DisplayName: displayName}
	}
	c.markCreated(app.ID, app.AppID)
	if app.ID == "" {
		c.logf("create application: the answer has no object id; looking it up by appId %s", app.AppID)
		found, err := c.ResolveApplication(ctx, app.AppID)
		if err != nil {
			return app, fmt.Errorf("create application: the answer named appId %s but no object id, and the lookup failed: %w", app.AppID, err)
		}
		app.ID = found.ID
	}
	if app.AppID == "" {
		found, err := c.ResolveApplication(ctx, app.ID)
		if err != nil {
			return app, fmt.Errorf("create application: the answer named object %s but no appId, and the lookup failed: %w", app.ID, err)
		}
		app.AppID = found.AppID
	}
	c.markCreated(app.ID, app.AppID)
	return app, nil
}

// LostCreateError is a create whose answer did not say what was created.
type LostCreateError struct{ DisplayName string }

func (e *LostCreateError) Error() string {
	return fmt.Sprintf("create application: Graph answered without an application id or appId; an application named %q may exist now (find it in Entra under App registrations, or re-run the command, which resumes with it)", e.DisplayName)
}

// WebURIChange is what SetWebURIs would send for app: the route added to
// web.redirectUris, and web.homePageUrl set when it is empty. identifierUris
// are never touched: Entra refuses a URI outside api:// or the tenant's
// verified domains (R4). Existing values are kept, so publishing an app that
// other things sign in to does not break them. Nil means nothing to change.
func WebURIChange(app *Application, externalURL string) *WebSettings {
	web := WebSettings{}
	if app.Web != nil {
		web = *app.Web
	}
	redirects, changed := appendMissing(web.RedirectURIs, externalURL)
	home := web.HomePageURL
	if home == "" {
		home, changed = externalURL, true
	}
	if !changed {
		return nil
	}
	return &WebSettings{RedirectURIs: redirects, HomePageURL: home}
}

func appendMissing(list []string, v string) ([]string, bool) {
	for _, x := range list {
		if SameURL(x, v) {
			return list, false
		}
	}
	return append(append([]string{}, list...), v), true
}

// SetWebURIs adds the route to the app's web settings, in a PATCH of its
// own: onPremisesPublishing cannot share a PATCH with other properties (R7).
func (c *Client) SetWebURIs(ctx context.Context, app *Application, externalURL string) error {
	change := WebURIChange(app, externalURL)
	if change == nil {
		c.logf("application %s already lists %s in its web URIs", app.AppID, externalURL)
		return nil
	}
	return c.do(ctx, request{
		op: "set application web URIs", method: http.MethodPatch, retryable: true, hint403: hintAppWrite, target: app.ID,
		url:  c.path("/applications/"+url.PathEscape(app.ID), nil),
		body: map[string]any{"web": change},
	}, nil)
}

// PublishingPatch is an onPremisesPublishing PATCH body. Only the fields
// set are sent.
type PublishingPatch struct {
	ExternalURL                   string `json:"externalUrl,omitempty"`
	InternalURL                   string `json:"internalUrl,omitempty"`
	ExternalAuthenticationType    string `json:"externalAuthenticationType,omitempty"`
	ApplicationServerTimeout      string `json:"applicationServerTimeout,omitempty"`
	ApplicationType               string `json:"applicationType,omitempty"`
	IsOnPremPublishingEnabled     *bool  `json:"isOnPremPublishingEnabled,omitempty"`
	IsTranslateHostHeaderEnabled  *bool  `json:"isTranslateHostHeaderEnabled,omitempty"`
	IsTranslateLinksInBodyEnabled *bool  `json:"isTranslateLinksInBodyEnabled,omitempty"`
}

// HybridPublishing is the body HCW itself sends to publish the hybrid route
// (R7, from an HCW log): passthru, no header or link translation, marked as
// Microsoft's app type, publishing enabled.
func HybridPublishing(routeGUID, suffix, target string) PublishingPatch {
	no, yes := false, true
	return PublishingPatch{
		ExternalURL:                   HybridRouteURL(routeGUID, suffix),
		InternalURL:                   target,
		ExternalAuthenticationType:    "passthru",
		ApplicationServerTimeout:      "Default",
		ApplicationType:               "microsoftapp",
		IsOnPremPublishingEnabled:     &yes,
		IsTranslateHostHeaderEnabled:  &no,
		IsTranslateLinksInBodyEnabled: &no,
	}
}

// Retarget is the body that points a published route at a new target. Both
// URLs go together: Graph re-validates the pair, and Microsoft's
// troubleshooting guidance sends both even to change one.
func Retarget(externalURL, target string) PublishingPatch {
	return PublishingPatch{ExternalURL: externalURL, InternalURL: target}
}

// UpdatePublishing PATCHes onPremisesPublishing, alone in its request (R7).
func (c *Client) UpdatePublishing(ctx context.Context, objectID string, pub PublishingPatch) error {
	return c.do(ctx, request{
		op: "update App Proxy publishing", method: http.MethodPatch, retryable: true, hint403: hintAppWrite, target: objectID,
		url:  c.path("/applications/"+url.PathEscape(objectID), nil),
		body: map[string]any{"onPremisesPublishing": pub},
	}, nil)
}

// Unpublish removes App Proxy publishing with the sentinel PATCH that
// Microsoft's Remove-EntraBetaApplicationProxyApplication sends.
func (c *Client) Unpublish(ctx context.Context, objectID string) error {
	return c.UpdatePublishing(ctx, objectID, PublishingPatch{InternalURL: UnpublishSentinel, ExternalURL: UnpublishSentinel})
}

// AssignConnectorGroup assigns the app to a connector group (delegated-only).
// The reference names the cloud's own Graph root, never an override host:
// Graph resolves @odata.id against itself (R13).
func (c *Client) AssignConnectorGroup(ctx context.Context, objectID, groupID string) error {
	ref := strings.TrimRight(c.opts.Cloud.GraphRoot, "/") + "/beta" + connectorGroupsPath + "/" + url.PathEscape(groupID)
	return c.do(ctx, request{
		op: "assign connector group", method: http.MethodPut, retryable: true, hint403: hintAssignGroup, target: objectID,
		url:  c.path("/applications/"+url.PathEscape(objectID)+"/connectorGroup/$ref", nil),
		body: map[string]string{"@odata.id": ref},
	}, nil)
}

// DeleteApplication deletes the app (and with it its service principal). A
// retried DELETE that finds the app gone means an earlier attempt whose
// answer was lost did the work: that is success, not "not found".
func (c *Client) DeleteApplication(ctx context.Context, objectID string) error {
	return c.do(ctx, request{
		op: "delete application", method: http.MethodDelete, retryable: true, hint403: hintAppWrite, target: objectID,
		url: c.path("/applications/"+url.PathEscape(objectID), nil), goneIsDone: true,
	}, nil)
}

// createdObjects remembers what this client created, so calls on it ride
// out directory replication (R8).
type createdObjects struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (c *Client) markCreated(ids ...string) {
	c.created.mu.Lock()
	defer c.created.mu.Unlock()
	if c.created.ids == nil {
		c.created.ids = map[string]bool{}
	}
	if c.createdAt.IsZero() {
		c.createdAt = c.opts.Now()
	}
	for _, id := range ids {
		if id != "" {
			c.created.ids[strings.ToLower(id)] = true
		}
	}
}

// replicating reports whether target was created by this client less than
// replicationWindow ago.
func (c *Client) replicating(target string) bool {
	if target == "" {
		return false
	}
	c.created.mu.Lock()
	defer c.created.mu.Unlock()
	return c.created.ids[strings.ToLower(target)] && c.opts.Now().Sub(c.createdAt) < replicationWindow
}
