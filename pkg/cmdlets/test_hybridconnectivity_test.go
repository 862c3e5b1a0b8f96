package cmdlets

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/connectivity"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
	"github.com/hybridmgmt/hybridmgmt/pkg/netproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
)

// parseConnectivityArgs runs argv through the command with a capturing
// runF: the parsed options or the exact error, no probing.
func parseConnectivityArgs(t *testing.T, global GlobalOptions, env map[string]string, args ...string) (*TestHybridConnectivityOptions, error) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	f := NewFactory("test")
	f.IO = ios
	f.Getenv = func(k string) string { return env[k] }
	f.System = nil
	f.Global = &global
	var got *TestHybridConnectivityOptions
	cmd := NewCmdTestHybridConnectivity(f, func(o *TestHybridConnectivityOptions) error { got = o; return nil })
	// Attached to a parent the way root does it, so flag parse errors are
	// usage errors as in the real binary.
	parent := &cobra.Command{Use: "hybridmgmt", SilenceErrors: true, SilenceUsage: true}
	parent.SetFlagErrorFunc(flagError)
	parent.AddCommand(cmd)
	parent.SetArgs(append([]string{"test-hybridconnectivity"}, args...))
	parent.SetOut(ios.Out)
	parent.SetErr(ios.ErrOut)
	err := parent.ExecuteContext(context.Background())
	return got, err
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "endpoints.json")
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestConnectivityFlags(t *testing.T) {
	o, err := parseConnectivityArgs(t, GlobalOptions{Output: "table"}, nil)
	require.NoError(t, err)
	assert.Equal(t, 10*time.Second, o.Timeout)
	assert.Equal(t, 16, o.Parallel)
	assert.Equal(t, 5*time.Minute, o.MaxDuration)
	assert.Equal(t, "Global", o.Cloud.Name)
	assert.Equal(t, "direct", o.Proxy.Source)
	assert.False(t, o.Strict || o.LegacyList || o.TestO365Endpoints)
	assert.NotNil(t, o.Prober)

	o, err = parseConnectivityArgs(t, GlobalOptions{Output: "json", Cloud: "usgov", Proxy: "proxy.contoso.com:3128"}, nil,
		"--test-o365-endpoints", "--exchange-server", "EXCH01.contoso.local", "--exchange-server", "exch01.contoso.local.",
		"--exchange-server", "lb.contoso.local", "--app-id", "6CA7C832-49A2-4A5D-AEAE-A616F6D4B8E7",
		"--timeout", "5s", "--parallel", "32", "--max-duration", "1m", "--strict")
	require.NoError(t, err)
	assert.Equal(t, []string{"exch01.contoso.local", "lb.contoso.local"}, o.ExchangeServers, "normalised and de-duplicated")
	assert.Equal(t, "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7", o.AppID)
	assert.Equal(t, 5*time.Second, o.Timeout)
	assert.Equal(t, 32, o.Parallel)
	assert.Equal(t, time.Minute, o.MaxDuration)
	assert.True(t, o.Strict && o.TestO365Endpoints)
	assert.Equal(t, "USGov", o.Cloud.Name)
	assert.Equal(t, "flag", o.Proxy.Source)

	// What Exchange shows: a comma-separated list and a TargetSharingEpr URL, pasted with spaces.
	o, err = parseConnectivityArgs(t, GlobalOptions{Output: "table"}, nil,
		"--exchange-server", " exch01.contoso.local, EXCH02.contoso.local ,", "--exchange-server", "exch01.contoso.local",
		"--app-id", " https://6CA7C832-49A2-4A5D-AEAE-A616F6D4B8E7.resource.mailboxmigration.his.msappproxy.net/EWS/Exchange.asmx ")
	require.NoError(t, err)
	assert.Equal(t, []string{"exch01.contoso.local", "exch02.contoso.local"}, o.ExchangeServers)
	assert.Equal(t, "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7", o.AppID)

	o, err = parseConnectivityArgs(t, GlobalOptions{Output: "table"}, map[string]string{"HTTPS_PROXY": "http://envproxy:8080"})
	require.NoError(t, err)
	assert.Equal(t, "environment", o.Proxy.Source)

	file := writeFile(t, `[{"name":"a","host":"127.0.0.1","port":1,"check":"tcp","category":"Lab"}]`)
	o, err = parseConnectivityArgs(t, GlobalOptions{Output: "table"}, nil, "--endpoints-file", file, "--legacy-list=false")
	require.NoError(t, err)
	require.Len(t, o.Endpoints, 1)
	assert.Equal(t, "a", o.Endpoints[0].Name)

	o, err = parseConnectivityArgs(t, GlobalOptions{Output: "table"}, nil, "--legacy-list", "--parallel", "1")
	require.NoError(t, err)
	assert.True(t, o.LegacyList)
	assert.Equal(t, 1, o.Parallel)
}

