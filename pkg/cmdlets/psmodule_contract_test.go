package cmdlets_test

// The PowerShell module (module/HybridManagement.psm1) is a thin wrapper: it
// maps each cmdlet parameter to a flag through one table, always asks for
// -o json, types the objects for the format file's views, and turns exit codes
// into ErrorCategory values. These tests read the module's own files and hold
// them to the CLI: every mapped flag exists on the right subcommand with the
// right kind, every flag has a parameter, every property a view shows is a
// JSON field of the Go type the subcommand prints, and the exit-code table
// matches pkg/exitcode and docs/exit-codes.md.

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/auth"
	"github.com/hybridmgmt/hybridmgmt/pkg/cmdlets"
	"github.com/hybridmgmt/hybridmgmt/pkg/connectivity"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
)

var psmModuleDir = filepath.Join("..", "..", "module")

// What each subcommand prints (its JSON array's element type), and the
// PSTypeName the module gives those objects. Subcommands that print [] or
// are not wrapped with a type name have no entry.
var psmOutputTypes = map[string]struct {
	psType string
	goType reflect.Type
}{
	"get-hybridagent":          {"HybridManagement.Agent", reflect.TypeOf(cmdlets.AgentView{})},
	"get-hybridapplication":    {"HybridManagement.Application", reflect.TypeOf(cmdlets.ApplicationView{})},
	"new-hybridapplication":    {"HybridManagement.Application", reflect.TypeOf(cmdlets.ApplicationView{})},
	"update-hybridapplication": {"HybridManagement.Application", reflect.TypeOf(cmdlets.ApplicationView{})},
	"test-hybridconnectivity":  {"HybridManagement.ConnectivityResult", reflect.TypeOf(connectivity.Result{})},
	"test-hybridagent":         {"HybridManagement.ConnectivityResult", reflect.TypeOf(connectivity.Result{})},
	"connect":                  {"HybridManagement.Account", reflect.TypeOf(auth.Account{})},
}

// The cobra flag type each map-table Kind must have.
var psmKindFlagTypes = map[string][]string{
	"switch":   {"bool"},
	"string":   {"string"},
	"path":     {"string"},
	"string[]": {"stringArray", "stringSlice"},
	"int":      {"int"},
	"seconds":  {"duration"},
	"username": {"string"},
	"secret":   {"bool"},
	"verbose":  {"bool"},
	"whatif":   {"bool"},
	"confirm":  {"bool"},
	"stdin":    nil, // no flag: the value goes to stdin next to another flag
}

// The PowerShell parameter types each Kind accepts (last segment, lower case).
var psmKindPSTypes = map[string][]string{
	"switch":   {"switch", "switchparameter"},
	"string":   {"string"},
	"path":     {"string"},
	"string[]": {"string[]"},
	"int":      {"int", "int32"},
	"seconds":  {"int", "int32"},
	"username": {"pscredential"},
	"secret":   {"pscredential", "securestring"},
	"stdin":    {"securestring"},
}

// Every System.Management.Automation.ErrorCategory name (Windows PowerShell 5.1).
var psmErrorCategories = map[string]bool{
	"NotSpecified": true, "OpenError": true, "CloseError": true, "DeviceError": true, "DeadlockDetected": true,
	"InvalidArgument": true, "InvalidData": true, "InvalidOperation": true, "InvalidResult": true, "InvalidType": true,
	"MetadataError": true, "NotImplemented": true, "NotInstalled": true, "ObjectNotFound": true, "OperationStopped": true,
	"OperationTimeout": true, "SyntaxError": true, "ParserError": true, "PermissionDenied": true, "ResourceBusy": true,
	"ResourceExists": true, "ResourceUnavailable": true, "ReadError": true, "WriteError": true, "FromStdErr": true,
	"SecurityError": true, "ProtocolError": true, "ConnectionError": true, "AuthenticationError": true,
	"LimitsExceeded": true, "QuotaExceeded": true, "NotEnabled": true,
}

type psmMapRow struct {
	Command, Parameter, Flag, Kind string
	Line                           int
}

