package cmdlets

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/connectivity"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
	"github.com/hybridmgmt/hybridmgmt/pkg/netproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
	"github.com/hybridmgmt/hybridmgmt/pkg/validate"
)

// HybridAgentGraph is what test-hybridagent reads from Graph. It is
// declared here, not in pkg/appproxy, so that how those reads are made
// (object-id resolution, service-principal listing) can change there
// without touching this command; *appproxy.Client satisfies it.
type HybridAgentGraph interface {
	AppOnly() bool
	GetApplication(ctx context.Context, guid string) (*appproxy.Application, error)
	ListHybridApplications(ctx context.Context) (*appproxy.Listing, error)
	ListConnectorGroups(ctx context.Context) ([]appproxy.ConnectorGroup, error)
	GetApplicationConnectorGroup(ctx context.Context, objectID string) (*appproxy.ConnectorGroup, error)
}

// minAgentVersion is the first connector version that works after
// Microsoft's TLS 1.2-only change; older agents cannot connect.
var minAgentVersion = [4]int{1, 5, 1526, 0}

// TestHybridAgentOptions are the inputs of test-hybridagent.
type TestHybridAgentOptions struct {
	IO       *iostreams.IOStreams
	Graph    func() (HybridAgentGraph, error)
	Prober   ConnectivityProber
	Now      func() time.Time
	Context  context.Context
	Output   func() (output.Format, error)
	Logf     func(string, ...any)
	Hostname func() (string, error)
	Version  string
	// ReadFile reads --iis-config files (os.ReadFile; UNC paths work on
	// Windows). LocalIISConfig is this machine's applicationHost.config,
	// read when no --iis-config is given ("" off Windows).
	ReadFile       func(string) ([]byte, error)
	LocalIISConfig string
	Cloud          cloud.Cloud
	Proxy          netproxy.Choice

	AppID           string
	ExchangeServers []string
	IISConfigs      []string
	ProbeRunOptions
}

