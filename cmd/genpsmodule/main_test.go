package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/auth"
	"github.com/hybridmgmt/hybridmgmt/pkg/cmdlets"
	"github.com/hybridmgmt/hybridmgmt/pkg/connectivity"
)

var moduleDir = filepath.Join("..", "..", "module")

// The committed module must be what the generator writes; regenerate with
// `go run ./cmd/genpsmodule`.
func TestModuleIsCurrent(t *testing.T) {
	files, err := generate(filepath.Join(moduleDir, "src", "Runtime.ps1"))
	require.NoError(t, err)
	again, err := generate(filepath.Join(moduleDir, "src", "Runtime.ps1"))
	require.NoError(t, err)
	assert.Equal(t, files, again, "the generator is not deterministic")
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(moduleDir, name))
		if assert.NoError(t, err, "missing module/%s: run go run ./cmd/genpsmodule", name) {
			assert.True(t, string(got) == want, "module/%s is stale: run go run ./cmd/genpsmodule", name)
		}
	}
}

func testRoot() *cobra.Command { return cmdlets.NewRootCmd(cmdlets.NewFactory("test")) }

// A command or flag the annotations do not cover stops the generator with
// a message that names it (the way a merged new command or flag shows up).
func TestUnannotatedCommandsAndFlagsAreNamed(t *testing.T) {
	root := testRoot()
	newCmd := &cobra.Command{Use: "test-hybridthing", RunE: func(*cobra.Command, []string) error { return nil }}
	newCmd.Flags().Int("max-idle", 0, "fail unless this many agents are active")
	root.AddCommand(newCmd)
	agent, _, err := root.Find([]string{"get-hybridagent"})
	require.NoError(t, err)
	agent.Flags().Int("max-idle", 0, "fail unless this many agents are active")
	root.PersistentFlags().Bool("no-color", false, "plain output")

	_, err = buildModel(root, cmdletNotes, flags, signInSets)
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{
		`command "test-hybridthing" has no cmdlet`,
		"flag --max-idle of get-hybridagent has no annotation",
		"global flag --no-color has no annotation",
	} {
		assert.Contains(t, msg, want)
	}

	// Annotating them is enough: a row and its help text.
	fl := map[string]flagNote{"max-idle": {Param: "MaxIdle"}, "no-color": {Kind: "module"}}
	for k, v := range flags {
		fl[k] = v
	}
	notes := append(append([]cmdletNote(nil), cmdletNotes...), cmdletNote{
		Command: "test-hybridthing", Name: "Test-HybridThing", Globals: networkGlobals,
		Synopsis: "Tests the agents.", Description: "Runs hybridmgmt test-hybridthing.", Examples: []string{"Test-HybridThing"},
	})
	m, err := buildModel(root, notes, fl, signInSets)
	require.NoError(t, err)
	psm1 := renderPSM1(m, "")
	assert.Contains(t, psm1, "function Test-HybridThing {")
	assert.Contains(t, psm1, "get-hybridagent,MaxIdle,--max-idle,int")
	assert.Contains(t, psm1, "test-hybridthing,MaxIdle,--max-idle,int")
}

