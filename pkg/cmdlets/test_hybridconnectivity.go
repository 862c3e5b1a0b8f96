package cmdlets

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/connectivity"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
	"github.com/hybridmgmt/hybridmgmt/pkg/netproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
	"github.com/hybridmgmt/hybridmgmt/pkg/validate"
)

// ConnectivityProber runs a connectivity plan; *connectivity.Prober is the
// real one, tests pass one wired to loopback servers or canned results.
type ConnectivityProber interface {
	Run(ctx context.Context, plan connectivity.Plan) []connectivity.Result
}

// TestHybridConnectivityOptions are the inputs of test-hybridconnectivity.
type TestHybridConnectivityOptions struct {
	IO      *iostreams.IOStreams
	Prober  ConnectivityProber
	Now     func() time.Time
	Context context.Context
	Output  func() (output.Format, error)
	Logf    func(string, ...any)
	// Hostname names this machine in reports and in every JSON result.
	Hostname func() (string, error)
	Version  string
	// Cloud and Proxy come from the global --cloud and --proxy flags (and
	// the environment), validated by the factory.
	Cloud cloud.Cloud
	Proxy netproxy.Choice

	TestO365Endpoints bool
	ExchangeServers   []string
	AppID             string
	EndpointsFile     string
	LegacyList        bool
	ProbeRunOptions

	// ModuleProgress writes the PowerShell module's "progress: " lines
	// (nil: none).
	ModuleProgress func(string)

	// Endpoints is the parsed --endpoints-file; nil without one.
	Endpoints []connectivity.Endpoint
}