func TestConnectivityFlagErrors(t *testing.T) {
	bad := writeFile(t, `[{"name":"ok","host":"a.example","port":443,"check":"tls","category":"c"},{"name":"oops","host":"a.example","port":99999,"check":"tls","category":"c"}]`)
	good := writeFile(t, `[{"name":"a","host":"127.0.0.1","port":1,"check":"tcp","category":"Lab"}]`)
	cases := []struct {
		name   string
		global GlobalOptions
		args   []string
		want   string
	}{
		{"zero timeout", GlobalOptions{}, []string{"--timeout", "0s"}, "--timeout 0s must be between 0 and 1h"},
		{"not a duration", GlobalOptions{}, []string{"--timeout", "ten"}, "invalid value for --timeout: expected a duration"},
		{"parallel 0", GlobalOptions{}, []string{"--parallel", "0"}, "--parallel 0 must be between 1 and 256"},
		{"parallel huge", GlobalOptions{}, []string{"--parallel", "100000"}, "--parallel 100000 must be between 1 and 256"},
		{"negative max duration", GlobalOptions{}, []string{"--max-duration", "-1s"}, "--max-duration -1s must be between"},
		{"exchange IP", GlobalOptions{}, []string{"--exchange-server", "10.0.0.5"}, "is an IP address"},
		{"exchange URL", GlobalOptions{}, []string{"--exchange-server", "https://exch01.contoso.local"}, "not a valid host name"},
		{"exchange escape", GlobalOptions{}, []string{"--exchange-server", "exch\x1b[2J01"}, "control character"},
		{"bad app id", GlobalOptions{}, []string{"--app-id", "nope"}, "not an application id"},
		{"duration without unit", GlobalOptions{}, []string{"--timeout", "10"}, "invalid value for --timeout: durations need a unit, e.g. 10s"},
		{"empty app id", GlobalOptions{}, []string{"--app-id", ""}, "--app-id must not be empty"},
		{"missing file", GlobalOptions{}, []string{"--endpoints-file", filepath.Join(t.TempDir(), "none.json")}, "--endpoints-file: stat"},
		{"empty file name", GlobalOptions{}, []string{"--endpoints-file", ""}, "--endpoints-file must not be empty"},
		{"invalid entry named", GlobalOptions{}, []string{"--endpoints-file", bad}, `entry 2 ("oops"): "port" 99999 is out of range (1-65535)`},
		{"file with o365", GlobalOptions{}, []string{"--endpoints-file", good, "--test-o365-endpoints"}, "cannot be combined with --test-o365-endpoints"},
		{"file with exchange", GlobalOptions{}, []string{"--endpoints-file", good, "--exchange-server", "exch01.contoso.local"}, "cannot be combined with --exchange-server"},
		{"legacy with USGov", GlobalOptions{Cloud: "USGov"}, []string{"--legacy-list"}, "cannot be combined with --cloud USGov"},
		{"bad cloud", GlobalOptions{Cloud: "Mars"}, nil, "--cloud"},
		{"positional", GlobalOptions{}, []string{"login.microsoftonline.com"}, "takes no positional arguments"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.global.Output = "table"
			o, err := parseConnectivityArgs(t, c.global, nil, c.args...)
			require.Error(t, err)
			assert.Nil(t, o, "nothing runs on invalid input")
			assert.Equal(t, exitcode.Usage, exitcode.Of(err), err.Error())
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// fakeProber returns canned results and records the plan.
type fakeProber struct {
	results []connectivity.Result
	plan    connectivity.Plan
	cancel  context.CancelFunc
}

func (f *fakeProber) Run(_ context.Context, plan connectivity.Plan) []connectivity.Result {
	f.plan = plan
	if f.cancel != nil {
		f.cancel()
	}
	return f.results
}

var cannedResults = []connectivity.Result{
	{Category: "Agent: cloud service (HTTPS 443)", Name: "watchdog", Host: "watchdog.servicebus.windows.net", Port: 443, Check: "https",
		Status: connectivity.Passed, DurationMs: 42, Detail: "TLS 1.3, issuer X; HTTP 404"},
	{Category: "Agent: cloud service (HTTPS 443)", Name: "download", Host: "download.msappproxy.net", Port: 443, Check: "https",
		Status: connectivity.Warning, DurationMs: 40, Detail: "TLS 1.2, issuer Evil\x1b[31m CA", Error: "TLS inspection detected", Remediation: "Bypass inspection."},
	{Category: "Machine", Name: "Clock skew", Check: "clock", Status: connectivity.Skipped, Detail: "no HTTPS endpoint answered"},
}

func newRunOptions(t *testing.T, format output.Format, results []connectivity.Result) (*TestHybridConnectivityOptions, *fakeProber, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	clock := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	g, _ := cloud.Lookup("Global")
	fp := &fakeProber{results: results}
	opts := &TestHybridConnectivityOptions{
		IO: ios, Prober: fp, Context: context.Background(),
		Now:      func() time.Time { clock = clock.Add(1500 * time.Millisecond); return clock },
		Output:   func() (output.Format, error) { return format, nil },
		Logf:     func(string, ...any) {},
		Hostname: func() (string, error) { return "AGENT01", nil }, Version: "1.2.3",
		Cloud: g, ProbeRunOptions: ProbeRunOptions{Timeout: 3 * time.Second, Parallel: 7, MaxDuration: time.Minute},
		ExchangeServers: []string{"exch01.contoso.local"},
	}
	return opts, fp, out, errOut
}

func TestConnectivityRunTable(t *testing.T) {
	opts, fp, stdout, stderr := newRunOptions(t, output.Table, cannedResults)
	err := testHybridConnectivityRun(opts)
	require.NoError(t, err, "a warning alone does not fail the run")
	assert.Empty(t, stderr.String())
	out := stdout.String()
	assert.Equal(t, `┌──────────────────────────────────┬────────────┬─────────────────────────────────────┬─────────┬───────────┬────────────────────────────────────────────────────────┐
│             CATEGORY             │   CHECK    │               TARGET                │ STATUS  │ TIME (ms) │                         DETAIL                         │
├──────────────────────────────────┼────────────┼─────────────────────────────────────┼─────────┼───────────┼────────────────────────────────────────────────────────┤
│ Agent: cloud service (HTTPS 443) │ watchdog   │ watchdog.servicebus.windows.net:443 │ Passed  │ 42        │ TLS 1.3, issuer X; HTTP 404                            │
│                                  │ download   │ download.msappproxy.net:443         │ Warning │ 40        │ TLS 1.2, issuer Evil[31m CA => TLS inspection detected │
│ Machine                          │ Clock skew │                                     │ Skipped │ 0         │ no HTTPS endpoint answered                             │
└──────────────────────────────────┴────────────┴─────────────────────────────────────┴─────────┴───────────┴────────────────────────────────────────────────────────┘

What to do:
  Warning Agent: cloud service (HTTPS 443) / download: Bypass inspection.

1 passed, 0 failed, 1 warning, 1 skipped in 1.5 s
`, out)
	assert.NotContains(t, out, "\x1b", "server strings are escaped")

	// The plan carries the flags; the catalogue comes from the cloud.
	assert.Equal(t, 3*time.Second, fp.plan.Timeout)
	assert.Equal(t, 7, fp.plan.Parallel)
	assert.Equal(t, time.Minute, fp.plan.MaxDuration)
	var exch int
	for _, e := range fp.plan.Endpoints {
		if e.Category == "Exchange server exch01.contoso.local" {
			exch++
		}
	}
	assert.Equal(t, 8, exch)
}

func TestConnectivityRunJSONAndExitCodes(t *testing.T) {
	failed := append([]connectivity.Result{{Category: "A", Name: "x", Host: "h", Port: 80, Check: "http", Status: connectivity.Failed,
		DurationMs: 3, Error: "TCP h:80: connection refused", Remediation: "Allow it.", Cause: connectivity.CauseTCPRefused}}, cannedResults...)
	opts, _, stdout, stderr := newRunOptions(t, output.JSON, failed)
	var logged []string
	opts.Logf = func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
	err := testHybridConnectivityRun(opts)
	require.Error(t, err)
	assert.Equal(t, exitcode.ChecksFailed, exitcode.Of(err))
	assert.Equal(t, "1 check failed", err.Error())
	var got []map[string]any
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &got), "stdout is exactly one JSON array")
	require.Len(t, got, 4)
	assert.Equal(t, map[string]any{"category": "A", "name": "x", "host": "h", "port": float64(80), "check": "http", "status": "Failed",
		"durationMs": float64(3), "detail": "", "error": "TCP h:80: connection refused", "remediation": "Allow it.",
		"cause": "tcp-refused", "machine": "AGENT01"}, got[0])
	assert.Empty(t, stderr.String(), "with -o json nothing unprefixed goes to stderr")
	assert.Contains(t, logged, "1 passed, 1 failed, 1 warning, 1 skipped in 1.5 s", "the summary is a --verbose diagnostic with -o json")

	opts, _, _, _ = newRunOptions(t, output.JSON, cannedResults)
	opts.Strict = true
	err = testHybridConnectivityRun(opts)
	require.Error(t, err)
	assert.Equal(t, exitcode.ChecksFailed, exitcode.Of(err))
	assert.Equal(t, "0 checks failed, 1 warning (--strict)", err.Error())

	opts, fp, stdout, _ := newRunOptions(t, output.Table, cannedResults[:1])
	ctx, cancel := context.WithCancel(context.Background())
	opts.Context, fp.cancel = ctx, cancel
	err = testHybridConnectivityRun(opts)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, exitcode.Interrupted, exitcode.Of(err))
	assert.Equal(t, "interrupted; 1 of 1 checks finished", err.Error())
	assert.Contains(t, stdout.String(), "watchdog", "what finished is printed before the error")
}