func TestAnnotationMistakesAreNamed(t *testing.T) {
	notes := append([]cmdletNote(nil), cmdletNotes...)
	notes[0].Positions = []string{"NoSuchParameter"}
	notes[0].Examples = nil
	notes = append(notes, cmdletNote{Command: "no-such-command", Name: "Get-Nothing"})
	_, err := buildModel(testRoot(), notes, flags, signInSets)
	require.Error(t, err)
	for _, want := range []string{"Positions names -NoSuchParameter", "Get-HybridAgent has no Examples", `runs "no-such-command"`} {
		assert.Contains(t, err.Error(), want)
	}
	// A Kind that does not fit its flag, a secret that is no *-stdin flag,
	// a user name without its password.
	fl := map[string]flagNote{}
	for k, v := range flags {
		fl[k] = v
	}
	fl["parallel"] = flagNote{Param: "Parallel", Kind: "switch"}
	fl["device-code"] = flagNote{Param: "DeviceCode", Kind: "secret"}
	fl["password-stdin"] = flagNote{Param: "Password", Kind: "secret"}
	fl["strict"] = flagNote{Param: "Strict", Kind: "telepathy"}
	_, err = buildModel(testRoot(), cmdletNotes, fl, signInSets)
	require.Error(t, err)
	for _, want := range []string{
		"flag --parallel is a int, which Kind switch cannot pass",
		"flag --device-code has Kind secret but is not a *-stdin flag",
		"get-hybridagent: -Credential passes a user name (--username) but no secret row sends its password",
		`flag --strict has Kind "telepathy", which the runtime does not know`,
	} {
		assert.Contains(t, err.Error(), want)
	}

	bad := []view{{TypeName: "X", GoType: views[0].GoType, Columns: []column{{Label: "A", Property: "nope"}}}}
	_, err = renderFormat(bad)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), `shows "nope"`), err.Error())
}

// The sign-in parameter sets choose what PowerShell's binder would
// (resolveSet models about_Parameter_Sets), and PowerShell accepts a pair
// of sign-in parameters exactly when the CLI accepts their flags.
func TestSignInParameterSets(t *testing.T) {
	for bound, want := range map[string]string{
		"":                                    "Default",
		"CertificatePassword":                 "Default",
		"UserPrincipalName":                   "Interactive",
		"DeviceCode":                          "DeviceCode",
		"UserPrincipalName,DeviceCode":        "DeviceCode",
		"Credential":                          "Credential",
		"ClientSecret":                        "ClientSecret",
		"CertificatePath":                     "Certificate",
		"CertificatePath,CertificatePassword": "Certificate",
		"Credential,UserPrincipalName":        "",
		"ClientSecret,CertificatePath":        "",
		"ClientSecret,CertificatePassword":    "",
		"DeviceCode,Credential":               "",
	} {
		var names []string
		if bound != "" {
			names = strings.Split(bound, ",")
		}
		got, err := resolveSet(signInSets, names)
		assert.Equal(t, want, got, "%s: %v", bound, err)
	}

	root := testRoot()
	m, err := buildModel(root, cmdletNotes, flags, signInSets)
	require.NoError(t, err)
	argv := map[string][]string{
		"UserPrincipalName": {"--user-principal-name=a@contoso.com"},
		"DeviceCode":        {"--device-code"},
		"Credential":        {"--username=a@contoso.com", "--password-stdin"},
		"ClientSecret":      {"--client-secret-stdin"},
		"CertificatePath":   {"--certificate=ci.pem"},
	}
	withSets := 0
	for _, c := range m.Cmdlets {
		cmd, _, err := root.Find([]string{c.Command})
		require.NoError(t, err)
		if cmd.Flags().Lookup("user-principal-name") == nil {
			assert.Empty(t, c.DefaultSet, "%s signs in with no sign-in flags", c.Name)
			continue
		}
		withSets++
		assert.Equal(t, "Default", c.DefaultSet, c.Name)
		for a := range argv {
			for b := range argv {
				if a >= b {
					continue
				}
				_, psErr := resolveSet(signInSets, []string{a, b})
				fresh, _, _ := testRoot().Find([]string{c.Command})
				require.NoError(t, fresh.ParseFlags(append(append([]string(nil), argv[a]...), argv[b]...)))
				cliErr := fresh.ValidateFlagGroups()
				assert.Equal(t, cliErr == nil, psErr == nil, "%s -%s -%s: PowerShell %v, CLI %v", c.Name, a, b, psErr, cliErr)
			}
		}
	}
	assert.Equal(t, 7, withSets, "every cmdlet that signs in has the sets")
}

