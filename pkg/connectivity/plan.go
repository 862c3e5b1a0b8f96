package connectivity

import (
	"fmt"
	"strings"
	"time"

	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/netproxy"
)

// Defaults of the command's flags.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultParallel    = 16
	DefaultMaxDuration = 5 * time.Minute
)

// Request is what the user asked to test, already validated.
type Request struct {
	Cloud           cloud.Cloud
	O365            bool
	Legacy          bool
	ExchangeServers []string
	AppID           string
	// File, when non-nil, replaces every built-in entry (--endpoints-file).
	File []Endpoint
}

// Plan is one run: the entries to probe and how.
type Plan struct {
	Endpoints []Endpoint
	// Notes are fixed results reported as they are (the cloud warning).
	Notes []Result
	// SkipMachine, when set, reports the machine checks Skipped with this
	// reason instead of running them.
	SkipMachine string
	Timeout     time.Duration
	Parallel    int
	MaxDuration time.Duration
	// Proxy decides, per entry, whether it is probed through a proxy. The
	// zero value is direct.
	Proxy netproxy.Choice
	// Progress, when set, hears each finished entry (done of total), from
	// the probing goroutines one at a time.
	Progress func(done, total int)
}

// NewPlan turns a request into entries, with the run defaults set.
func NewPlan(req Request) (Plan, error) {
	p := Plan{Timeout: DefaultTimeout, Parallel: DefaultParallel, MaxDuration: DefaultMaxDuration}
	if req.File != nil {
		if req.O365 || req.Legacy || len(req.ExchangeServers) > 0 || req.AppID != "" {
			return Plan{}, fmt.Errorf("an endpoints file replaces the built-in checks: list the endpoints in the file instead")
		}
		p.Endpoints = append([]Endpoint(nil), req.File...)
		p.SkipMachine = "not run with --endpoints-file (the file replaces the built-in checks)"
		return p, nil
	}
	c := req.Cloud
	if c.Name == "" {
		c, _ = cloud.Lookup("")
	}
	// if/else rather than a switch: Go's coverage profile, which the
	// mutation tests read, does not see case expressions (docs/testing.md).
	if req.Legacy {
		if c.Catalogue != cloud.CatalogueGlobal {
			return Plan{}, fmt.Errorf("--legacy-list reproduces the original module's Global host set; it cannot be combined with --cloud %s", c.Name)
		}
		p.Endpoints = withIssuers(legacyAgent, microsoftRoots)
		if req.O365 {
			p.Endpoints = append(p.Endpoints, withIssuers(legacyO365, microsoftRoots)...)
		}
	} else if c.Catalogue == cloud.CatalogueGlobal {
		p.Endpoints = withIssuers(concat(globalAgent, globalHCW), microsoftRoots)
		if req.O365 {
			p.Endpoints = append(p.Endpoints, withIssuers(withAdvice(globalO365, o365Advice), microsoftRoots)...)
		}
	} else if c.Catalogue == cloud.CatalogueUSGov {
		p.Endpoints = withIssuers(usGovAgent, microsoftRoots)
		p.Notes = append(p.Notes, cloudWarning(c, "The endpoints are the connector's documented Azure Government list (the pass-through authentication agent's list)."))
		if req.O365 {
			p.Notes = append(p.Notes, Result{Category: catCloud, Name: "Exchange Online endpoints (" + c.Name + ")", Check: "cloud", Status: Skipped, Cause: CauseNotRun,
				Detail: "--test-o365-endpoints has a list for the Global cloud only; use --endpoints-file with your cloud's Exchange Online hosts"})
		}
	} else if c.Catalogue == cloud.CatalogueChina {
		p.Endpoints = append([]Endpoint(nil), chinaSignIn...)
		p.Notes = append(p.Notes, cloudWarning(c, "Microsoft documents no connector endpoint list for 21Vianet, so only the sign-in hosts are probed."))
		if req.O365 {
			p.Notes = append(p.Notes, Result{Category: catCloud, Name: "Exchange Online endpoints (" + c.Name + ")", Check: "cloud", Status: Skipped, Cause: CauseNotRun,
				Detail: "--test-o365-endpoints has a list for the Global cloud only; use --endpoints-file with your cloud's Exchange Online hosts"})
		}
	} else {
		return Plan{}, fmt.Errorf("no endpoint catalogue for cloud %q", c.Name)
	}
	for _, s := range req.ExchangeServers {
		p.Endpoints = append(p.Endpoints, ExchangeEndpoints(s)...)
	}
	if req.AppID != "" {
		p.Endpoints = append(p.Endpoints, RouteEndpoint(req.AppID, c))
	}
	return p, nil
}

// cloudWarning is the result that tells the admin Modern Hybrid is not
// supported in this cloud (X1-live).
func cloudWarning(c cloud.Cloud, what string) Result {
	return Result{
		Category: catCloud, Name: "Modern Hybrid support (" + c.Name + ")", Check: "cloud", Status: Warning, Cause: CauseUnsupportedCloud,
		Detail: what,
		Error:  "Microsoft does not support the Hybrid Agent (Modern Hybrid) in GCC, GCC High, DoD or 21Vianet (Gallatin) tenants.",
		Remediation: "Use Classic Hybrid (publish EWS and Autodiscover to the internet) in this cloud; " +
			"these results only show whether the hosts are reachable.",
	}
}

// RouteEndpoint is the tenant's published route <appId>.<suffix>: DNS and
// HTTPS to it show the agent is published. Its HTTP answer to a caller
// other than Exchange Online is undocumented, so any answer passes.
func RouteEndpoint(appID string, c cloud.Cloud) Endpoint {
	host := strings.ToLower(appID) + "." + c.HybridRouteSuffix
	e := Endpoint{
		Category: catRoute, Name: host, Host: host, Port: 443, Check: CheckHTTPS,
		Source:      "X1/B1: the route must resolve in public DNS",
		Advice:      "If the name does not resolve, the route is not published: run Get-HybridApplication (hybridmgmt get-hybridapplication) and re-run the Modern HCW if it is missing.",
		AdviceStage: "dns",
	}
	if c.PublicRoots {
		e.ExpectedIssuers = microsoftRoots
	}
	return e
}

func concat(lists ...[]Endpoint) []Endpoint {
	var out []Endpoint
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// withIssuers copies es, giving every TLS entry the expected roots.
func withIssuers(es []Endpoint, roots []string) []Endpoint {
	out := append([]Endpoint(nil), es...)
	for i := range out {
		if out[i].Check.tlsBased() {
			out[i].ExpectedIssuers = roots
		}
	}
	return out
}

func withAdvice(es []Endpoint, advice string) []Endpoint {
	out := append([]Endpoint(nil), es...)
	for i := range out {
		out[i].Advice = advice
		out[i].AdviceStage = "any"
	}
	return out
}