type psmParam struct{ Name, Type string }

type psmFunction struct {
	Name      string
	Commands  []string          // subcommands passed as -Command '...'
	TypeNames map[string]string // -Command -> -TypeName on the same call
	Params    []psmParam
	Text      string
}

type psmModule struct {
	Source    string
	Rows      []psmMapRow
	Functions map[string]*psmFunction
	Exported  []string
}

func psmReadFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return strings.TrimPrefix(strings.ReplaceAll(string(b), "\r\n", "\n"), "\uFEFF")
}

var (
	psmMapTableRE   = regexp.MustCompile(`(?s)\$script:HybridParameterMap\s*=\s*@'\n(.*?)\n'@\s*\|\s*ConvertFrom-Csv`)
	psmFunctionRE   = regexp.MustCompile(`(?m)^function ([A-Za-z]+-[A-Za-z]+) \{`)
	psmCommandArgRE = regexp.MustCompile(`Invoke-Hybrid(?:Mgmt|Write) -Command '([a-z-]+)'[^\n]*`)
	psmTypeNameRE   = regexp.MustCompile(`-TypeName '([A-Za-z.]+)'`)
	psmParamDeclRE  = regexp.MustCompile(`\[([A-Za-z0-9_.]+(?:\[\])?)\]\s*\$(\w+)`)
	psmExportRE     = regexp.MustCompile(`(?s)Export-ModuleMember -Function @\((.*?)\)`)
	psmQuotedRE     = regexp.MustCompile(`'([^']+)'`)
)

func psmLoadModule(t *testing.T) *psmModule {
	t.Helper()
	src := psmReadFile(t, filepath.Join(psmModuleDir, "HybridManagement.psm1"))
	m := &psmModule{Source: src, Functions: map[string]*psmFunction{}}

	tm := psmMapTableRE.FindStringSubmatchIndex(src)
	if tm == nil {
		t.Fatal("psm1: no $script:HybridParameterMap = @'...'@ | ConvertFrom-Csv table")
	}
	firstLine := strings.Count(src[:tm[2]], "\n") + 1
	lines := strings.Split(src[tm[2]:tm[3]], "\n")
	if lines[0] != "Command,Parameter,Flag,Kind" {
		t.Fatalf("psm1 map table header = %q", lines[0])
	}
	for i, l := range lines[1:] {
		if strings.TrimSpace(l) == "" {
			continue
		}
		c := strings.Split(l, ",")
		if len(c) != 4 {
			t.Fatalf("psm1:%d: map row %q has %d cells", firstLine+1+i, l, len(c))
		}
		m.Rows = append(m.Rows, psmMapRow{c[0], c[1], c[2], c[3], firstLine + 1 + i})
	}

	locs := psmFunctionRE.FindAllStringSubmatchIndex(src, -1)
	for i, loc := range locs {
		end := len(src)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		fn := &psmFunction{Name: src[loc[2]:loc[3]], Text: src[loc[0]:end], TypeNames: map[string]string{}}
		for _, cm := range psmCommandArgRE.FindAllStringSubmatch(fn.Text, -1) {
			fn.Commands = append(fn.Commands, cm[1])
			if tn := psmTypeNameRE.FindStringSubmatch(cm[0]); tn != nil {
				fn.TypeNames[cm[1]] = tn[1]
			}
		}
		fn.Params = psmParamBlock(fn.Text)
		m.Functions[fn.Name] = fn
	}
	em := psmExportRE.FindStringSubmatch(src)
	if em == nil {
		t.Fatal("psm1: no Export-ModuleMember -Function @(...)")
	}
	for _, q := range psmQuotedRE.FindAllStringSubmatch(em[1], -1) {
		m.Exported = append(m.Exported, q[1])
	}
	return m
}