// TestConnectivityEndToEnd runs the binary's command tree with the real
// prober against 127.0.0.1 only (an endpoints file of IP literals).
func TestConnectivityEndToEnd(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedPort := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	openPort := ln.Addr().(*net.TCPAddr).Port
	file := writeFile(t, fmt.Sprintf(`[
	  {"name": "open", "host": "127.0.0.1", "port": %d, "check": "tcp", "category": "Lab"},
	  {"name": "closed", "host": "127.0.0.1", "port": %d, "check": "tcp", "category": "Lab"}
	]`, openPort, closedPort))

	e := newTestEnv(t)
	r := e.run("test-hybridconnectivity", "--endpoints-file", file, "-o", "json", "--parallel", "1", "--verbose")
	assert.Equal(t, exitcode.ChecksFailed, r.code, r.stderr)
	var got []connectivity.Result
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	require.Len(t, got, 8, "2 entries + 5 machine checks + clock skew")
	assert.Equal(t, "closed", got[0].Name)
	assert.Equal(t, connectivity.Failed, got[0].Status)
	assert.Equal(t, "open", got[1].Name)
	assert.Equal(t, connectivity.Passed, got[1].Status)
	for _, r := range got[2:] {
		assert.Equal(t, connectivity.Skipped, r.Status, r.Name)
	}
	assert.Contains(t, r.stderr, "verbose: 1 passed, 1 failed, 0 warnings, 6 skipped in ")
	assert.Contains(t, r.stderr, "hybridmgmt: 1 check failed")

	r = e.run("test-hybridconnectivity", "--endpoints-file", file, "--timeout", "-3s")
	assert.Equal(t, exitcode.Usage, r.code)
}

