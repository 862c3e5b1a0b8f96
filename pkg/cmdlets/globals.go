package cmdlets

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/netproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
	"github.com/hybridmgmt/hybridmgmt/pkg/validate"
)

// DefaultClientID is the Microsoft Graph Command Line Tools public client,
// pre-consented in most tenants for delegated Graph access (docs/auth.md).
const DefaultClientID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

// DefaultRetryBudget bounds the total time all retries of one command may
// take; HYBRIDMGMT_RETRY_BUDGET overrides it.
const DefaultRetryBudget = 30 * time.Second

// DefaultRequestTimeout bounds one HTTP attempt (headers and body);
// HYBRIDMGMT_REQUEST_TIMEOUT overrides it.
const DefaultRequestTimeout = appproxy.DefaultRequestTimeout

// GlobalOptions are the raw values of the root's persistent flags.
type GlobalOptions struct {
	Output            string
	TenantID          string
	ClientID          string
	UserPrincipalName string
	Username          string
	PasswordStdin     bool
	ClientSecretStdin bool
	Certificate       string
	DeviceCode        bool
	Cloud             string
	AuthorityHost     string
	GraphEndpoint     string
	Proxy             string
	Verbose           bool
}

// addGlobalFlags adds the flags every command understands.
func addGlobalFlags(cmd *cobra.Command, g *GlobalOptions) {
	fl := cmd.PersistentFlags()
	fl.StringVarP(&g.Output, "output", "o", "table", "output format: table (fitted to the terminal), wide (every column) or json; the test commands also write markdown or html reports")
	fl.StringVar(&g.Cloud, "cloud", "", "Global, USGov, USGovDoD or China (env HYBRIDMGMT_CLOUD)")
	fl.StringVar(&g.Proxy, "proxy", "", "outbound proxy URL for Graph and sign-in (default: HTTPS_PROXY/NO_PROXY, then WinHTTP on Windows)")
	fl.BoolVar(&g.Verbose, "verbose", false, "diagnostics on stderr (secrets and tokens are never shown)")
	annotateValues(fl, "cloud", cloud.Accepted())
}

// addSignInFlags adds the sign-in flags to a command that signs in (as
// kubelogin's authenticationOptions.addFlags): version, disconnect and
// test-hybridconnectivity never show or validate credentials they do not
// use.
func addSignInFlags(cmd *cobra.Command, g *GlobalOptions) {
	fl := cmd.Flags()
	fl.StringVar(&g.TenantID, "tenant-id", "", "tenant id or verified domain (env HYBRIDMGMT_TENANT_ID or AZURE_TENANT_ID; default for user sign-in: the UPN's domain)")
	fl.StringVar(&g.ClientID, "client-id", "", "application (client) id (env AZURE_CLIENT_ID; default: Microsoft Graph Command Line Tools "+DefaultClientID+")")
	fl.StringVar(&g.UserPrincipalName, "user-principal-name", "", "admin UPN for interactive (MFA-capable) sign-in")
	fl.StringVar(&g.Username, "username", "", "admin UPN for username/password sign-in, with --password-stdin")
	fl.BoolVar(&g.PasswordStdin, "password-stdin", false, "read the password for --username from standard input")
	fl.BoolVar(&g.ClientSecretStdin, "client-secret-stdin", false, "read the app's client secret from standard input (or env AZURE_CLIENT_SECRET)")
	fl.StringVar(&g.Certificate, "certificate", "", "app certificate: PEM with key, or PFX whose password comes on stdin (env AZURE_CLIENT_CERTIFICATE_PATH)")
	fl.BoolVar(&g.DeviceCode, "device-code", false, "sign in with a device code instead of a browser")
	fl.StringVar(&g.AuthorityHost, "authority-host", "", "override the sign-in host, scheme://host[:port] (env HYBRIDMGMT_AUTHORITY_HOST)")
	fl.StringVar(&g.GraphEndpoint, "graph-endpoint", "", "override the Graph host, scheme://host[:port]; /beta is appended (env HYBRIDMGMT_GRAPH_ENDPOINT)")
	for _, group := range signInExclusive {
		cmd.MarkFlagsMutuallyExclusive(group...)
	}
}

// signInExclusive are the sign-in modes that exclude each other: one user
// sign-in (--user-principal-name, possibly with --device-code; or
// --username with --password-stdin) or one app-only credential. Declared
// on each command so that cobra's flag groups, resolveSettings' messages
// and the PowerShell module's parameter sets (cmd/genpsmodule derives
// them from these groups) say the same.
var signInExclusive = [][]string{
	{"user-principal-name", "username", "client-secret-stdin", "certificate"},
	{"device-code", "username", "client-secret-stdin", "certificate"},
}