// paramBlock returns the [Type] $Name declarations of a function's param().
func psmParamBlock(fn string) []psmParam {
	i := strings.Index(fn, "param(")
	if i < 0 {
		return nil
	}
	depth, j := 0, i+len("param")
	for ; j < len(fn); j++ {
		if fn[j] == '(' {
			depth++
		} else if fn[j] == ')' {
			depth--
			if depth == 0 {
				break
			}
		}
	}
	var out []psmParam
	for _, d := range psmParamDeclRE.FindAllStringSubmatch(fn[i:j], -1) {
		typ := strings.ToLower(d[1])
		if k := strings.LastIndex(typ, "."); k >= 0 {
			typ = typ[k+1:]
		}
		out = append(out, psmParam{Name: d[2], Type: typ})
	}
	return out
}

func psmNewRoot(t *testing.T) *cobra.Command {
	t.Helper()
	return cmdlets.NewRootCmd(cmdlets.NewFactory("test"))
}

func psmSubcommand(root *cobra.Command, name string) *cobra.Command {
	for _, c := range root.Commands() {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

func psmContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// rowsFor mirrors Get-HybridFlagRow: the subcommand's own rows, else '*'.
func (m *psmModule) rowsFor(command, param string) []psmMapRow {
	var own, global []psmMapRow
	for _, r := range m.Rows {
		if !strings.EqualFold(r.Parameter, param) {
			continue
		}
		switch r.Command {
		case command:
			own = append(own, r)
		case "*":
			global = append(global, r)
		}
	}
	if len(own) > 0 {
		return own
	}
	return global
}

// wrapped returns subcommand -> the exported function that invokes it.
func (m *psmModule) wrapped() map[string]*psmFunction {
	out := map[string]*psmFunction{}
	for _, name := range m.Exported {
		if fn := m.Functions[name]; fn != nil {
			for _, c := range fn.Commands {
				out[c] = fn
			}
		}
	}
	return out
}

func TestPSModuleMapTableFlagsExistWithTheRightKind(t *testing.T) {
	m := psmLoadModule(t)
	root := psmNewRoot(t)
	wrapped := m.wrapped()
	if len(m.Rows) == 0 {
		t.Fatal("empty map table")
	}
	for _, r := range m.Rows {
		want, known := psmKindFlagTypes[r.Kind]
		if !known {
			t.Errorf("psm1:%d: %s,%s: unknown kind %q", r.Line, r.Command, r.Parameter, r.Kind)
			continue
		}
		if want == nil {
			if r.Flag != "" {
				t.Errorf("psm1:%d: %s,%s: kind %s carries no flag, got %q", r.Line, r.Command, r.Parameter, r.Kind, r.Flag)
			}
			continue
		}
		name, ok := strings.CutPrefix(r.Flag, "--")
		if !ok || name == "" {
			t.Errorf("psm1:%d: %s,%s: flag %q is not --kebab-case", r.Line, r.Command, r.Parameter, r.Flag)
			continue
		}
		// Which subcommands must carry the flag: the row's own, or for a
		// global row every subcommand whose cmdlet declares the parameter.
		var subs []string
		if r.Command == "*" {
			// A '*' row is a flag every cmdlet that declares the parameter
			// passes: global, or one of the sign-in flags the commands that
			// sign in share (checked per subcommand below).
			shared := root.PersistentFlags().Lookup(name) != nil
			for _, c := range root.Commands() {
				shared = shared || c.Flags().Lookup(name) != nil
			}
			if !shared {
				t.Errorf("psm1:%d: *,%s maps to --%s, which no hybridmgmt command has", r.Line, r.Parameter, name)
				continue
			}
			for sub, fn := range wrapped {
				for _, p := range fn.Params {
					if strings.EqualFold(p.Name, r.Parameter) {
						subs = append(subs, sub)
					}
				}
			}
		} else {
			subs = []string{r.Command}
		}
		sort.Strings(subs)
		for _, sub := range subs {
			cmd := psmSubcommand(root, sub)
			if cmd == nil {
				t.Errorf("psm1:%d: %s,%s: hybridmgmt has no subcommand %q", r.Line, r.Command, r.Parameter, sub)
				continue
			}
			fl := cmd.Flag(name) // local, persistent or inherited
			if fl == nil {
				t.Errorf("psm1:%d: %s,%s: %s has no flag --%s", r.Line, r.Command, r.Parameter, sub, name)
				continue
			}
			if got := fl.Value.Type(); !psmContains(want, got) {
				t.Errorf("psm1:%d: %s,%s: %s --%s is a %s flag, kind %s needs %v", r.Line, r.Command, r.Parameter, sub, name, got, r.Kind, want)
			}
			if r.Kind == "secret" && !strings.HasSuffix(name, "-stdin") {
				t.Errorf("psm1:%d: %s,%s: secret kind maps to --%s, which is not a *-stdin flag", r.Line, r.Command, r.Parameter, name)
			}
		}
	}
	// A credential is split in two rows: the user name as a value, the
	// password on stdin.
	for _, r := range m.Rows {
		if r.Kind != "username" {
			continue
		}
		paired := false
		for _, s := range m.rowsFor(r.Command, r.Parameter) {
			paired = paired || (s.Kind == "secret" && s.Flag == "--password-stdin")
		}
		if !paired {
			t.Errorf("psm1:%d: %s,%s: a username row needs a --password-stdin secret row for the same parameter", r.Line, r.Command, r.Parameter)
		}
	}
}

func TestPSModuleParametersMatchTheirKind(t *testing.T) {
	m := psmLoadModule(t)
	for _, sub := range psmSortedKeys(m.wrapped()) {
		fn := m.wrapped()[sub]
		for _, p := range fn.Params {
			rows := m.rowsFor(sub, p.Name)
			if len(rows) == 0 {
				t.Errorf("%s -%s: no map row for %s or *", fn.Name, p.Name, sub)
				continue
			}
			for _, r := range rows {
				want := psmKindPSTypes[r.Kind]
				if !psmContains(want, p.Type) {
					t.Errorf("%s -%s is [%s], but row %s,%s has kind %s (needs %v)", fn.Name, p.Name, p.Type, r.Command, r.Parameter, r.Kind, want)
				}
			}
		}
	}
}

// Every flag of every wrapped subcommand has a parameter (or is one the
// module sets itself: --output json always, --help never).
func TestPSModuleEveryFlagHasAParameter(t *testing.T) {
	m := psmLoadModule(t)
	root := psmNewRoot(t)
	wrapped := m.wrapped()
	mapped := func(command, flag string) bool {
		for _, r := range m.Rows {
			if r.Flag == "--"+flag && (r.Command == command || r.Command == "*") {
				return true
			}
		}
		return false
	}
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if f.Name == "output" || f.Name == "help" {
			return
		}
		if !mapped("*", f.Name) {
			t.Errorf("global flag --%s has no '*' row in the psm1 map table", f.Name)
		}
	})
	for _, cmd := range root.Commands() {
		switch cmd.Name() {
		case "help", "completion", "version":
			continue // version is called by the module itself
		}
		fn := wrapped[cmd.Name()]
		if fn == nil {
			t.Errorf("subcommand %s has no exported cmdlet in the psm1", cmd.Name())
			continue
		}
		cmd.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" {
				return
			}
			if !mapped(cmd.Name(), f.Name) {
				t.Errorf("%s --%s has no row in the psm1 map table (cmdlet %s)", cmd.Name(), f.Name, fn.Name)
			}
		})
	}
	if psmSubcommand(root, "version") == nil || root.PersistentFlags().Lookup("output") == nil {
		t.Error("the module relies on `hybridmgmt version` and the global --output flag")
	}
	if !strings.Contains(m.Source, "'--output'") || !strings.Contains(m.Source, "'json'") {
		t.Error("the psm1 must always pass --output json")
	}
}

