package labtenant

import (
	"fmt"
	"net/url"
	"strings"
)

// propKind is the JSON type a writable property accepts.
type propKind int

const (
	kindString propKind = iota
	kindBool
	kindObject
	kindArray
	kindEnum
)

type propSpec struct {
	kind     propKind
	readOnly bool
	notNull  bool
	enum     []string // canonical spellings; input matched case-insensitively
}

// publishingProps is the beta onPremisesPublishing CSDL property list
// (docs: graph-appproxy.md §3.3).
//
// applicationType and isOnPremPublishingEnabled are documented read-only,
// but Graph accepts them: HCW's own PATCH sends both, Microsoft's tutorial
// sends isOnPremPublishingEnabled and Entra PowerShell writes
// applicationType (R7: [HCW-QA], [G-tut], [EPS-PA]). The truly read-only
// verifiedCustomDomainCertificatesMetadata is rejected with 400.
var publishingProps = map[string]propSpec{
	"alternateUrl":                             {kind: kindString},
	"applicationServerTimeout":                 {kind: kindString},
	"applicationType":                          {kind: kindString},
	"externalAuthenticationType":               {kind: kindEnum, enum: []string{"passthru", "aadPreAuthentication"}},
	"externalUrl":                              {kind: kindString},
	"internalUrl":                              {kind: kindString},
	"isAccessibleViaZTNAClient":                {kind: kindBool},
	"isBackendCertificateValidationEnabled":    {kind: kindBool},
	"isContinuousAccessEvaluationEnabled":      {kind: kindBool},
	"isDnsResolutionEnabled":                   {kind: kindBool},
	"isHttpOnlyCookieEnabled":                  {kind: kindBool},
	"isOnPremPublishingEnabled":                {kind: kindBool},
	"isPersistentCookieEnabled":                {kind: kindBool},
	"isSecureCookieEnabled":                    {kind: kindBool},
	"isStateSessionEnabled":                    {kind: kindBool},
	"isTranslateHostHeaderEnabled":             {kind: kindBool},
	"isTranslateLinksInBodyEnabled":            {kind: kindBool},
	"onPremisesApplicationSegments":            {kind: kindArray},
	"segmentsConfiguration":                    {kind: kindObject},
	"singleSignOnSettings":                     {kind: kindObject},
	"trafficRoutingMethod":                     {kind: kindEnum, notNull: true, enum: []string{"none", "random", "sessionPersistence", "performance", "unknownFutureValue"}},
	"useAlternateUrlForTranslationAndRedirect": {kind: kindBool},
	"verifiedCustomDomainCertificatesMetadata": {kind: kindObject, readOnly: true},
	"verifiedCustomDomainKeyCredential":        {kind: kindObject},
	"verifiedCustomDomainPasswordCredential":   {kind: kindObject},
	"wafAllowedHeaders":                        {kind: kindObject},
	"wafIpRanges":                              {kind: kindArray},
	"wafProvider":                              {kind: kindString},
}

// newPublishing is a freshly published app's value: the documented
// defaults (§3.3) plus the two URLs.
func newPublishing(internalURL, externalURL, authType string) map[string]any {
	return map[string]any{
		"alternateUrl":                             nil,
		"applicationServerTimeout":                 "default",
		"applicationType":                          "enterpriseapp",
		"externalAuthenticationType":               authType,
		"externalUrl":                              externalURL,
		"internalUrl":                              internalURL,
		"isAccessibleViaZTNAClient":                false,
		"isBackendCertificateValidationEnabled":    true,
		"isContinuousAccessEvaluationEnabled":      false,
		"isDnsResolutionEnabled":                   false,
		"isHttpOnlyCookieEnabled":                  false,
		"isOnPremPublishingEnabled":                true,
		"isPersistentCookieEnabled":                false,
		"isSecureCookieEnabled":                    true,
		"isStateSessionEnabled":                    false,
		"isTranslateHostHeaderEnabled":             true,
		"isTranslateLinksInBodyEnabled":            false,
		"onPremisesApplicationSegments":            []any{},
		"segmentsConfiguration":                    nil,
		"singleSignOnSettings":                     nil,
		"trafficRoutingMethod":                     "none",
		"useAlternateUrlForTranslationAndRedirect": false,
		"verifiedCustomDomainCertificatesMetadata": nil,
		"verifiedCustomDomainKeyCredential":        nil,
		"verifiedCustomDomainPasswordCredential":   nil,
		"wafAllowedHeaders":                        nil,
		"wafIpRanges":                              []any{},
		"wafProvider":                              nil,
	}
}