func TestParameterSetMistakesAreNamed(t *testing.T) {
	swap := func(i int, s paramSet) []paramSet {
		out := append([]paramSet(nil), signInSets...)
		out[i] = s
		return out
	}
	for want, sets := range map[string][]paramSet{
		// -Credential may not go with -UserPrincipalName in the CLI.
		"-Credential and -UserPrincipalName share parameter set Interactive, but the CLI refuses": swap(1, paramSet{Name: "Interactive", Mandatory: "UserPrincipalName", Also: []string{"Credential"}}),
		// -UserPrincipalName and -DeviceCode go together in the CLI.
		"-DeviceCode and -UserPrincipalName are in no common parameter set, but the CLI takes": swap(2, paramSet{Name: "DeviceCode", Mandatory: "DeviceCode"}),
		"has 2 default sets":                              swap(3, paramSet{Name: "Credential", Also: []string{"Credential"}}),
		"-ClientSecret excludes other sign-in parameters": swap(4, paramSet{Name: "Nothing", Mandatory: "Force"}),
		"parameter set Certificate cannot be chosen":      append(append([]paramSet(nil), signInSets...), paramSet{Name: "Other", Mandatory: "CertificatePath"}),
		"holds two stdin secrets":                         swap(5, paramSet{Name: "Certificate", Mandatory: "CertificatePath", Also: []string{"CertificatePassword", "ClientSecret"}}),
		"signInSets names -NoSuchThing":                   swap(5, paramSet{Name: "Certificate", Mandatory: "CertificatePath", Also: []string{"CertificatePassword", "NoSuchThing"}}),
	} {
		_, err := buildModel(testRoot(), cmdletNotes, flags, sets)
		if assert.Error(t, err, want) {
			assert.Contains(t, err.Error(), want)
		}
	}
}

// The rendered param() block: one [Parameter()] per set, the default set
// on [CmdletBinding()], common parameters with no set.
func TestParameterSetsAreRendered(t *testing.T) {
	m, err := buildModel(testRoot(), cmdletNotes, flags, signInSets)
	require.NoError(t, err)
	psm1 := renderPSM1(m, "")
	for _, want := range []string{
		"[CmdletBinding(DefaultParameterSetName = 'Default')]\n    [OutputType('HybridManagement.Account')]",
		"        [Parameter(ParameterSetName = 'Interactive', Mandatory = $true, Position = 0)]\n        [Parameter(ParameterSetName = 'DeviceCode', Position = 0)]\n        [string] $UserPrincipalName,",
		"        [Parameter(ParameterSetName = 'Default')]\n        [Parameter(ParameterSetName = 'Certificate')]\n        [System.Security.SecureString] $CertificatePassword,",
		"[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High', DefaultParameterSetName = 'Default')]",
		"\n\n        [string] $TenantId",
	} {
		assert.Contains(t, psm1, want)
	}
	// A cmdlet without sign-in flags has no sets.
	start := strings.Index(psm1, "function Test-HybridConnectivity {")
	require.GreaterOrEqual(t, start, 0)
	end := strings.Index(psm1[start+1:], "\nfunction ")
	require.Greater(t, end, 0)
	assert.NotContains(t, psm1[start:start+1+end], "ParameterSetName")
}

// The cmdlets are the original module's five plus Connect, Disconnect and
// Test-HybridAgent, in the manifest and Export-ModuleMember alike.
func TestCmdletNames(t *testing.T) {
	files, err := generate(filepath.Join(moduleDir, "src", "Runtime.ps1"))
	require.NoError(t, err)
	want := []string{"Connect-HybridManagement", "Disconnect-HybridManagement", "Get-HybridAgent", "Get-HybridApplication",
		"New-HybridApplication", "Remove-HybridApplication", "Test-HybridAgent", "Test-HybridConnectivity", "Update-HybridApplication"}
	var names []string
	for _, n := range cmdletNotes {
		names = append(names, n.Name)
	}
	assert.ElementsMatch(t, want, names)
	for _, name := range want {
		assert.True(t, strings.Contains(files["HybridManagement.psd1"], "'"+name+"'"), "psd1 does not export %s", name)
		assert.True(t, strings.Contains(files["HybridManagement.psm1"], "\n    '"+name+"'"), "Export-ModuleMember lacks %s", name)
	}
}