// The argument forms the module builds (--flag=value, Ns durations) parse,
// and bad values are usage errors (exit 2) before any network call.
func TestPSModuleArgumentFormsParse(t *testing.T) {
	run := func(args ...string) (int, string) {
		f := cmdlets.NewFactory("9.8.7")
		ios, _, out, _ := iostreams.Test()
		f.IO = ios
		f.Getenv = func(string) string { return "" }
		f.System = nil
		root := cmdlets.NewRootCmd(f)
		root.SetArgs(args)
		err := root.ExecuteContext(context.Background())
		return exitcode.Of(err), out.String()
	}
	code, out := run("version", "--output", "json")
	if code != exitcode.OK {
		t.Fatalf("version --output json: exit %d", code)
	}
	var info []map[string]any
	if err := json.Unmarshal([]byte(out), &info); err != nil || len(info) != 1 {
		t.Fatalf("version --output json printed %q (%v); the module reads [0].version", out, err)
	}
	if info[0]["version"] != "9.8.7" {
		t.Errorf("version JSON = %v, want version 9.8.7", info[0])
	}
	fields := psmJSONFields(reflect.TypeOf(cmdlets.VersionInfo{}))
	for k := range info[0] {
		if !fields[k] {
			t.Errorf("version printed field %q that VersionInfo does not declare", k)
		}
	}
	for _, args := range [][]string{
		{"get-hybridapplication", "--output", "json", "--app-id=not-a-guid"},
		{"update-hybridapplication", "--output", "json", "--app-id=6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7", "--target-uri="},
		{"test-hybridconnectivity", "--output", "json", "--timeout=0s"},
		{"test-hybridconnectivity", "--output", "json", "--parallel=0"},
		{"test-hybridconnectivity", "--output", "json", "--max-duration=90000s"},
		{"get-hybridagent", "--output", "json", "--cloud=Mars"},
	} {
		if code, _ := run(args...); code != exitcode.Usage {
			t.Errorf("%v: exit %d, want %d (usage)", args, code, exitcode.Usage)
		}
	}
}