func TestConnectivityMostLikelyCauseAndReports(t *testing.T) {
	refused := func(name string) connectivity.Result {
		return connectivity.Result{Category: "Agent: cloud service (HTTPS 443)", Name: name, Host: name + ".test", Port: 443, Check: "https",
			Status: connectivity.Failed, Error: "TCP refused", Cause: connectivity.CauseTCPRefused, Remediation: "Open 443."}
	}
	rs := []connectivity.Result{refused("a"), refused("b"),
		{Category: "Machine", Name: "TLS", Check: "machine", Status: connectivity.Failed, Cause: connectivity.CauseMachineConfig, Remediation: "Enable TLS 1.2."}}

	opts, _, stdout, _ := newRunOptions(t, output.Table, rs)
	require.Error(t, testHybridConnectivityRun(opts))
	out := stdout.String()
	assert.True(t, strings.HasPrefix(out, "Most likely cause: the connection is refused (TCP reset) (2 checks)\nWhat to do: Open 443.\n┌"), out)
	assert.Equal(t, 1, strings.Count(out, "Open 443."), "rows do not repeat the headline's advice")
	assert.Contains(t, out, "  Failed Machine / TLS: Enable TLS 1.2.")

	for _, f := range []output.Format{output.Markdown, output.HTML} {
		opts, _, stdout, stderr := newRunOptions(t, f, rs)
		err := testHybridConnectivityRun(opts)
		assert.Equal(t, exitcode.ChecksFailed, exitcode.Of(err), "reports exit like the table")
		out := stdout.String()
		for _, want := range []string{"Verdict: Agent: cloud service (HTTPS 443) failed: TCP refused", "AGENT01", "UTC", "1.2.3", "Global", "Most likely cause: the connection is refused (TCP reset) (2 checks)",
			"Firewall request", "a.test", "Network Service", "learn.microsoft.com", "see Most likely cause"} {
			assert.Contains(t, out, want, "%s report", f)
		}
		assert.Empty(t, stderr.String())
	}
}

