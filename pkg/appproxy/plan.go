package appproxy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Change is one property a write changes. A nil Before means the property
// is set where it was absent; a nil After means it goes away.
type Change struct {
	Property string
	Before   any
	After    any
}

// Plan is what a write will do (or did) to one application: the one shape
// new, update and remove share, for dry runs, results and the module.
type Plan struct {
	// Operation is "create", "publish", "update", "unpublish", "delete",
	// "unpublish and delete", "assign connector group" or "none".
	Operation   string
	AppID       string
	DisplayName string
	Changes     []Change
	// Deletes is set when the application itself goes away.
	Deletes bool
}

// MarshalJSON writes {operation, appId, displayName, before, after}: before
// and after map each changed property to its value; after is null when the
// application is deleted.
func (p Plan) MarshalJSON() ([]byte, error) {
	before, after := map[string]any{}, map[string]any{}
	for _, c := range p.Changes {
		before[c.Property] = c.Before
		after[c.Property] = c.After
	}
	out := struct {
		Operation   string         `json:"operation"`
		AppID       string         `json:"appId"`
		DisplayName string         `json:"displayName"`
		Before      map[string]any `json:"before"`
		After       map[string]any `json:"after"`
	}{p.Operation, p.AppID, p.DisplayName, before, after}
	if p.Deletes {
		out.After = nil
	}
	return json.Marshal(out)
}

// Lines renders the plan for people: a heading naming the application,
// then one "property: before → after" line per change.
func (p Plan) Lines() []string {
	head := p.Operation + " " + p.Name()
	if len(p.Changes) == 0 {
		return []string{head + ": nothing to change"}
	}
	lines := []string{head + ":"}
	for _, c := range p.Changes {
		lines = append(lines, "  "+c.Property+": "+showValue(c.Before)+" → "+showValue(c.After))
	}
	if p.Deletes {
		lines = append(lines, "  the application and its service principal are deleted")
	}
	return lines
}

// Name is how messages name the application: display name and appId.
func (p Plan) Name() string { return AppName(p.DisplayName, p.AppID) }

// AppName names an application the way every message does.
func AppName(displayName, appID string) string {
	if displayName == "" {
		return "application " + appID
	}
	return fmt.Sprintf("%q (appId %s)", displayName, appID)
}

func showValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "(none)"
	case string:
		if x == "" {
			return `""`
		}
		return x
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// RetargetPlan is update's plan: internalUrl only (externalUrl is resent
// unchanged).
func RetargetPlan(app *Application, target string) Plan {
	p := Plan{Operation: "update", AppID: app.AppID, DisplayName: app.DisplayName}
	if !SameURL(app.InternalURL(), target) {
		p.Changes = []Change{{Property: "internalUrl", Before: nilIfEmpty(app.InternalURL()), After: target}}
	}
	return p
}

// RemovePlan is remove's plan: the route goes away, and with del the
// application too.
func RemovePlan(app *Application, del bool) Plan {
	p := Plan{Operation: "unpublish", AppID: app.AppID, DisplayName: app.DisplayName, Deletes: del}
	if app.Published() {
		p.Changes = []Change{
			{Property: "externalUrl", Before: app.ExternalURL()},
			{Property: "internalUrl", Before: nilIfEmpty(app.InternalURL())},
		}
		if del {
			p.Operation = "unpublish and delete"
		}
	} else if del {
		p.Operation = "delete"
	}
	return p
}