// jsonFields returns the JSON names of a struct's exported fields.
func psmJSONFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			if tag == "-" {
				continue
			}
			if n, _, _ := strings.Cut(tag, ","); n != "" {
				name = n
			}
		}
		out[name] = true
	}
	return out
}

type psmFormatFile struct {
	Views []struct {
		Name     string   `xml:"Name"`
		TypeName []string `xml:"ViewSelectedBy>TypeName"`
		Inner    string   `xml:",innerxml"`
	} `xml:"ViewDefinitions>View"`
}

var (
	psmPropertyNameRE = regexp.MustCompile(`<PropertyName>\s*([^<\s]+)\s*</PropertyName>`)
	psmScriptPropRE   = regexp.MustCompile(`\$_\.(\w+)`)
)

func TestPSModuleFormatViewsShowJSONFields(t *testing.T) {
	m := psmLoadModule(t)
	var ff psmFormatFile
	raw := psmReadFile(t, filepath.Join(psmModuleDir, "HybridManagement.format.ps1xml"))
	if err := xml.Unmarshal([]byte(raw), &ff); err != nil {
		t.Fatalf("format file is not valid XML: %v", err)
	}
	if len(ff.Views) == 0 {
		t.Fatal("format file has no views")
	}
	goTypeOf := map[string]reflect.Type{}
	for _, o := range psmOutputTypes {
		goTypeOf[o.psType] = o.goType
	}
	viewed := map[string]bool{}
	for _, v := range ff.Views {
		for _, tn := range v.TypeName {
			viewed[tn] = true
			gt, ok := goTypeOf[tn]
			if !ok {
				t.Errorf("view %s selects %s, which no subcommand's output type is mapped to", v.Name, tn)
				continue
			}
			fields := psmJSONFields(gt)
			var props []string
			for _, pm := range psmPropertyNameRE.FindAllStringSubmatch(v.Inner, -1) {
				props = append(props, pm[1])
			}
			for _, sm := range psmScriptPropRE.FindAllStringSubmatch(v.Inner, -1) {
				props = append(props, sm[1])
			}
			if len(props) == 0 {
				t.Errorf("view %s shows no properties", v.Name)
			}
			for _, p := range props {
				if !fields[p] {
					t.Errorf("view %s (%s) shows %q, which is not a JSON field of %s (fields: %v)", v.Name, tn, p, gt, psmSortedKeys(fields))
				}
			}
		}
	}
	// Every type the module puts on objects has a view, and it is the type
	// of the subcommand that produces them.
	for _, sub := range psmSortedKeys(m.wrapped()) {
		fn := m.wrapped()[sub]
		tn, typed := fn.TypeNames[sub]
		want, hasOutput := psmOutputTypes[sub]
		switch {
		case typed && !hasOutput:
			t.Errorf("%s types %s output as %s, but the test knows no Go output type for it", fn.Name, sub, tn)
		case hasOutput && !typed:
			t.Errorf("%s does not add a PSTypeName to %s's objects (want %s)", fn.Name, sub, want.psType)
		case typed && tn != want.psType:
			t.Errorf("%s types %s output as %s, want %s", fn.Name, sub, tn, want.psType)
		case typed && !viewed[tn]:
			t.Errorf("%s has no view in the format file", tn)
		}
	}
}