// NewCmdTestHybridAgent builds test-hybridagent.
func NewCmdTestHybridAgent(f *Factory, runF func(*TestHybridAgentOptions) error) *cobra.Command {
	opts := &TestHybridAgentOptions{
		IO: f.IO, Prober: connectivity.NewProber(), Now: f.Now, Output: f.outputFormat, Logf: f.verbosef,
		Hostname: os.Hostname, Version: f.Version, ReadFile: os.ReadFile, LocalIISConfig: localIISConfig(),
		Graph: f.hybridAgentGraph,
	}
	cmd := &cobra.Command{
		Use:   "test-hybridagent",
		Short: "Walk the hybrid route hop by hop and name the hop that is broken",
		Long: heredoc.Doc(`
			Walk the route Exchange Online uses to reach on-premises Exchange through
			the Hybrid Agent, one hop after another, and report every hop (none stops
			the walk): Hybrid application (published, route, internalUrl, no duplicate
			internalUrl), Connector group (the group that serves the app), Agents
			(active of total, versions), Published route (public DNS, TCP, TLS),
			Agent to Exchange (DNS, TCP per address family, TLS chain and name,
			/EWS/Exchange.asmx and /EWS/mrsproxy.svc answering 401 Negotiate/NTLM),
			Exchange server (Extended Protection on the front-end EWS, from
			--iis-config) and This machine (Windows machine checks).

			Run it on an agent machine: the Agent to Exchange hop is what that
			machine sees. The first table line is the verdict: the first failed hop
			in route order, or the Exchange Online command that tests the last hop.
			Every result carries a cause code (docs/test-hybridconnectivity.md).

			Connector APIs are delegated-only: sign in as a user (Application
			Administrator or Global Administrator). Exit 5 when a hop Failed (or a
			Warning with --strict). See docs/test-hybridagent.md.
		`),
		Example: heredoc.Doc(`
			hybridmgmt test-hybridagent --user-principal-name admin@contoso.com
			hybridmgmt test-hybridagent --app-id 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 --exchange-server exch01.contoso.local
			hybridmgmt test-hybridagent --iis-config '\\exch01\c$\Windows\System32\inetsrv\config\applicationHost.config'
			hybridmgmt test-hybridagent -o html > hybrid-route.html
		`),
		Args:        noArgs,
		Annotations: map[string]string{annotationReports: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(cmd); err != nil {
				return err
			}
			if err := f.requireSignInConfig(); err != nil {
				return err
			}
			var err error
			if opts.Cloud, opts.Proxy, err = f.probeSettings(); err != nil {
				return err
			}
			opts.Context = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return testHybridAgentRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.AppID, "app-id", "", "the hybrid application: its GUID or route (default: the tenant's only hybrid application)")
	fl.StringArrayVar(&opts.ExchangeServers, "exchange-server", nil, "Exchange server or load balancer the agent targets (repeatable, or comma-separated; default: the app's internalUrl host)")
	fl.StringArrayVar(&opts.IISConfigs, "iis-config", nil, "copy of an Exchange server's applicationHost.config to check Extended Protection (repeatable)")
	opts.ProbeRunOptions.addFlags(fl)
	return cmd
}

// hybridAgentGraph is the Graph client the walk needs: appproxy.API plus
// the read of an application's connector group.
func (f *Factory) hybridAgentGraph() (HybridAgentGraph, error) {
	api, err := f.AppProxy()
	if err != nil {
		return nil, err
	}
	g, ok := api.(HybridAgentGraph)
	if !ok {
		return nil, fmt.Errorf("the Graph client cannot read connector groups of applications")
	}
	return g, nil
}

func (opts *TestHybridAgentOptions) validate(cmd *cobra.Command) error {
	if err := opts.ProbeRunOptions.validate(); err != nil {
		return err
	}
	if cmd.Flags().Changed("app-id") {
		id, err := validate.AppID("--app-id", opts.AppID)
		if err != nil {
			return err
		}
		opts.AppID = id
	}
	servers, err := exchangeServers(opts.ExchangeServers)
	if err != nil {
		return err
	}
	opts.ExchangeServers = servers
	for _, p := range opts.IISConfigs {
		if strings.TrimSpace(p) == "" {
			return exitcode.Usagef("--iis-config must not be empty")
		}
	}
	return nil
}

// localIISConfig is this machine's applicationHost.config on Windows.
func localIISConfig() string {
	if runtime.GOOS != "windows" {
		return ""
	}
	windir := os.Getenv("windir")
	if windir == "" {
		windir = `C:\Windows`
	}
	return filepath.Join(windir, "System32", "inetsrv", "config", "applicationHost.config")
}

// hopOrder is the route order of the result categories; the verdict names
// the first failed hop in this order.
var hopOrder = []string{catHybridApp, catConnectorGroup, catAgents, catPublishedRoute, catAgentToExchange, catExchangeServer, catThisMachine}

// agentWalk collects the results of one walk.
type agentWalk struct {
	opts    *TestHybridAgentOptions
	results []connectivity.Result
}

func (w *agentWalk) add(cat, name string, st connectivity.Status, cause connectivity.Cause, detail, errText, fix string) {
	if st == connectivity.Passed {
		cause = ""
	}
	w.results = append(w.results, connectivity.Result{Category: cat, Name: name, Check: "graph", Status: st,
		Cause: cause, Detail: detail, Error: errText, Remediation: fix})
}

func (w *agentWalk) skip(cat, name, why string) {
	w.results = append(w.results, connectivity.Result{Category: cat, Name: name, Check: "graph", Status: connectivity.Skipped,
		Cause: connectivity.CauseNotRun, Detail: why})
}

func testHybridAgentRun(opts *TestHybridAgentOptions) error {
	format, err := opts.Output()
	if err != nil {
		return err
	}
	g, err := opts.Graph()
	if err != nil {
		return err
	}
	if g.AppOnly() {
		return exitcode.Authf("test-hybridagent needs a signed-in user: Graph's connector APIs are delegated-only. Sign in with --user-principal-name (Application Administrator or Global Administrator)")
	}
	ctx := opts.Context
	start := opts.Now()
	w := &agentWalk{opts: opts}

	app, err := w.application(ctx, g)
	if err != nil {
		return err
	}
	group, err := w.connectorGroup(ctx, g, app)
	if err != nil {
		return err
	}
	if err := w.agents(ctx, g, group); err != nil {
		return err
	}
	w.network(ctx, app)
	w.extendedProtection(app)

	results := orderHops(w.results)
	sum := connectivity.Summarize(results, opts.Now().Sub(start))
	info := newRunInfo(opts.Hostname, opts.Version, opts.Cloud, opts.Proxy, start)
	stampMachine(results, info.Machine)
	routeHost := ""
	if app != nil {
		routeHost = strings.ToLower(app.AppID) + "." + opts.Cloud.HybridRouteSuffix
	}
	verdict := verdictLines(results, routeHost)
	switch {
	case format.IsReport():
		err = writeReport(opts.IO.Out, format, reportFor("Hybrid Agent route report: "+info.Machine, info, verdict, results, sum))
	default:
		err = output.Print(opts.IO.Out, format, results, func() output.TableData {
			t := connectivityTable(results, sum)
			t.Lead = append(append([]string(nil), verdict...), t.Lead...)
			return t
		})
	}
	if err != nil {
		return err
	}
	if format != output.Table {
		opts.Logf("%s", verdict[0])
		opts.Logf("%s", sum.String())
	}
	if err := ctx.Err(); err != nil {
		return interruptedError(results, err)
	}
	if sum.Failing(opts.Strict) {
		msg := strings.TrimPrefix(verdict[0], "Verdict: ")
		if sum.Failed == 0 {
			msg = connectivity.Plural(sum.Warnings, "warning") + " (--strict)"
		}
		return exitcode.Wrap(exitcode.ErrChecksFailed, fmt.Errorf("%s", msg))
	}
	return nil
}

// verdictLines is the contract's first line (and, when every hop passed,
// the Exchange Online command that tests the last hop).
func verdictLines(rs []connectivity.Result, routeHost string) []string {
	for _, r := range rs {
		if r.Status == connectivity.Failed {
			e := r.Error
			if e == "" {
				e = r.Name
			}
			return []string{fmt.Sprintf("Verdict: %s failed: %s", r.Category, e)}
		}
	}
	if routeHost == "" {
		routeHost = "<guid>.resource.mailboxmigration.his.msappproxy.net"
	}
	return []string{
		"Verdict: every hop that can be checked from here passed",
		"Test the last hop from Exchange Online PowerShell: Test-MigrationServerAvailability -ExchangeRemoteMove -RemoteServer " + routeHost + " -Credentials (Get-Credential)",
	}
}

// orderHops sorts results into route order, keeping each hop's own order.
func orderHops(rs []connectivity.Result) []connectivity.Result {
	rank := map[string]int{}
	for i, c := range hopOrder {
		rank[c] = i
	}
	out := append([]connectivity.Result(nil), rs...)
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i].Category] < rank[out[j].Category] })
	return out
}

