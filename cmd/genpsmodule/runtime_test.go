package main

// The hand-written runtime (module/src/Runtime.ps1) against the CLI: what
// the generator cannot make true by construction. It builds argument forms
// the CLI must parse, reads fields of JSON the CLI prints, and holds the
// fixes of issue 12's runtime defects that a reading of its text can hold
// (the grammar-level ones are tools/pscheck rules). PowerShell cannot run
// here, so these read the text.

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/cmdlets"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
)

func readText(t *testing.T, path ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(path...))
	require.NoError(t, err)
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

var runtimeFunctionRE = regexp.MustCompile(`(?m)^function ([A-Za-z]+-[A-Za-z]+) \{`)

// runtimeFunctions returns the runtime's text and each function's text.
func runtimeFunctions(t *testing.T) (string, map[string]string) {
	t.Helper()
	src := readText(t, moduleDir, "src", "Runtime.ps1")
	fns := map[string]string{}
	locs := runtimeFunctionRE.FindAllStringSubmatchIndex(src, -1)
	for i, loc := range locs {
		end := len(src)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		fns[src[loc[2]:loc[3]]] = src[loc[0]:end]
	}
	require.NotEmpty(t, fns)
	return src, fns
}

func fn(t *testing.T, fns map[string]string, name string) string {
	t.Helper()
	text, ok := fns[name]
	require.True(t, ok, "Runtime.ps1 has no function %s", name)
	return text
}

// runCLI runs hybridmgmt in process, offline.
func runCLI(args ...string) (int, string) {
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

// The runtime always asks for JSON, reads `version --output json`'s
// [0].version, and builds --flag=value and Ns forms: the CLI parses them,
// and refuses bad values as usage errors (exit 2) before any request.
func TestRuntimeArgumentFormsParse(t *testing.T) {
	src, fns := runtimeFunctions(t)
	assert.Contains(t, fn(t, fns, "ConvertTo-HybridArgumentList"), "@($command, '--output', 'json')")
	assert.Contains(t, fn(t, fns, "Test-HybridMgmtVersion"), "@('version', '--output', 'json')")
	assert.True(t, strings.Contains(src, "$info[0].version"), "the runtime reads [0].version")
	for kind, form := range map[string]string{"string": "$row.Flag + '=' + [string]$value", "seconds": "ToString([System.Globalization.CultureInfo]::InvariantCulture) + 's'"} {
		assert.Contains(t, fn(t, fns, "ConvertTo-HybridArgumentList"), form, kind)
	}

	code, out := runCLI("version", "--output", "json")
	require.Equal(t, exitcode.OK, code)
	var info []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &info))
	require.Len(t, info, 1)
	assert.Equal(t, "9.8.7", info[0]["version"])
	fields := jsonFields(reflect.TypeOf(cmdlets.VersionInfo{}))
	for k := range info[0] {
		assert.True(t, fields[k], "version printed %q, which VersionInfo does not declare", k)
	}
	for _, args := range [][]string{
		{"get-hybridapplication", "--output", "json", "--app-id=not-a-guid"},
		{"update-hybridapplication", "--output", "json", "--app-id=6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7", "--target-uri="},
		{"test-hybridconnectivity", "--output", "json", "--timeout=0s"},
		{"test-hybridconnectivity", "--output", "json", "--parallel=0"},
		{"test-hybridconnectivity", "--output", "json", "--max-duration=90000s"},
		{"get-hybridagent", "--output", "json", "--cloud=Mars"},
	} {
		code, _ := runCLI(args...)
		assert.Equal(t, exitcode.Usage, code, "%v", args)
	}
}

// Format-HybridPlan reads --dry-run's objects: every $step.<field> is a
// field of the plan JSON the write commands print (appproxy.Plan).
func TestRuntimeDryRunFieldsExist(t *testing.T) {
	_, fns := runtimeFunctions(t)
	b, err := json.Marshal(appproxy.Plan{Changes: []appproxy.Change{{Property: "internalUrl"}}})
	require.NoError(t, err)
	var dry map[string]any
	require.NoError(t, json.Unmarshal(b, &dry))
	used := regexp.MustCompile(`\$step\.(\w+)`).FindAllStringSubmatch(fn(t, fns, "Format-HybridPlan"), -1)
	require.NotEmpty(t, used)
	for _, u := range used {
		assert.Contains(t, dry, u[1], "Format-HybridPlan reads $step.%s, not a field of %s", u[1], b)
	}
}