// Format-HybridPlan reads --dry-run's objects: $step.<field> must be a
// field of the plan JSON every write command prints (appproxy.Plan).
func TestPSModuleDryRunFieldsExist(t *testing.T) {
	m := psmLoadModule(t)
	fn := m.Functions["Format-HybridPlan"]
	if fn == nil {
		t.Fatal("psm1 has no Format-HybridPlan")
	}
	b, err := json.Marshal(appproxy.Plan{Changes: []appproxy.Change{{Property: "internalUrl"}}})
	if err != nil {
		t.Fatal(err)
	}
	var dry map[string]any
	if err := json.Unmarshal(b, &dry); err != nil {
		t.Fatal(err)
	}
	for _, sm := range regexp.MustCompile(`\$step\.(\w+)`).FindAllStringSubmatch(fn.Text, -1) {
		if _, ok := dry[sm[1]]; !ok {
			t.Errorf("Format-HybridPlan reads $step.%s, not a field of the plan JSON %s", sm[1], b)
		}
	}
}

var psmDocsRowRE = regexp.MustCompile(`(?m)^\|\s*(\d+)\s*\|.*\|\s*([^|]*?)\s*\|\s*$`)

func TestPSModuleExitCodeCategories(t *testing.T) {
	m := psmLoadModule(t)
	tm := regexp.MustCompile(`(?s)\$script:HybridExitCodeCategory = @\{(.*?)\}`).FindStringSubmatch(m.Source)
	if tm == nil {
		t.Fatal("psm1 has no $script:HybridExitCodeCategory = @{...}")
	}
	psm1 := map[int]string{}
	for _, e := range regexp.MustCompile(`(\d+)\s*=\s*'(\w+)'`).FindAllStringSubmatch(tm[1], -1) {
		n, _ := strconv.Atoi(e[1])
		psm1[n] = e[2]
	}
	pd := regexp.MustCompile(`\$script:HybridPermissionDeniedCategory = '(\w+)'`).FindStringSubmatch(m.Source)
	if pd == nil {
		t.Fatal("psm1 has no $script:HybridPermissionDeniedCategory")
	}
	for code, cat := range psm1 {
		if !psmErrorCategories[cat] {
			t.Errorf("exit code %d maps to %q, not an ErrorCategory", code, cat)
		}
	}
	if !psmErrorCategories[pd[1]] {
		t.Errorf("%q is not an ErrorCategory", pd[1])
	}

	// The constants, by meaning.
	want := map[int]string{
		exitcode.Unexpected:   "NotSpecified",
		exitcode.Usage:        "InvalidArgument",
		exitcode.Auth:         "AuthenticationError",
		exitcode.NotFound:     "ObjectNotFound",
		exitcode.ChecksFailed: "ConnectionError",
		exitcode.Unavailable:  "ResourceUnavailable",
		exitcode.Interrupted:  "OperationStopped",
	}
	if !reflect.DeepEqual(psm1, want) {
		t.Errorf("psm1 exit-code table = %v, want %v (pkg/exitcode)", psm1, want)
	}
	if pd[1] != "PermissionDenied" {
		t.Errorf("exit code %d's alternative category = %q, want PermissionDenied", exitcode.Auth, pd[1])
	}
	// The numbers the psm1 branches on: 0, checks failed (results still
	// printed) and auth (PermissionDenied refinement).
	for _, em := range regexp.MustCompile(`ExitCode -eq (\d+)`).FindAllStringSubmatch(m.Source, -1) {
		n, _ := strconv.Atoi(em[1])
		if n != exitcode.OK && n != exitcode.ChecksFailed && n != exitcode.Auth {
			t.Errorf("psm1 branches on exit code %d, which is neither OK, ChecksFailed nor Auth", n)
		}
	}
	if !strings.Contains(m.Source, "ExitCode -eq "+strconv.Itoa(exitcode.ChecksFailed)) {
		t.Errorf("psm1 must emit the results of exit code %d (checks failed) before the error", exitcode.ChecksFailed)
	}

	// docs/exit-codes.md: the ErrorCategory column.
	docs := psmReadFile(t, filepath.Join("..", "..", "docs", "exit-codes.md"))
	seen := map[int]bool{}
	for _, row := range psmDocsRowRE.FindAllStringSubmatch(docs, -1) {
		code, _ := strconv.Atoi(row[1])
		seen[code] = true
		cats := strings.Split(row[2], "/")
		for i := range cats {
			cats[i] = strings.TrimSpace(cats[i])
		}
		if code == exitcode.OK {
			if row[2] != "" {
				t.Errorf("docs: exit code 0 has category %q", row[2])
			}
			continue
		}
		if cats[0] != psm1[code] {
			t.Errorf("docs: exit code %d is %q, psm1 maps it to %q", code, row[2], psm1[code])
		}
		if code == exitcode.Auth && (len(cats) != 2 || cats[1] != pd[1]) {
			t.Errorf("docs: exit code %d is %q, psm1 maps it to %s / %s", code, row[2], psm1[code], pd[1])
		}
	}
	for code := range want {
		if !seen[code] {
			t.Errorf("docs/exit-codes.md has no row for exit code %d", code)
		}
	}
}

