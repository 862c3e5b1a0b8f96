package cmdlets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
)

// ApplicationView is how an application is printed: id, appId and
// displayName, then every onPremisesPublishing property at the top level, as
// the original module's objects had them, so existing scripts keep working.
type ApplicationView struct {
	ID                         string `json:"id"`
	AppID                      string `json:"appId"`
	DisplayName                string `json:"displayName"`
	ExternalURL                string `json:"externalUrl"`
	InternalURL                string `json:"internalUrl"`
	ExternalAuthenticationType string `json:"externalAuthenticationType"`
	ApplicationServerTimeout   string `json:"applicationServerTimeout"`
	IsOnPremPublishingEnabled  bool   `json:"isOnPremPublishingEnabled"`
	// Extra holds the other onPremisesPublishing properties, flattened too.
	Extra map[string]any `json:"-"`
}

func newApplicationView(a *appproxy.Application) ApplicationView {
	v := ApplicationView{ID: a.ID, AppID: a.AppID, DisplayName: a.DisplayName, Extra: map[string]any{}}
	for k, val := range a.Publishing {
		s, _ := val.(string)
		switch k {
		case "externalUrl":
			v.ExternalURL = s
		case "internalUrl":
			v.InternalURL = s
		case "externalAuthenticationType":
			v.ExternalAuthenticationType = s
		case "applicationServerTimeout":
			v.ApplicationServerTimeout = s
		case "isOnPremPublishingEnabled":
			v.IsOnPremPublishingEnabled, _ = val.(bool)
		case "id", "appId", "displayName":
			// never let a publishing property shadow the app's identity
		default:
			v.Extra[k] = val
		}
	}
	return v
}

// MarshalJSON writes the known fields in a fixed order, then the extra
// publishing properties sorted by name: stable output for diffs and tests.
func (v ApplicationView) MarshalJSON() ([]byte, error) {
	type known ApplicationView
	head, err := json.Marshal(known(v))
	if err != nil {
		return nil, err
	}
	if len(v.Extra) == 0 {
		return head, nil
	}
	keys := make([]string, 0, len(v.Extra))
	for k := range v.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.Write(head[:len(head)-1])
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(v.Extra[k])
		if err != nil {
			return nil, fmt.Errorf("property %s: %w", k, err)
		}
		b.WriteByte(',')
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func applicationTable(views []ApplicationView) output.TableData {
	// The external URL is derived from the app id for every hybrid route:
	// on a narrow terminal it is the first to go, with a note saying how
	// to derive it, unless some row's URL is not the derived one.
	ext := output.Column{Header: "EXTERNAL URL", Priority: 3, URL: true, Min: 20}
	rest := ""
	for i, v := range views {
		r, ok := strings.CutPrefix(v.ExternalURL, "https://"+v.AppID+".")
		if !ok || (i > 0 && r != rest) {
			rest = ""
			break
		}
		rest = r
	}
	if rest != "" {
		ext.Derived = "EXTERNAL URL: https://<app-id>." + rest
	} else {
		ext.Priority = 1
	}
	t := output.TableData{Columns: []output.Column{
		{Header: "APP ID", Min: 36},
		{Header: "DISPLAY NAME", Priority: 1, Min: 12},
		ext,
		{Header: "INTERNAL URL", URL: true, Min: 16},
		{Header: "ENABLED", Priority: 2},
	}}
	for _, v := range views {
		t.Rows = append(t.Rows, []string{v.AppID, v.DisplayName, v.ExternalURL, v.InternalURL, fmt.Sprint(v.IsOnPremPublishingEnabled)})
	}
	if len(views) == 0 {
		t.Footer = []string{"no hybrid applications found"}
	}
	return t
}
