package appproxy

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Application is an Entra application with its App Proxy publishing
// settings. Publishing keeps every onPremisesPublishing property Graph
// returned, so output can show properties this code does not know yet.
type Application struct {
	ID                    string         `json:"id"`
	AppID                 string         `json:"appId"`
	DisplayName           string         `json:"displayName"`
	ApplicationTemplateID string         `json:"applicationTemplateId,omitempty"`
	IdentifierURIs        []string       `json:"identifierUris,omitempty"`
	Web                   *WebSettings   `json:"web,omitempty"`
	Publishing            map[string]any `json:"onPremisesPublishing"`
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

// HybridRouteURL is the external URL of the hybrid route for guid.
func HybridRouteURL(guid, suffix string) string {
	return "https://" + strings.ToLower(guid) + "." + suffix + ":443/"
}

const appSelect = "id,appId,displayName,applicationTemplateId,identifierUris,web,onPremisesPublishing"

const hintAssignGroup = "assigning a connector group is delegated-only: sign in as a user with the Application Administrator or Global Administrator role (delegated Directory.ReadWrite.All)"

const hintAppRead = "reading applications needs Application.Read.All (app) or a user with Application Administrator"
const hintAppWrite = "changing App Proxy settings needs Application.ReadWrite.All (app) or a user with the Application Administrator or Global Administrator role (Cloud Application Administrator cannot manage App Proxy)"

// GetApplication finds an application by the GUID of its hybrid route. Which
// id Microsoft puts in that URL is undocumented, so the GUID is tried as the
// appId (client id) first, then as the object id. onPremisesPublishing is
// requested with $select because Graph leaves it out otherwise.
func (c *Client) GetApplication(ctx context.Context, guid string) (*Application, error) {
	q := url.Values{"$select": {appSelect}}
	var app Application
	err := c.do(ctx, request{
		op: "get application " + guid, method: http.MethodGet, retryable: true, hint403: hintAppRead,
		url: c.path("/applications(appId='"+url.PathEscape(guid)+"')", q),
	}, &app)
	if err == nil {
		return &app, nil
	}
	if !IsNotFound(err) {
		return nil, err
	}
	c.logf("no application has appId %s; trying it as an object id", guid)
	app = Application{}
	err = c.do(ctx, request{
		op: "get application " + guid, method: http.MethodGet, retryable: true, hint403: hintAppRead,
		url: c.path("/applications/"+url.PathEscape(guid), q),
	}, &app)
	if err != nil {
		return nil, err
	}
	return &app, nil
}

// ListHybridApplications lists every application whose external URL is a
// hybrid route of this cloud. Graph cannot filter on onPremisesPublishing,
// so the page is filtered here; $select keeps pages small.
func (c *Client) ListHybridApplications(ctx context.Context) ([]Application, error) {
	apps, err := listAll[Application](ctx, c, request{
		op: "list applications", method: http.MethodGet, retryable: true, hint403: hintAppRead,
		url: c.path("/applications", url.Values{"$select": {appSelect}, "$top": {"999"}}),
	})
	if err != nil {
		return nil, err
	}
	var out []Application
	for _, a := range apps {
		if _, ok := HybridRouteGUID(a.ExternalURL(), c.opts.Cloud.HybridRouteSuffix); ok {
			out = append(out, a)
		}
	}
	return out, nil
}

// FindApplicationsByDisplayName supports idempotent creation: a re-run finds
// what an interrupted run created instead of creating a twin.
func (c *Client) FindApplicationsByDisplayName(ctx context.Context, name string) ([]Application, error) {
	filter := "displayName eq '" + strings.ReplaceAll(name, "'", "''") + "'"
	return listAll[Application](ctx, c, request{
		op: "find applications named " + name, method: http.MethodGet, retryable: true, hint403: hintAppRead,
		url: c.path("/applications", url.Values{"$select": {appSelect}, "$filter": {filter}}),
	})
}

type instantiateResult struct {
	Application      Application `json:"application"`
	ServicePrincipal struct {
		ID string `json:"id"`
	} `json:"servicePrincipal"`
}

// Instantiate creates an application and its service principal from the
// cloud's custom (non-gallery) application template. It is not retried on
// 5xx: a lost response may already have created the app.
func (c *Client) Instantiate(ctx context.Context, displayName string) (*Application, error) {
	var res instantiateResult
	err := c.do(ctx, request{
		op: "create application", method: http.MethodPost, retryable: false, hint403: hintAppWrite,
		url:  c.path("/applicationTemplates/"+url.PathEscape(c.opts.Cloud.CustomAppTemplateID)+"/instantiate", nil),
		body: map[string]string{"displayName": displayName},
	}, &res)
	if err != nil {
		return nil, err
	}
	if res.Application.ID == "" {
		return nil, fmt.Errorf("create application: Graph's answer has no application id")
	}
	return &res.Application, nil
}

// WebURIChange is what SetWebURIs would send for app: the external URL
// added to identifierUris and web.redirectUris, and web.homePageUrl set when
// it is empty. Existing values are kept, so publishing an app that other
// things sign in to does not break them. Nil means nothing to change.
func WebURIChange(app *Application, externalURL string) map[string]any {
	web := WebSettings{}
	if app.Web != nil {
		web = *app.Web
	}
	ids, idsChanged := appendMissing(app.IdentifierURIs, externalURL)
	redirects, redirectsChanged := appendMissing(web.RedirectURIs, externalURL)
	home := web.HomePageURL
	if home == "" {
		home = externalURL
	}
	if !idsChanged && !redirectsChanged && home == web.HomePageURL {
		return nil
	}
	return map[string]any{
		"identifierUris": ids,
		"web":            map[string]any{"redirectUris": redirects, "homePageUrl": home},
	}
}

func appendMissing(list []string, v string) ([]string, bool) {
	for _, x := range list {
		if strings.EqualFold(strings.TrimRight(x, "/"), strings.TrimRight(v, "/")) {
			return list, false
		}
	}
	return append(append([]string{}, list...), v), true
}

// SetWebURIs adds the external URL to the app's identifier and web URIs;
// Graph refuses onPremisesPublishing until these are set (docs/graph.md).
func (c *Client) SetWebURIs(ctx context.Context, app *Application, externalURL string) error {
	body := WebURIChange(app, externalURL)
	if body == nil {
		c.logf("application %s already lists %s in its URIs", app.AppID, externalURL)
		return nil
	}
	return c.do(ctx, request{
		op: "set application URIs", method: http.MethodPatch, retryable: true, hint403: hintAppWrite,
		url:  c.path("/applications/"+url.PathEscape(app.ID), nil),
		body: body,
	}, nil)
}

// UpdatePublishing PATCHes onPremisesPublishing with the given properties.
func (c *Client) UpdatePublishing(ctx context.Context, objectID string, pub map[string]any) error {
	return c.do(ctx, request{
		op: "update App Proxy publishing", method: http.MethodPatch, retryable: true, hint403: hintAppWrite,
		url:  c.path("/applications/"+url.PathEscape(objectID), nil),
		body: map[string]any{"onPremisesPublishing": pub},
	}, nil)
}

// Unpublish removes App Proxy publishing with the sentinel PATCH.
func (c *Client) Unpublish(ctx context.Context, objectID string) error {
	return c.UpdatePublishing(ctx, objectID, map[string]any{"internalUrl": UnpublishSentinel, "externalUrl": UnpublishSentinel})
}

// AssignConnectorGroup assigns the app to a connector group (delegated-only).
func (c *Client) AssignConnectorGroup(ctx context.Context, objectID, groupID string) error {
	ref := strings.TrimRight(c.opts.GraphRoot, "/") + "/beta" + connectorGroupsPath + "/" + url.PathEscape(groupID)
	return c.do(ctx, request{
		op: "assign connector group", method: http.MethodPut, retryable: true, hint403: hintAssignGroup,
		url:  c.path("/applications/"+url.PathEscape(objectID)+"/connectorGroup/$ref", nil),
		body: map[string]string{"@odata.id": ref},
	}, nil)
}

// DeleteApplication deletes the app (and with it its service principal).
func (c *Client) DeleteApplication(ctx context.Context, objectID string) error {
	return c.do(ctx, request{
		op: "delete application", method: http.MethodDelete, retryable: true, hint403: hintAppWrite,
		url: c.path("/applications/"+url.PathEscape(objectID), nil),
	}, nil)
}