// application is the first hop: find the app, check it is published on
// its own route with an internalUrl nobody else uses.
func (w *agentWalk) application(ctx context.Context, g HybridAgentGraph) (*appproxy.Application, error) {
	suffix := w.opts.Cloud.HybridRouteSuffix
	const name = "Application"
	var app *appproxy.Application
	var listing *appproxy.Listing
	if w.opts.AppID != "" {
		a, err := g.GetApplication(ctx, w.opts.AppID)
		// ifs, not a switch: coverage (so mutation testing) sees an if's
		// condition, not a case's.
		if appproxy.IsNotFound(err) {
			w.add(catHybridApp, name, connectivity.Failed, connectivity.CauseNotPublished, "",
				"no application has appId or object id "+w.opts.AppID,
				"Check the GUID (Get-MigrationEndpoint | fl RemoteServer in Exchange Online) or re-run the Modern HCW.")
		} else if err != nil {
			return nil, err
		} else {
			app = a
		}
	} else {
		l, err := g.ListHybridApplications(ctx)
		if err != nil {
			return nil, err
		}
		listing = l
		apps := l.Hybrid
		switch len(apps) {
		case 0:
			w.add(catHybridApp, name, connectivity.Failed, connectivity.CauseNotPublished, "",
				"the tenant has no hybrid application (no app publishes a *."+suffix+" route)",
				"Run the Modern Hybrid Configuration Wizard, or new-hybridapplication.")
		case 1:
			app = &apps[0]
		default:
			var ids []string
			for _, a := range apps {
				ids = append(ids, a.AppID+" ("+output.EscapeTerminal(a.DisplayName)+")")
			}
			sort.Strings(ids)
			return nil, exitcode.Usagef("the tenant has %d hybrid applications; choose one with --app-id: %s", len(apps), strings.Join(ids, ", "))
		}
	}
	if app == nil {
		for _, n := range []string{"Published route", "Internal URL", "Duplicate internal URL"} {
			w.skip(catHybridApp, n, "no hybrid application")
		}
		return nil, nil
	}
	w.add(catHybridApp, name, connectivity.Passed, "", fmt.Sprintf("%s (appId %s, object id %s)", app.DisplayName, app.AppID, app.ID), "", "")

	guid, isRoute := appproxy.HybridRouteGUID(app.ExternalURL(), suffix)
	switch {
	case !app.Published():
		w.add(catHybridApp, "Published route", connectivity.Failed, connectivity.CauseNotPublished, "",
			"the application is not published through App Proxy (no externalUrl)",
			"Re-run the Modern HCW, or publish it again with new-hybridapplication --app-id "+app.AppID+".")
	case !isRoute || !strings.EqualFold(guid, app.AppID):
		w.add(catHybridApp, "Published route", connectivity.Failed, connectivity.CauseNotPublished, "externalUrl "+app.ExternalURL(),
			"the externalUrl is not this app's hybrid route https://"+strings.ToLower(app.AppID)+"."+suffix+"/",
			"Exchange Online calls <appId>."+suffix+": re-run the Modern HCW so the app and the route match.")
	default:
		w.add(catHybridApp, "Published route", connectivity.Passed, "", app.ExternalURL(), "", "")
	}

	internal := app.InternalURL()
	iu, err := url.Parse(internal)
	if internal == "" || internal == appproxy.UnpublishSentinel || err != nil || iu.Hostname() == "" {
		w.add(catHybridApp, "Internal URL", connectivity.Failed, connectivity.CauseNotPublished, "",
			"the application has no usable internalUrl ("+strconv.Quote(internal)+")",
			"Set the Exchange server or load balancer with update-hybridapplication --target-uri.")
	} else {
		w.add(catHybridApp, "Internal URL", connectivity.Passed, "", internal, "", "")
	}

	if listing == nil {
		if listing, err = g.ListHybridApplications(ctx); err != nil {
			return nil, err
		}
	}
	// Every App Proxy application counts: the service refuses a second
	// publishing of one internalUrl whatever the other app is.
	var dups []string
	for _, other := range append(append([]appproxy.Application(nil), listing.Hybrid...), listing.Others...) {
		if other.ID != app.ID && internal != "" && sameURL(other.InternalURL(), internal) {
			dups = append(dups, other.AppID+" ("+other.DisplayName+")")
		}
	}
	if len(dups) > 0 {
		w.add(catHybridApp, "Duplicate internal URL", connectivity.Failed, connectivity.CauseDuplicateInternal,
			"checked every App Proxy application",
			"other applications publish the same internalUrl "+internal+": "+strings.Join(dups, ", "),
			"App Proxy refuses two applications with one internalUrl (InternalUrl_Duplicate): remove the stale application (remove-hybridapplication) and re-run the Modern HCW.")
	} else {
		w.add(catHybridApp, "Duplicate internal URL", connectivity.Passed, "", fmt.Sprintf("no other App Proxy application uses %s", internal), "", "")
	}
	return app, nil
}