func TestReportFormatsOnlyOnTestCommands(t *testing.T) {
	e := newTestEnv(t)
	r := e.run("get-hybridapplication", "-o", "markdown", "--app-id", "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7")
	assert.Equal(t, exitcode.Usage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "-o markdown is a report format written only by test-hybridconnectivity and test-hybridagent")
	assert.Zero(t, e.clients, "refused before any Graph client exists")
}

func TestRunInfoNamesTheProxyAndItsSource(t *testing.T) {
	g, _ := cloud.Lookup("Global")
	now := time.Date(2026, 11, 30, 18, 0, 0, 0, time.FixedZone("CET", 3600))
	proxy, err := netproxy.Resolver{Explicit: "http://user:secret@proxy.contoso.com:3128"}.Resolve()
	require.NoError(t, err)
	info := newRunInfo(func() (string, error) { return "", fmt.Errorf("no name") }, "", g, proxy, now)
	assert.Equal(t, "unknown", info.Machine)
	assert.Equal(t, "dev", info.Version)
	assert.Equal(t, "http://user:xxxxx@proxy.contoso.com:3128 (flag)", info.Proxy, "credentials never reach a report")
	assert.Equal(t, "2026-11-30 17:00:00 +0000 UTC", info.Time.String())

	direct, err := netproxy.Resolver{}.Resolve()
	require.NoError(t, err)
	assert.Equal(t, "direct", newRunInfo(nil, "1", g, direct, now).Proxy)
}

func TestFirewallRequestRows(t *testing.T) {
	fail := func(cat, host string, port int, cause connectivity.Cause, detail string) connectivity.Result {
		return connectivity.Result{Category: cat, Name: host + cat, Host: host, Port: port, Check: "https", Status: connectivity.Failed, Cause: cause, Detail: detail}
	}
	rs := []connectivity.Result{
		fail("Agent: cloud service (HTTPS 443)", "a.test", 443, connectivity.CauseProxyDenied, "via proxy http://proxy:3128 (winhttp); x"),
		fail("Agent: cloud service (HTTPS 443)", "a.test", 443, connectivity.CauseProxyDenied, "via proxy http://proxy:3128 (winhttp); y"),
		fail("Exchange Online (free/busy)", "outlook.test", 443, connectivity.CauseTCPTimeout, "DNS: x"),
		fail(catAgentToExchange, "exch01", 443, connectivity.CauseTLSUntrusted, "DNS: x"),
		fail(catAgentToExchange, "exch01", 443, connectivity.CauseTCPRefused, "DNS: x"),
		fail(catAgents, "", 0, connectivity.CauseNoActiveAgent, ""),
	}
	info := runInfo{Machine: "AGENT01"}
	rep := reportFor("t", info, nil, rs, connectivity.Summarize(rs, 0))
	require.Len(t, rep.Firewall, 3, "one line per host, port and cause; certificates and agents are not firewall work: %+v", rep.Firewall)
	assert.Equal(t, output.FirewallRow{Host: "a.test", Port: "443", Protocol: "TCP (HTTPS, TLS 1.2+)", Blocked: connectivity.CauseProxyDenied.Info().Words,
		ViaProxy: "yes: http://proxy:3128 (winhttp)", Account: "Network Service on this machine (the Hybrid Agent service, mshybridsvc)",
		Reference: "https://learn.microsoft.com/entra/identity/app-proxy/application-proxy-add-on-premises-application#allow-access-to-urls"}, rep.Firewall[0])
	assert.Contains(t, rep.Firewall[1].Account, "Exchange servers' computer accounts")
	assert.Equal(t, "exch01", rep.Firewall[2].Host)
	assert.Equal(t, "no (direct)", rep.Firewall[2].ViaProxy)
}