// The runtime finds the JSON error line by its prefix, reads only fields
// of exitcode.Report, gives the hint to RecommendedAction, and never picks
// anything from message text.
func TestRuntimeReadsTheErrorLine(t *testing.T) {
	src, fns := runtimeFunctions(t)
	assert.Contains(t, fn(t, fns, "Invoke-HybridMgmtProcess"), `$line.StartsWith('{"error":')`)
	fields := jsonFields(reflect.TypeOf(exitcode.Report{}))
	record := fn(t, fns, "ConvertTo-HybridErrorRecord")
	used := regexp.MustCompile(`\$Report\.(\w+)`).FindAllStringSubmatch(record, -1)
	if fm := regexp.MustCompile(`foreach \(\$field in @\(([^)]*)\)\)`).FindStringSubmatch(record); assert.NotNil(t, fm) {
		used = append(used, regexp.MustCompile(`'([^']+)'`).FindAllStringSubmatch(fm[1], -1)...)
	}
	require.GreaterOrEqual(t, len(used), 6)
	for _, u := range used {
		if u[1] != "field" {
			assert.True(t, fields[u[1]], "the runtime reads $Report.%s, not a field of exitcode.Report", u[1])
		}
	}
	// The hint (sign-in failures always carry one) is RecommendedAction.
	assert.Contains(t, record, "$hint = [string]$Report.hint")
	assert.Contains(t, record, "$record.ErrorDetails.RecommendedAction = $hint")
	for _, bad := range []string{"-match $script:", "PermissionDeniedPattern", "Message -match", "message -match", "hint -match", "-replace 'AADSTS"} {
		assert.False(t, strings.Contains(src, bad), "the runtime matches error text (%q)", bad)
	}
}