// checkValue validates one property value and returns its stored form.
func checkValue(typeName, name string, spec propSpec, v any) (any, *graphFail) {
	if spec.readOnly {
		return nil, badRequest(fmt.Sprintf("Property '%s' on type 'microsoft.graph.%s' is read-only and cannot be set.", name, typeName))
	}
	if v == nil {
		if spec.notNull {
			return nil, badRequest(fmt.Sprintf("Property '%s' on type 'microsoft.graph.%s' cannot be null.", name, typeName))
		}
		return nil, nil
	}
	ok := false
	switch spec.kind {
	case kindString:
		_, ok = v.(string)
	case kindBool:
		_, ok = v.(bool)
	case kindObject:
		_, ok = v.(map[string]any)
	case kindArray:
		_, ok = v.([]any)
	case kindEnum:
		if s, isStr := v.(string); isStr {
			for _, e := range spec.enum {
				if strings.EqualFold(e, s) {
					return e, nil
				}
			}
			return nil, badRequest(fmt.Sprintf("Requested value '%s' was not found in the enum for property '%s'.", s, name))
		}
	}
	if !ok {
		return nil, badRequest(fmt.Sprintf("Invalid value for property '%s' on type 'microsoft.graph.%s'.", name, typeName))
	}
	return v, nil
}

// patchPublishing applies a PATCH's onPremisesPublishing value to app, the
// working copy of all[i] (the others are checked for duplicate URLs).
func patchPublishing(all []Application, i int, app *Application, raw any) *graphFail {
	// `onPremisesPublishing: null` is what the original module sent to
	// unpublish. Nothing documents that Graph accepts it; the documented
	// removal is the PowerShellDeleteApplication sentinel, so the lab
	// refuses null to keep clients on the documented path.
	if raw == nil {
		return badRequest("Property 'onPremisesPublishing' cannot be set to null. To remove publishing, set internalUrl and externalUrl to 'PowerShellDeleteApplication'.")
	}
	patch, ok := raw.(map[string]any)
	if !ok {
		return badRequest("Invalid value for property 'onPremisesPublishing' on type 'microsoft.graph.application'.")
	}
	clean := map[string]any{}
	for k, v := range patch {
		spec, known := publishingProps[k]
		if !known {
			return badRequest(fmt.Sprintf("Invalid property '%s' on type 'microsoft.graph.onPremisesPublishing'.", k))
		}
		cv, fail := checkValue("onPremisesPublishing", k, spec, v)
		if fail != nil {
			return fail
		}
		clean[k] = cv
	}

	in, _ := clean["internalUrl"].(string)
	ex, _ := clean["externalUrl"].(string)
	if in == DeletePublishingID || ex == DeletePublishingID {
		if in != DeletePublishingID || ex != DeletePublishingID {
			return badRequest("To remove publishing, set both internalUrl and externalUrl to 'PowerShellDeleteApplication'.")
		}
		// Entra PowerShell's documented-by-code removal.
		app.OnPremisesPublishing = nil
		app.ConnectorGroupID = ""
		return nil
	}

	pub := app.OnPremisesPublishing
	if pub == nil {
		if in == "" || ex == "" {
			return badRequest("internalUrl and externalUrl are required to publish an application with Application Proxy.")
		}
		pub = newPublishing(in, ex, "aadPreAuthentication")
	}
	if _, set := clean["internalUrl"]; set {
		if fail := checkURL("Internal", in, false); fail != nil {
			return fail
		}
		for j := range all {
			other := all[j].OnPremisesPublishing
			if j == i || other == nil {
				continue
			}
			if o, _ := other["internalUrl"].(string); sameURL(o, in) {
				return &graphFail{status: 400, code: "InternalUrl_Duplicate",
					message: fmt.Sprintf("Internal url '%s' is invalid since it is already in use.", in)}
			}
		}
	}
	if _, set := clean["externalUrl"]; set {
		if fail := checkURL("External", ex, true); fail != nil {
			return fail
		}
	}
	merged := make(map[string]any, len(pub))
	for k, v := range pub {
		merged[k] = v
	}
	for k, v := range clean {
		merged[k] = v
	}
	merged["isOnPremPublishingEnabled"] = true
	app.OnPremisesPublishing = merged
	return nil
}

func checkURL(which, raw string, httpsOnly bool) *graphFail {
	u, err := url.Parse(raw)
	ok := err == nil && u.Host != "" && (u.Scheme == "https" || (!httpsOnly && u.Scheme == "http"))
	if !ok {
		return badRequest(fmt.Sprintf("%s url '%s' is invalid.", which, raw))
	}
	return nil
}

// sameURL compares URLs the way a duplicate check should: scheme and host
// case-insensitively, default ports and a missing trailing slash ignored.
func sameURL(a, b string) bool {
	na, nb := normURL(a), normURL(b)
	return na != "" && na == nb
}

func normURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	p := u.EscapedPath()
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return strings.ToLower(u.Scheme) + "://" + host + p
}