// Settings are the validated, resolved global options.
type Settings struct {
	Output        output.Format
	Cloud         cloud.Cloud
	GraphRoot     string // the cloud's or the override
	GraphBeta     string
	AuthorityHost string
	Proxy         string
	TenantID      string
	ClientID      string
	ClientIDSet   bool
	UPN           string
	UPNDomain     string
	RetryBudget   time.Duration
	// RequestTimeout bounds each attempt of each request.
	RequestTimeout time.Duration
	Verbose        bool
}

// resolveSettings validates every global value and merges the environment,
// so bad input stops here with exit 2, before any request.
func resolveSettings(g *GlobalOptions, getenv func(string) string) (*Settings, error) {
	s := &Settings{Verbose: g.Verbose}
	var err error
	if s.Output, err = output.ParseFormat(g.Output); err != nil {
		if perr := outputHabit(g.Output); perr != nil {
			return nil, perr
		}
		return nil, err
	}
	if s.Cloud, err = cloud.Lookup(pick(g.Cloud, getenv("HYBRIDMGMT_CLOUD"))); err != nil {
		return nil, err
	}
	s.GraphRoot, s.AuthorityHost = s.Cloud.GraphRoot, s.Cloud.AuthorityHost
	if v := pick(g.GraphEndpoint, getenv("HYBRIDMGMT_GRAPH_ENDPOINT")); v != "" {
		if s.GraphRoot, err = validate.EndpointRoot("--graph-endpoint", v); err != nil {
			return nil, err
		}
	}
	s.GraphBeta = s.GraphRoot + "/beta"
	graphOverride := pick(g.GraphEndpoint, getenv("HYBRIDMGMT_GRAPH_ENDPOINT")) != ""
	authorityOverride := pick(g.AuthorityHost, getenv("HYBRIDMGMT_AUTHORITY_HOST")) != ""
	if v := pick(g.AuthorityHost, getenv("HYBRIDMGMT_AUTHORITY_HOST")); v != "" {
		if s.AuthorityHost, err = validate.EndpointRoot("--authority-host", v); err != nil {
			return nil, err
		}
	}
	if err := checkEndpointPairing(s, graphOverride, authorityOverride); err != nil {
		return nil, err
	}
	if g.Proxy != "" {
		if s.Proxy, err = validate.ProxyURL("--proxy", g.Proxy); err != nil {
			return nil, err
		}
	} else if err := netproxy.CheckEnv(getenv); err != nil {
		return nil, err
	}
	// HYBRIDMGMT_TENANT_ID (the lab's env file) wins over the Azure SDKs'
	// AZURE_TENANT_ID, like every HYBRIDMGMT_* override.
	if v := pick(g.TenantID, getenv("HYBRIDMGMT_TENANT_ID"), getenv("AZURE_TENANT_ID")); v != "" {
		if s.TenantID, err = validate.Tenant("--tenant-id", v); err != nil {
			return nil, err
		}
	}
	if v := pick(g.ClientID, getenv("AZURE_CLIENT_ID")); v != "" {
		if s.ClientID, err = validate.GUID("--client-id", v); err != nil {
			return nil, err
		}
		s.ClientIDSet = true
	} else {
		s.ClientID = DefaultClientID
	}
	if g.UserPrincipalName != "" && g.Username != "" {
		return nil, exitcode.Usagef("use either --user-principal-name (interactive) or --username with --password-stdin, not both")
	}
	if g.Username != "" && g.DeviceCode {
		return nil, exitcode.Usagef("use either --device-code or --username with --password-stdin, not both")
	}
	if g.PasswordStdin && g.Username == "" {
		return nil, exitcode.Usagef("--password-stdin needs --username")
	}
	if g.Username != "" && !g.PasswordStdin {
		return nil, exitcode.Usagef("--username needs --password-stdin (passwords are never accepted as arguments)")
	}
	if upn := pick(g.UserPrincipalName, g.Username); upn != "" {
		flag := "--user-principal-name"
		if g.Username != "" {
			flag = "--username"
		}
		if s.UPN, s.UPNDomain, err = validate.UPN(flag, upn); err != nil {
			return nil, err
		}
	}
	userMode := s.UPN != "" || g.DeviceCode
	appMode := g.ClientSecretStdin || g.Certificate != ""
	if userMode && appMode {
		return nil, exitcode.Usagef("user sign-in (--user-principal-name, --username, --device-code) and app-only credentials (--client-secret-stdin, --certificate) exclude each other")
	}
	if g.ClientSecretStdin && g.Certificate != "" {
		return nil, exitcode.Usagef("use either --client-secret-stdin or --certificate, not both")
	}
	s.RetryBudget = DefaultRetryBudget
	if v := getenv("HYBRIDMGMT_RETRY_BUDGET"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > time.Hour {
			return nil, exitcode.Usagef("HYBRIDMGMT_RETRY_BUDGET %q is not a duration between 0 and 1h (e.g. 30s)", v)
		}
		s.RetryBudget = d
	}
	s.RequestTimeout = DefaultRequestTimeout
	if v := getenv("HYBRIDMGMT_REQUEST_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > time.Hour {
			return nil, exitcode.Usagef("HYBRIDMGMT_REQUEST_TIMEOUT %q is not a duration between 0 and 1h (e.g. 60s)", v)
		}
		s.RequestTimeout = d
	}
	return s, nil
}