func sameURL(a, b string) bool {
	norm := func(s string) string { return strings.TrimRight(strings.ToLower(strings.TrimSpace(s)), "/") }
	return a != "" && norm(a) == norm(b)
}

// connectorGroup is the second hop: the group that serves the app.
func (w *agentWalk) connectorGroup(ctx context.Context, g HybridAgentGraph, app *appproxy.Application) (*appproxy.ConnectorGroup, error) {
	const name = "Group serving the application"
	if app == nil || !app.Published() {
		w.skip(catConnectorGroup, name, "no published hybrid application")
		return nil, nil
	}
	cg, err := g.GetApplicationConnectorGroup(ctx, app.ID)
	if appproxy.IsNotFound(err) {
		w.add(catConnectorGroup, name, connectivity.Failed, connectivity.CauseNoConnectorGroup, "",
			"Graph has no connector group for the application", connectivity.CauseNoConnectorGroup.Info().Remediation)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	groups, err := g.ListConnectorGroups(ctx)
	if err != nil {
		return nil, err
	}
	for i := range groups {
		if strings.EqualFold(groups[i].ID, cg.ID) {
			cg.Members = groups[i].Members
		}
	}
	detail := fmt.Sprintf("%s (id %s)", cg.Name, cg.ID)
	if !strings.EqualFold(cg.Name, appproxy.ExchangeGroupName) {
		detail += "; the HCW puts agents in \"" + appproxy.ExchangeGroupName + "\""
	}
	w.add(catConnectorGroup, name, connectivity.Passed, "", detail, "", "")
	return cg, nil
}

// agents is the third hop: how many agents of that group are active, and
// whether any is too old to connect.
func (w *agentWalk) agents(_ context.Context, _ HybridAgentGraph, cg *appproxy.ConnectorGroup) error {
	if cg == nil {
		w.skip(catAgents, "Active agents", "no connector group")
		w.skip(catAgents, "Agent versions", "no connector group")
		return nil
	}
	active := ActiveAgents(*cg)
	total := len(cg.Members)
	var machines []string
	for _, m := range cg.Members {
		machines = append(machines, fmt.Sprintf("%s %s %s", m.MachineName, m.Status, m.Version))
	}
	detail := fmt.Sprintf("%d of %d active", active, total)
	if len(machines) > 0 {
		detail += ": " + strings.Join(machines, ", ")
	}
	if active == 0 {
		w.add(catAgents, "Active agents", connectivity.Failed, connectivity.CauseNoActiveAgent, detail,
			fmt.Sprintf("no active agent in %q: App Proxy answers 504 (no connector) for every request", cg.Name),
			connectivity.CauseNoActiveAgent.Info().Remediation)
	} else if active == 1 {
		w.add(catAgents, "Active agents", connectivity.Warning, connectivity.CauseSingleAgent, detail,
			"only one active agent: the route fails whenever that machine is down",
			connectivity.CauseSingleAgent.Info().Remediation)
	} else {
		w.add(catAgents, "Active agents", connectivity.Passed, "", detail, "", "")
	}
	var old []string
	for _, m := range cg.Members {
		if v, ok := parseVersion(m.Version); ok && versionLess(v, minAgentVersion) {
			old = append(old, m.MachineName+" "+m.Version)
		}
	}
	if len(old) > 0 {
		w.add(catAgents, "Agent versions", connectivity.Failed, connectivity.CauseAgentVersion, "",
			"agents below 1.5.1526.0 cannot connect since App Proxy requires TLS 1.2: "+strings.Join(old, ", "),
			connectivity.CauseAgentVersion.Info().Remediation)
	} else if total > 0 {
		w.add(catAgents, "Agent versions", connectivity.Passed, "", "every agent is 1.5.1526.0 or later", "", "")
	} else {
		w.skip(catAgents, "Agent versions", "the group has no agents")
	}
	return nil
}

func parseVersion(s string) ([4]int, bool) {
	var v [4]int
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 || len(parts) > 4 {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

func versionLess(a, b [4]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// network runs the probes of the Published route, Agent to Exchange and
// This machine hops in one prober run (in parallel, one --max-duration).
func (w *agentWalk) network(ctx context.Context, app *appproxy.Application) {
	opts := w.opts
	plan := connectivity.Plan{Timeout: opts.Timeout, Parallel: opts.Parallel, MaxDuration: opts.MaxDuration, Proxy: opts.Proxy}
	if app != nil {
		plan.Endpoints = append(plan.Endpoints, connectivity.WithCategory(connectivity.RouteEndpoint(app.AppID, opts.Cloud), catPublishedRoute))
	} else {
		w.skip(catPublishedRoute, "Route", "no hybrid application")
	}
	targets, port := opts.ExchangeServers, 443
	if app != nil {
		if iu, err := url.Parse(app.InternalURL()); err == nil && iu.Hostname() != "" {
			if len(targets) == 0 {
				targets = []string{strings.ToLower(iu.Hostname())}
			}
			if p, err := strconv.Atoi(iu.Port()); err == nil && p > 0 {
				port = p
			}
		}
	}
	if len(targets) == 0 {
		w.skip(catAgentToExchange, "Targets", "no internalUrl and no --exchange-server")
	}
	for _, t := range targets {
		plan.Endpoints = append(plan.Endpoints, connectivity.AgentToExchangeEndpoints(catAgentToExchange, t, port)...)
	}
	opts.Logf("probing %d endpoints of the route, %d at a time, %s per probe", len(plan.Endpoints), plan.Parallel, plan.Timeout)
	// The prober sorts by name; within the Agent to Exchange hop the
	// order of the steps (TCP, TLS, EWS, MRSProxy) reads better.
	step := map[string]int{}
	for i, e := range plan.Endpoints {
		step[e.Category+"\x00"+e.Name] = i
	}
	rs := opts.Prober.Run(ctx, plan)
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Category != catAgentToExchange || rs[j].Category != catAgentToExchange {
			return false
		}
		return step[rs[i].Category+"\x00"+rs[i].Name] < step[rs[j].Category+"\x00"+rs[j].Name]
	})
	for _, r := range rs {
		if r.Category == connectivity.MachineCategory {
			r.Category = catThisMachine
		}
		w.results = append(w.results, r)
	}
}

// extendedProtection is the Exchange server hop: --iis-config files, else
// this machine's own file when it is an Exchange server.
func (w *agentWalk) extendedProtection(app *appproxy.Application) {
	opts := w.opts
	server := ""
	if len(opts.ExchangeServers) == 1 {
		server = opts.ExchangeServers[0]
	} else if app != nil {
		if iu, err := url.Parse(app.InternalURL()); err == nil && len(opts.ExchangeServers) == 0 {
			server = strings.ToLower(iu.Hostname())
		}
	}
	if len(opts.IISConfigs) == 0 {
		if opts.LocalIISConfig != "" {
			if data, err := opts.ReadFile(opts.LocalIISConfig); err == nil {
				name, _ := opts.Hostname()
				r := connectivity.ExtendedProtectionCheck(catExchangeServer, name, opts.LocalIISConfig, data, nil)
				if !strings.Contains(r.Detail, "no Exchange Back End site") {
					w.results = append(w.results, r)
					return
				}
			}
		}
		w.results = append(w.results, connectivity.Result{Category: catExchangeServer, Name: connectivity.ExtendedProtectionName,
			Host: server, Check: "iis-config", Status: connectivity.Skipped, Cause: connectivity.CauseNotRun,
			Detail: `Extended Protection can only be read on the Exchange server: pass --iis-config \\<server>\c$\Windows\System32\inetsrv\config\applicationHost.config (or a copy)`})
		return
	}
	for _, p := range opts.IISConfigs {
		host := uncHost(p)
		if host == "" {
			host = server
		}
		if host == "" {
			host = "the server of " + p
		}
		data, err := opts.ReadFile(p)
		r := connectivity.ExtendedProtectionCheck(catExchangeServer, host, p, data, err)
		if len(opts.IISConfigs) > 1 {
			r.Name += " " + p
		}
		w.results = append(w.results, r)
	}
}

// uncHost is the server of a \\server\share\… path.
func uncHost(p string) string {
	s := strings.ReplaceAll(p, "/", `\`)
	if !strings.HasPrefix(s, `\\`) {
		return ""
	}
	h, _, _ := strings.Cut(s[2:], `\`)
	if h == "?" || h == "." {
		// \\?\C:\… and \\.\… are local long-path forms, not servers.
		return ""
	}
	return strings.ToLower(h)
}