// The Go type each subcommand prints, to hold the views' GoType (which
// the generator checks every shown property against) to the commands:
// a second statement of a fact neither the tree nor the annotations prove.
var printedTypes = map[string]reflect.Type{
	"get-hybridagent":          reflect.TypeOf(cmdlets.AgentView{}),
	"get-hybridapplication":    reflect.TypeOf(cmdlets.ApplicationView{}),
	"new-hybridapplication":    reflect.TypeOf(cmdlets.ApplicationView{}),
	"update-hybridapplication": reflect.TypeOf(cmdlets.ApplicationView{}),
	"test-hybridconnectivity":  reflect.TypeOf(connectivity.Result{}),
	"test-hybridagent":         reflect.TypeOf(connectivity.Result{}),
	"connect":                  reflect.TypeOf(auth.Account{}),
}

func TestCmdletTypeNamesViewWhatTheCommandsPrint(t *testing.T) {
	for _, n := range cmdletNotes {
		goType, prints := printedTypes[n.Command]
		if !prints {
			assert.Empty(t, n.TypeName, "%s types the output of %s, which prints no objects", n.Name, n.Command)
			continue
		}
		var viewed reflect.Type
		for _, v := range views {
			if v.TypeName == n.TypeName {
				viewed = v.GoType
			}
		}
		assert.Equal(t, goType, viewed, "%s: the view of %q is not of what %s prints", n.Name, n.TypeName, n.Command)
	}
}

// Issue 12's defects 1 and 9, as the generator writes every cmdlet: the
// CLI's failure is written (WriteError, never ThrowTerminatingError) under
// the caller's error preference, after the module's own logic ran under
// 'Stop'; ids and server names bind from the pipeline by value and by
// property name.
func TestCmdletsWriteErrorsAndBindThePipeline(t *testing.T) {
	m, err := buildModel(testRoot(), cmdletNotes, flags, signInSets)
	require.NoError(t, err)
	for _, c := range m.Cmdlets {
		var b strings.Builder
		renderCmdlet(&b, c)
		text := b.String()
		assert.Contains(t, text, "            $ErrorActionPreference = $hybridCall.ErrorAction\n            $hybridError = $hybridCall.Error\n            $hybridCall.Error = $null\n            $PSCmdlet.WriteError($hybridError)\n", c.Name)
		assert.NotContains(t, text, "ThrowTerminatingError", c.Name)
		assert.Regexp(t, `begin \{\n\s+\$hybridCall = Initialize-HybridCmdlet [^\n]*\n\s+\$ErrorActionPreference = 'Stop'`, text, c.Name)
	}
	pipeline := map[string]string{"Get-HybridApplication": "AppId", "Update-HybridApplication": "AppId", "Remove-HybridApplication": "AppId", "Test-HybridConnectivity": "ExchangeServer"}
	for _, c := range m.Cmdlets {
		var b strings.Builder
		renderCmdlet(&b, c)
		param, piped := pipeline[c.Name]
		if !piped {
			assert.NotContains(t, b.String(), "ValueFromPipeline", c.Name)
			continue
		}
		assert.Regexp(t, `ValueFromPipeline = \$true, ValueFromPipelineByPropertyName = \$true\)\]\n(?:\s+\[[^\n]*\]\n)*\s+\[[^\n]+\] \$`+param+`\b`, b.String(), c.Name)
		assert.Contains(t, c.Target, param, "%s: the piped value is the ErrorRecord's TargetObject", c.Name)
	}
}
