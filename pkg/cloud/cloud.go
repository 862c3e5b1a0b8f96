// Package cloud holds the per-cloud facts the CLI needs: where Graph and the
// sign-in authority live, the custom-app template id, and the domain of the
// Hybrid Agent's published route. Sources and open questions are in docs/graph.md.
package cloud

import (
	"sort"
	"strings"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// Cloud describes one Microsoft national cloud.
type Cloud struct {
	Name          string
	GraphRoot     string // scheme+host, no version segment
	AuthorityHost string // scheme+host of the Entra authority
	// CustomAppTemplateID is the "non-gallery application" template that
	// Graph instantiates for a new App Proxy application.
	CustomAppTemplateID string
	// HybridRouteSuffix is the DNS suffix of the published Hybrid Agent route
	// <appId>.<suffix>. Only the Global value is documented; the others are
	// derived from each cloud's App Proxy domain (see docs/graph.md).
	HybridRouteSuffix string
	// ModernHybridSupported is false where Microsoft does not support the
	// Hybrid Agent (GCC High, DoD, 21Vianet): connectivity adds a warning
	// and the write commands refuse without --force (R12).
	ModernHybridSupported bool
	// Catalogue selects the connectivity endpoint list documented for the
	// cloud.
	Catalogue Catalogue
	// PublicRoots says the cloud's Microsoft endpoints (the published
	// route included) chain to Microsoft's public roots; 21Vianet's do not.
	PublicRoots bool
	// OwnClientAdvised says Microsoft's own samples pass their own client
	// id here: the default public client may not exist in the cloud (R12).
	OwnClientAdvised bool
}

// Catalogue names a connectivity endpoint list.
type Catalogue string

// The endpoint lists Microsoft documents, one per cloud family.
const (
	CatalogueGlobal Catalogue = "global"
	CatalogueUSGov  Catalogue = "usgov"
	CatalogueChina  Catalogue = "china"
)

// GraphBeta returns the Graph beta root for this cloud or an override.
func (c Cloud) GraphBeta() string { return strings.TrimRight(c.GraphRoot, "/") + "/beta" }

var clouds = map[string]Cloud{
	"global": {
		Name:                  "Global",
		GraphRoot:             "https://graph.microsoft.com",
		AuthorityHost:         "https://login.microsoftonline.com",
		CustomAppTemplateID:   "8adf8e6e-67b2-4cf2-a259-e3dc5476c621",
		HybridRouteSuffix:     "resource.mailboxmigration.his.msappproxy.net",
		ModernHybridSupported: true,
		Catalogue:             CatalogueGlobal,
		PublicRoots:           true,
	},
	"usgov": {
		Name:                "USGov",
		GraphRoot:           "https://graph.microsoft.us",
		AuthorityHost:       "https://login.microsoftonline.us",
		CustomAppTemplateID: "4602d0b4-76bb-404b-bca9-2652e1a39c6d",
		HybridRouteSuffix:   "resource.mailboxmigration.his.msappproxy.us",
		Catalogue:           CatalogueUSGov,
		PublicRoots:         true,
	},
	"usgovdod": {
		Name:                "USGovDoD",
		GraphRoot:           "https://dod-graph.microsoft.us",
		AuthorityHost:       "https://login.microsoftonline.us",
		CustomAppTemplateID: "4602d0b4-76bb-404b-bca9-2652e1a39c6d",
		HybridRouteSuffix:   "resource.mailboxmigration.his.msappproxy.us",
		Catalogue:           CatalogueUSGov,
		PublicRoots:         true,
	},
	"china": {
		Name:      "China",
		GraphRoot: "https://microsoftgraph.chinacloudapi.cn",
		// The current authority (R12); the legacy login.chinacloudapi.cn
		// still works through --authority-host.
		AuthorityHost:       "https://login.partner.microsoftonline.cn",
		CustomAppTemplateID: "5a532e38-1581-4918-9658-008dc27c1d68",
		HybridRouteSuffix:   "resource.mailboxmigration.his.msappproxy.cn",
		Catalogue:           CatalogueChina,
		OwnClientAdvised:    true,
	},
}

// Names lists the accepted --cloud values.
func Names() []string {
	out := make([]string, 0, len(clouds))
	for _, c := range clouds {
		out = append(out, c.Name)
	}
	sort.Strings(out)
	return out
}

// Lookup resolves a --cloud value (case-insensitive); empty means Global.
func Lookup(name string) (Cloud, error) {
	if name == "" {
		return clouds["global"], nil
	}
	if c, ok := clouds[strings.ToLower(name)]; ok {
		return c, nil
	}
	// Common aliases people type from other tools.
	switch strings.ToLower(name) {
	case "azurecloud", "public", "azureglobal":
		return clouds["global"], nil
	case "azureusgovernment", "gcchigh":
		return clouds["usgov"], nil
	case "dod":
		return clouds["usgovdod"], nil
	case "azurechinacloud", "21vianet":
		return clouds["china"], nil
	}
	return Cloud{}, exitcode.Usagef("invalid --cloud %q: use one of %s", name, strings.Join(Names(), ", "))
}

// IsMicrosoftLoginHost reports whether host is one of the clouds' own sign-in
// hosts, where MSAL's instance discovery is meaningful.
func IsMicrosoftLoginHost(host string) bool {
	host = strings.ToLower(host)
	for _, c := range clouds {
		if strings.TrimPrefix(c.AuthorityHost, "https://") == host {
			return true
		}
	}
	switch host {
	case "login.microsoft.com", "login.windows.net", "login.chinacloudapi.cn", "login.microsoftonline.de":
		return true
	}
	return false
}

// IsMicrosoftGraphHost reports whether host is one of the clouds' Graph
// hosts: where a token from a Microsoft authority may be sent.
func IsMicrosoftGraphHost(host string) bool {
	host = strings.ToLower(host)
	for _, c := range clouds {
		if strings.TrimPrefix(c.GraphRoot, "https://") == host {
			return true
		}
	}
	return false
}