// PublishPlan is new's plan for app (nil: to be created, named name), the
// route it gets, its web URIs and the connector group (nil: unchanged).
func PublishPlan(app *Application, name string, want PublishingPatch, groupName string) Plan {
	p := Plan{Operation: "create", AppID: "(assigned by Entra)", DisplayName: name}
	if app != nil {
		p.Operation, p.AppID, p.DisplayName = "publish", app.AppID, app.DisplayName
	} else {
		p.Changes = append(p.Changes, Change{Property: "displayName", After: name})
	}
	published := app != nil && app.Published()
	if !published {
		before := func(k string) any {
			if app == nil {
				return nil
			}
			return nilIfEmpty(app.str(k))
		}
		for _, c := range []Change{
			{Property: "externalUrl", Before: before("externalUrl"), After: want.ExternalURL},
			{Property: "internalUrl", Before: before("internalUrl"), After: want.InternalURL},
			{Property: "externalAuthenticationType", Before: before("externalAuthenticationType"), After: want.ExternalAuthenticationType},
			{Property: "applicationType", Before: before("applicationType"), After: want.ApplicationType},
		} {
			// An unpublished app may keep its other settings: only what
			// changes is a line of the plan.
			if b, _ := c.Before.(string); !strings.EqualFold(b, c.After.(string)) {
				p.Changes = append(p.Changes, c)
			}
		}
		cur := &Application{}
		if app != nil {
			cur = app
		}
		if web := WebURIChange(cur, want.ExternalURL); web != nil {
			var was []string
			if cur.Web != nil {
				was = cur.Web.RedirectURIs
			}
			p.Changes = append(p.Changes, Change{Property: "web.redirectUris", Before: nilIfEmptyList(was), After: web.RedirectURIs})
		}
	}
	if groupName != "" {
		p.Changes = append(p.Changes, Change{Property: "connectorGroup", After: groupName})
		if published {
			p.Operation = "assign connector group"
		}
	} else if published {
		p.Operation = "none"
	}
	return p
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nilIfEmptyList(l []string) any {
	if len(l) == 0 {
		return nil
	}
	return l
}

// HybridMark is the tag this CLI writes on an application it created, or
// whose hybrid route it unpublished, so that the later steps of moving or
// cleaning up that application (new --app-id, remove --delete-application)
// recognise it without --force. It is written in a PATCH of its own.
const HybridMark = "HybridMgmtHybridApplication"

// Marked reports whether the application carries HybridMark (its tags must
// have been read, see ReadWeb).
func (a *Application) Marked() bool {
	return slices.ContainsFunc(a.Tags, func(t string) bool { return strings.EqualFold(t, HybridMark) })
}

// NotHybridReason says why app is not a hybrid application, or "" when it
// is one: published at the hybrid route of its own appId in this cloud, or
// marked by this CLI. Writes refuse any other application (exit 4) unless
// --force.
func (c *Client) NotHybridReason(app *Application) string {
	switch {
	case c.IsHybrid(app), app.Marked():
		return ""
	case !app.Published():
		return "it is not published through App Proxy, and hybridmgmt did not create or unpublish it"
	}
	guid, ok := HybridRouteGUID(app.ExternalURL(), c.opts.Cloud.HybridRouteSuffix)
	if ok && !strings.EqualFold(guid, app.AppID) {
		return fmt.Sprintf("it is published at %s, the route of another application (%s)", app.ExternalURL(), guid)
	}
	return fmt.Sprintf("it is published at %s, which is not a hybrid route (https://<appId>.%s)", app.ExternalURL(), c.opts.Cloud.HybridRouteSuffix)
}

// Mark adds HybridMark to the application's tags, keeping the others (a
// PATCH replaces the whole list, so they are read first).
func (c *Client) Mark(ctx context.Context, app *Application) error {
	if err := c.ReadWeb(ctx, app); err != nil {
		return err
	}
	if app.Marked() {
		return nil
	}
	tags := append(append([]string{}, app.Tags...), HybridMark)
	err := c.do(ctx, request{
		op: "mark the application as hybridmgmt's", method: http.MethodPatch, retryable: true, hint403: hintAppWrite, target: app.ID,
		url:  c.path("/applications/"+url.PathEscape(app.ID), nil),
		body: map[string]any{"tags": tags},
	}, nil)
	if err == nil {
		app.Tags = tags
	}
	return err
}