// The runtime defects of issue 12 whose fix shows in Runtime.ps1's text.
// Each subtest names its defect; 1, 2, 7, 9 and 16 are held by the
// generator's own tests and tools/pscheck.
func TestRuntimeDefects(t *testing.T) {
	runtime, fns := runtimeFunctions(t)
	readme := readText(t, "..", "..", "README.md")
	psdoc := readText(t, "..", "..", "docs", "powershell.md")
	before := func(t *testing.T, text, first, second string) {
		t.Helper()
		i, j := strings.Index(text, first), strings.Index(text, second)
		assert.True(t, i >= 0 && j >= 0 && i < j, "%q must come before %q", first, second)
	}
	t.Run("3 Windows floor at import, stated in README and docs", func(t *testing.T) {
		before(t, runtime, "OSVersion.Version -lt (New-Object System.Version(10, 0))", "function ")
		for what, doc := range map[string]string{"README.md": readme, "docs/powershell.md": psdoc} {
			assert.True(t, strings.Contains(doc, "Windows Server 2016") && strings.Contains(doc, "2012 R2"), "%s does not state the Windows 10 / Server 2016 floor", what)
		}
	})
	t.Run("4 ConstrainedLanguage detected at import", func(t *testing.T) {
		before(t, runtime, "$ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage'", "New-Object")
		assert.True(t, strings.Contains(psdoc, "ConstrainedLanguage"), "docs/powershell.md does not say what to do under ConstrainedLanguage")
	})
	t.Run("5 migration docs give the way to keep stopping on errors", func(t *testing.T) {
		assert.True(t, strings.Contains(psdoc, "$PSDefaultParameterValues['*-Hybrid*:ErrorAction'] = 'Stop'"), "docs/powershell.md lacks the one-line way to keep stopping on errors")
	})
	t.Run("6 a Go crash is never replayed as warnings", func(t *testing.T) {
		text := fn(t, fns, "Invoke-HybridMgmtProcess")
		before(t, text, "$line.StartsWith('panic: ')", "elseif ($line.StartsWith('warning: '))")
		assert.Contains(t, text, "fatal error: ")
		assert.Contains(t, fn(t, fns, "Invoke-HybridCmdlet"), "HybridMgmtCrashed")
	})
	t.Run("8 no console window from hosts without a console", func(t *testing.T) {
		assert.Contains(t, fn(t, fns, "Invoke-HybridMgmtProcess"), "$startInfo.CreateNoWindow = -not (Test-HybridHostConsole)")
	})
	t.Run("9 TargetObject is the id or host, not a sentence", func(t *testing.T) {
		assert.False(t, strings.Contains(runtime, "'hybrid application ' +"), "a sentence is used as TargetObject")
		assert.Contains(t, fn(t, fns, "Invoke-HybridCmdlet"), "-TargetObject $target")
	})
	t.Run("10 HYBRIDMGMT_PATH wins, PATH lookups on Windows take only .exe", func(t *testing.T) {
		text := fn(t, fns, "Resolve-HybridMgmtPath")
		before(t, text, "$env:HYBRIDMGMT_PATH", "'bin'")
		before(t, text, "'bin'", "Get-Command -Name $exeName -CommandType Application")
	})
	t.Run("11 -CertificatePath refuses other providers", func(t *testing.T) {
		assert.Contains(t, fn(t, fns, "ConvertTo-HybridArgumentList"), "$provider.Name -ne 'FileSystem'")
	})
	t.Run("12 common parameters come from the engine", func(t *testing.T) {
		for _, want := range []string{"[System.Management.Automation.Cmdlet]::CommonParameters", "[System.Management.Automation.Cmdlet]::OptionalCommonParameters"} {
			assert.True(t, strings.Contains(runtime, want), "the common parameters do not come from %s", want)
		}
		assert.False(t, strings.Contains(runtime, "'OutBuffer'"), "a hard-coded list of common parameters")
	})
	t.Run("13 proxy userinfo redacted in -Verbose", func(t *testing.T) {
		rm := regexp.MustCompile(`\$argument -replace '([^']+)', '([^']+)'`).FindStringSubmatch(fn(t, fns, "Invoke-HybridCmdlet"))
		require.NotNil(t, rm, "the verbose command line is not redacted")
		// The module's pattern, run here in Go's syntax.
		got := regexp.MustCompile(rm[1]).ReplaceAllString("--proxy=http://user:p%40ss@proxy.contoso.com:8080", strings.ReplaceAll(rm[2], "$", "$$"))
		assert.Equal(t, "--proxy=http://***@proxy.contoso.com:8080", got)
	})
	t.Run("14 secrets as bytes from cleared buffers, no CR or LF", func(t *testing.T) {
		text := fn(t, fns, "Write-HybridStdinSecret")
		for _, want := range []string{"$stream.Write($bytes, 0, $count)", "[System.Array]::Clear($chars", "[System.Array]::Clear($bytes", "ZeroFreeGlobalAllocUnicode"} {
			assert.Contains(t, text, want)
		}
		assert.Contains(t, fn(t, fns, "ConvertTo-HybridArgumentList"), "Test-HybridSecretLineBreak -Secret $secret")
	})
	t.Run("15 progress lines become Write-Progress", func(t *testing.T) {
		text := fn(t, fns, "Invoke-HybridMgmtProcess")
		for _, want := range []string{"$line.StartsWith('progress: ')", "Write-Progress", "HYBRIDMGMT_PROGRESS"} {
			assert.Contains(t, text, want)
		}
	})
}

// The cmdlets the generator calls are the runtime's, and the runtime names
// no cmdlet (those are generated).
func TestRuntimeOffersWhatTheCmdletsCall(t *testing.T) {
	_, fns := runtimeFunctions(t)
	m, err := buildModel(testRoot(), cmdletNotes, flags, signInSets)
	require.NoError(t, err)
	psm1 := renderPSM1(m, "")
	for _, name := range []string{"Initialize-HybridCmdlet", "Add-HybridPipelineInput", "Get-HybridShouldProcessPlan", "Invoke-HybridCmdlet"} {
		assert.Contains(t, psm1, name)
		fn(t, fns, name)
	}
	for _, c := range m.Cmdlets {
		_, defined := fns[c.Name]
		assert.False(t, defined, "Runtime.ps1 defines the generated cmdlet %s", c.Name)
	}
}