// checkEndpointPairing refuses to send a Microsoft token to a Graph host
// that is not Microsoft's: a token from a Microsoft authority is good for
// Microsoft Graph, and whoever runs the other host could replay it there.
// A private or test tenant overrides both, and then the pair is the
// admin's choice.
func checkEndpointPairing(s *Settings, graphOverride, authorityOverride bool) error {
	if graphOverride && authorityOverride {
		return nil
	}
	a, aerr := url.Parse(s.AuthorityHost)
	g, gerr := url.Parse(s.GraphRoot)
	if aerr != nil || gerr != nil {
		return nil // validated above; unreachable
	}
	if cloud.IsMicrosoftLoginHost(a.Host) && !cloud.IsMicrosoftGraphHost(g.Host) {
		return exitcode.Usagef("--graph-endpoint %s is not a Microsoft Graph host, but sign-in goes to Microsoft (%s): its tokens are not sent there. For a private or test tenant, set --authority-host too", s.GraphRoot, s.AuthorityHost)
	}
	return nil
}

func pick(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// invalidArgRE matches pflag's "invalid argument" error, which quotes the
// value: a secret typed after a boolean such as --password-stdin=... would
// be echoed.
var invalidArgRE = regexp.MustCompile(`^invalid argument .* for "(-[-a-zA-Z0-9, ]+)" flag`)

// flagError marks cobra's own parse errors (unknown flag, missing value) as
// usage errors, and answers a habitual --password or --client-secret with
// where secrets go instead. No flag value is ever repeated.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if m := invalidArgRE.FindStringSubmatch(msg); m != nil {
		flag := m[1]
		if i := strings.LastIndex(flag, "--"); i >= 0 {
			flag = flag[i:]
		}
		want := ""
		if fl := cmd.Flags().Lookup(strings.TrimPrefix(flag, "--")); fl != nil {
			want = ": expected a " + fl.Value.Type()
			if fl.Value.Type() == "duration" && strings.Contains(msg, "missing unit") {
				// "--timeout 10" is the usual slip: PowerShell's
				// -TimeoutSec habit gives a bare number.
				want = ": durations need a unit, e.g. 10s"
			}
		}
		return exitcode.Usagef("invalid value for %s%s (see '%s --help')", flag, want, strings.TrimSpace(cmd.CommandPath()))
	}
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		switch strings.ToLower(name) {
		case "password", "client-secret", "secret", "pfx-password", "certificate-password", "access-token", "token", "credential":
			return exitcode.Usagef("--%s is not accepted: secrets are read from standard input (--password-stdin, --client-secret-stdin) or AZURE_CLIENT_SECRET, never from arguments", strings.ToLower(name))
		}
	}
	if herr := habitError(cmd, msg); herr != nil {
		return herr
	}
	return exitcode.Usagef("%s (see '%s --help')", msg, strings.TrimSpace(cmd.CommandPath()))
}

// outputHabit answers PowerShell's -Output: pflag reads it as -o with the
// value "utput".
func outputHabit(value string) error {
	if !strings.HasPrefix(strings.ToLower("o"+value), "output") {
		return nil
	}
	return exitcode.Usagef("PowerShell-style parameter -o%s: use --output (or -o) table, wide or json", value)
}

// noArgs rejects positional arguments as a usage error (cobra's own
// validator returns a plain error, which would be exit 1).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		// "-output json": the value after -output is the stray argument.
		if fl := cmd.Flags().Lookup("output"); fl != nil {
			if perr := outputHabit(fl.Value.String()); perr != nil {
				return perr
			}
		}
		// The stray value is not quoted: it may be a secret that followed
		// a boolean flag such as --password-stdin.
		return exitcode.Usagef("%s takes no positional arguments (got %d); values go with flags, e.g. --app-id GUID", cmd.CommandPath(), len(args))
	}
	return nil
}

// required reports the first missing required flag as a usage error.
func required(cmd *cobra.Command, names ...string) error {
	for _, n := range names {
		if !cmd.Flags().Changed(n) {
			return exitcode.Usagef("--%s is required (see '%s --help')", n, cmd.CommandPath())
		}
	}
	return nil
}