func TestPSModuleExportsAndManifest(t *testing.T) {
	m := psmLoadModule(t)
	psd1 := psmReadFile(t, filepath.Join(psmModuleDir, "HybridManagement.psd1"))
	fm := regexp.MustCompile(`(?s)FunctionsToExport\s*=\s*@\((.*?)\)`).FindStringSubmatch(psd1)
	if fm == nil {
		t.Fatal("psd1 has no FunctionsToExport = @(...)")
	}
	var manifest []string
	for _, q := range psmQuotedRE.FindAllStringSubmatch(fm[1], -1) {
		manifest = append(manifest, q[1])
	}
	exported := append([]string(nil), m.Exported...)
	sort.Strings(manifest)
	sort.Strings(exported)
	if !reflect.DeepEqual(manifest, exported) {
		t.Errorf("FunctionsToExport %v != Export-ModuleMember %v", manifest, exported)
	}
	want := []string{"Connect-HybridManagement", "Disconnect-HybridManagement", "Get-HybridAgent", "Get-HybridApplication",
		"New-HybridApplication", "Remove-HybridApplication", "Test-HybridAgent", "Test-HybridConnectivity", "Update-HybridApplication"}
	if !reflect.DeepEqual(exported, want) {
		t.Errorf("exported cmdlets %v, want exactly %v", exported, want)
	}
	for _, re := range []string{
		`PowerShellVersion\s*=\s*'5\.1'`,
		`CompatiblePSEditions\s*=\s*@\('Desktop', 'Core'\)`,
		`FormatsToProcess\s*=\s*@\('HybridManagement\.format\.ps1xml'\)`,
		`RootModule\s*=\s*'HybridManagement\.psm1'`,
		`ModuleVersion\s*=\s*'\d+\.\d+\.\d+'`,
	} {
		if !regexp.MustCompile(re).MatchString(psd1) {
			t.Errorf("psd1 does not match %s", re)
		}
	}
}

func psmSortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