// NewCmdTestHybridConnectivity builds test-hybridconnectivity.
func NewCmdTestHybridConnectivity(f *Factory, runF func(*TestHybridConnectivityOptions) error) *cobra.Command {
	opts := &TestHybridConnectivityOptions{IO: f.IO, Prober: connectivity.NewProber(), Now: f.Now, Output: f.outputFormat, Logf: f.verbosef,
		ModuleProgress: f.moduleProgress,
		Hostname:       os.Hostname, Version: f.Version}
	cmd := &cobra.Command{
		Use:   "test-hybridconnectivity",
		Short: "Test every endpoint the Hybrid Agent and the HCW need, plus Exchange and machine checks",
		Long: heredoc.Doc(`
			Probe, in parallel, every endpoint the Hybrid Agent (an Entra private network
			connector) and the Hybrid Configuration Wizard need: DNS (IPv4 and IPv6),
			TCP, a TLS 1.2+ handshake with a verified chain, and an HTTP request,
			through the outbound proxy when one applies (HTTP CONNECT, as the agent does).
			Any HTTP answer over a verified TLS session counts as reachable; a proxy
			denial, a 407, a TLS 1.0-only path or a TLS-inspecting proxy does not.

			The proxy is --proxy, else HTTPS_PROXY/NO_PROXY, else (Windows) WinHTTP.
			On Windows the machine checks read SCHANNEL and .NET TLS settings, the
			.NET Framework release, the mshybridsvc service and the proxy Network
			Service uses; elsewhere they are reported Skipped.

			Every check reports; none stops the run. Exit 5 when a check Failed (or
			a Warning with --strict), 0 otherwise, 2 for invalid input.
			See docs/test-hybridconnectivity.md for every check and its remediation.
		`),
		Example: heredoc.Doc(`
			hybridmgmt test-hybridconnectivity
			hybridmgmt test-hybridconnectivity --test-o365-endpoints -o json
			hybridmgmt test-hybridconnectivity --exchange-server exch01.contoso.local --exchange-server mail-lb.contoso.local
			hybridmgmt test-hybridconnectivity --app-id 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7
			hybridmgmt test-hybridconnectivity --cloud USGov --timeout 5s --parallel 32
			hybridmgmt test-hybridconnectivity --endpoints-file my-endpoints.json --strict
		`),
		Args:        noArgs,
		Annotations: map[string]string{annotationReports: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(cmd); err != nil {
				return err
			}
			var err error
			if opts.Cloud, opts.Proxy, err = f.probeSettings(); err != nil {
				return err
			}
			if opts.LegacyList && opts.Cloud.Catalogue != cloud.CatalogueGlobal {
				return exitcode.Usagef("--legacy-list reproduces the original module's Global host set; it cannot be combined with --cloud %s", opts.Cloud.Name)
			}
			opts.Context = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return testHybridConnectivityRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.TestO365Endpoints, "test-o365-endpoints", false, "also test the Exchange Online endpoints every Mailbox server needs for free/busy")
	fl.StringArrayVar(&opts.ExchangeServers, "exchange-server", nil, "Exchange server or load balancer FQDN to test from this machine (repeatable, or comma-separated)")
	fl.StringVar(&opts.AppID, "app-id", "", "GUID of the hybrid application (or its route host or TargetSharingEpr URL): test its published route")
	fl.StringVar(&opts.EndpointsFile, "endpoints-file", "", "JSON file whose endpoints replace the built-in catalogue")
	fl.BoolVar(&opts.LegacyList, "legacy-list", false, "test the original HybridManagement module's (2019) host set instead of the current list")
	opts.ProbeRunOptions.addFlags(fl)
	return cmd
}

// validate checks every flag before any probe, so bad input is exit 2.
func (opts *TestHybridConnectivityOptions) validate(cmd *cobra.Command) error {
	if err := opts.ProbeRunOptions.validate(); err != nil {
		return err
	}
	servers, err := exchangeServers(opts.ExchangeServers)
	if err != nil {
		return err
	}
	opts.ExchangeServers = servers
	if cmd.Flags().Changed("app-id") {
		id, err := validate.AppID("--app-id", opts.AppID)
		if err != nil {
			return err
		}
		opts.AppID = id
	}
	if !cmd.Flags().Changed("endpoints-file") {
		return nil
	}
	for flag, set := range map[string]bool{
		"--test-o365-endpoints": opts.TestO365Endpoints, "--legacy-list": opts.LegacyList,
		"--exchange-server": len(opts.ExchangeServers) > 0, "--app-id": opts.AppID != "",
	} {
		if set {
			return exitcode.Usagef("--endpoints-file replaces the built-in checks and cannot be combined with %s: list those endpoints in the file", flag)
		}
	}
	es, err := readEndpointsFile(opts.EndpointsFile)
	if err != nil {
		return err
	}
	opts.Endpoints = es
	return nil
}

func readEndpointsFile(name string) ([]connectivity.Endpoint, error) {
	if strings.TrimSpace(name) == "" {
		return nil, exitcode.Usagef("--endpoints-file must not be empty")
	}
	// Stat before open: opening a FIFO blocks until someone writes to it,
	// beyond Ctrl-C; a device or directory is no endpoints file either.
	st, err := os.Stat(name)
	if err != nil {
		return nil, exitcode.Usagef("--endpoints-file: %v", err)
	}
	if !st.Mode().IsRegular() {
		return nil, exitcode.Usagef("--endpoints-file %s is not a regular file", name)
	}
	fh, err := os.Open(name)
	if err != nil {
		return nil, exitcode.Usagef("--endpoints-file: %v", err)
	}
	defer fh.Close()
	// One byte more than the limit lets the parser report the size.
	data, err := io.ReadAll(io.LimitReader(fh, connectivity.MaxEndpointsFileSize+1))
	if err != nil {
		return nil, exitcode.Usagef("--endpoints-file: %v", err)
	}
	es, err := connectivity.ParseEndpointsFile(data)
	if err != nil {
		return nil, exitcode.Usagef("--endpoints-file %s: %v", name, err)
	}
	return es, nil
}

func testHybridConnectivityRun(opts *TestHybridConnectivityOptions) error {
	format, err := opts.Output()
	if err != nil {
		return err
	}
	plan, err := connectivity.NewPlan(connectivity.Request{
		Cloud: opts.Cloud, O365: opts.TestO365Endpoints, Legacy: opts.LegacyList,
		ExchangeServers: opts.ExchangeServers, AppID: opts.AppID, File: opts.Endpoints,
	})
	if err != nil {
		return exitcode.Usagef("%v", err)
	}
	plan.Timeout, plan.Parallel, plan.MaxDuration, plan.Proxy = opts.Timeout, opts.Parallel, opts.MaxDuration, opts.Proxy
	if opts.Proxy.Func != nil {
		opts.Logf("outbound proxy for the cloud endpoints: %s", opts.Proxy.Describe(&url.URL{Scheme: "https", Host: "login.microsoftonline.com"}))
	}
	opts.Logf("probing %d endpoints, %d at a time, %s per probe", len(plan.Endpoints), plan.Parallel, plan.Timeout)

	// A counter on a terminal's stderr: a run can take the whole
	// --timeout of its slowest check.
	plan.Progress = func(done, total int) {
		opts.IO.Status(fmt.Sprintf("checking… %d/%d done", done, total))
		if opts.ModuleProgress != nil {
			opts.ModuleProgress(fmt.Sprintf("%d/%d checks done", done, total))
		}
	}
	start := opts.Now()
	results := opts.Prober.Run(opts.Context, plan)
	opts.IO.Status("")
	sum := connectivity.Summarize(results, opts.Now().Sub(start))
	info := newRunInfo(opts.Hostname, opts.Version, opts.Cloud, opts.Proxy, start)
	stampMachine(results, info.Machine)
	if format.IsReport() {
		err = writeReport(opts.IO.Out, format, reportFor("Hybrid connectivity report: "+info.Machine, info, connectivityVerdict(results), results, sum))
	} else {
		err = output.Print(opts.IO.Out, format, results, func() output.TableData { return connectivityTable(results, sum) })
	}
	if err != nil {
		return err
	}
	if format != output.Table {
		// stdout stays one JSON array; the summary is a diagnostic, not an
		// unprefixed stderr line the PowerShell module would turn into a
		// warning on every run.
		opts.Logf("%s", sum.String())
	}
	if err := opts.Context.Err(); err != nil {
		return interruptedError(results, err)
	}
	if sum.Failing(opts.Strict) {
		msg := connectivity.Plural(sum.Failed, "check") + " failed"
		if opts.Strict && sum.Warnings > 0 {
			msg = fmt.Sprintf("%s failed, %s (--strict)", connectivity.Plural(sum.Failed, "check"), connectivity.Plural(sum.Warnings, "warning"))
		}
		return exitcode.Wrap(exitcode.ErrChecksFailed, fmt.Errorf("%s", msg))
	}
	return nil
}

// interruptedError is the Ctrl-C line of a connectivity run (exit 130):
// how many checks finished, printed above it.
func interruptedError(results []connectivity.Result, err error) error {
	finished := 0
	for _, r := range results {
		if r.Error != connectivity.InterruptedError {
			finished++
		}
	}
	// One line for people; the chain keeps context.Canceled.
	msg := fmt.Errorf("interrupted; %d of %d checks finished", finished, len(results))
	return exitcode.Wrap(exitcode.ErrInterrupted, exitcode.Wrap(err, msg))
}

// connectivityVerdict is the reports' verdict line: the first Failed
// check in result order, or that everything passed.
func connectivityVerdict(rs []connectivity.Result) []string {
	for _, r := range rs {
		if r.Status == connectivity.Failed {
			return []string{fmt.Sprintf("Verdict: %s failed: %s", r.Category, r.Error)}
		}
	}
	return []string{"Verdict: every check passed"}
}

// connectivityTable groups rows by category (the category is printed on a
// group's first row only), then lists what to do for every row that did
// not pass, then the summary line.
func connectivityTable(rs []connectivity.Result, sum connectivity.Summary) output.TableData {
	t := output.TableData{Columns: []output.Column{
		{Header: "CATEGORY", Priority: 2, Min: 10},
		// Check names wrap rather than lose their end ("… (exch01)").
		{Header: "CHECK", Wrap: true, Min: 20},
		{Header: "TARGET", Priority: 1, Min: 16},
		{Header: "STATUS", Status: true},
		{Header: "TIME (ms)", Priority: 3, Min: 4},
		{Header: "DETAIL", Wrap: true, Min: 20},
	}}
	lead, h, _ := headlineLines(rs)
	t.Lead = lead
	prev := ""
	for _, r := range rs {
		cat := r.Category
		if cat == prev {
			cat = ""
		}
		prev = r.Category
		detail := r.Detail
		if r.Error != "" {
			detail = strings.TrimPrefix(detail+" => "+r.Error, " => ")
		}
		t.Rows = append(t.Rows, []string{cat, r.Name, target(r), string(r.Status), fmt.Sprint(r.DurationMs), detail})
	}
	fixes := fixLines(rs, h.Remediation)
	if len(fixes) > 0 {
		t.Footer = append(append(t.Footer, "", "What to do:"), fixes...)
		t.Footer = append(t.Footer, "")
	}
	t.Footer = append(t.Footer, sum.String())
	return t
}
