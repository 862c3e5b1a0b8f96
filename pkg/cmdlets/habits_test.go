package cmdlets

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/httpstub"
)

// PowerShell habits: single-dash parameters get the exact replacement and
// exit 2 before any request; nothing typed that may be a secret is repeated.
func TestPowerShellStyleParameters(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"update-hybridapplication", "-appId", hybridGUID}, "PowerShell-style parameter -appId: use --app-id"},
		{[]string{"update-hybridapplication", "--app-id", hybridGUID, "-targetUri", "mail-lb.contoso.com"}, "PowerShell-style parameter -targetUri: use --target-uri"},
		{[]string{"test-hybridconnectivity", "-TestO365Endpoints"}, "PowerShell-style parameter -TestO365Endpoints: use --test-o365-endpoints"},
		{[]string{"test-hybridconnectivity", "-ExchangeServer", "exch01"}, "PowerShell-style parameter -ExchangeServer: use --exchange-server"},
		{[]string{"get-hybridagent", "-Credential", "admin@contoso.com"}, "PowerShell-style parameter -Credential: use --username UPN --password-stdin"},
		{[]string{"new-hybridapplication", "--target-uri", "exch02.contoso.local", "-WhatIf"}, "PowerShell-style parameter -WhatIf: use --dry-run"},
		{[]string{"get-hybridagent", "-UserPrincipalName", "admin@contoso.com"}, "PowerShell-style parameter -UserPrincipalName: use --user-principal-name"},
		{[]string{"test-hybridconnectivity", "-TimeoutSec", "10"}, "PowerShell-style parameter -TimeoutSec: use --timeout (with a unit, e.g. 10s)"},
		{[]string{"get-hybridagent", "-pSup3rS3cret"}, "unknown shorthand flag -p (see 'hybridmgmt get-hybridagent --help')"},
		{[]string{"get-hybridagent", "-9Sup3rS3cret"}, "unknown shorthand flag -9 (see 'hybridmgmt get-hybridagent --help')"},
		{[]string{"get-hybridapplication", "--app-idd", hybridGUID}, "unknown flag: --app-idd; did you mean --app-id?"},
		{[]string{"get-hybridagent", "---Sup3rS3cret"}, "bad flag syntax (see 'hybridmgmt get-hybridagent --help')"},
		{[]string{"get-hybridagnet"}, "unknown command for hybridmgmt; did you mean get-hybridagent?"},
		// Sign-in flags belong to the commands that sign in; given first,
		// cobra still finds the command, and the stray value is not quoted.
		{[]string{"--username", "a@contoso.com", "--password-stdin", "Sup3rS3cret", "get-hybridagent"}, "get-hybridagent takes no positional arguments (got 1)"},
		{[]string{"version", "--tenant-id", "contoso.com"}, "unknown flag: --tenant-id"},
		{[]string{"test-hybridconnectivity", "--client-secret-stdin"}, "unknown flag: --client-secret-stdin"},
		{[]string{"test-hybridconnectivity", "--timeout", "10"}, "invalid value for --timeout: durations need a unit, e.g. 10s"},
		{[]string{"get-hybridagent", "-Output", "json"}, "PowerShell-style parameter -Output: use --output"},
		{[]string{"get-hybridagent", "-output", "json"}, "PowerShell-style parameter -output: use --output (or -o) table, wide or json"},
		{[]string{"-Version"}, "PowerShell-style parameter -Version: use --version"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			e := newTestEnv(t)
			e.stdin = "pw"
			r := e.run(c.args...)
			assert.Equal(t, 2, r.code, r.stderr)
			assert.Contains(t, r.stderr, c.want)
			assert.NotContains(t, r.stderr, "Sup3rS3cret")
			assert.Zero(t, e.reg.Count())
		})
	}
}

// The cmdlet names are commands, in any case.
func TestCmdletNamesAreCommands(t *testing.T) {
	for _, args := range [][]string{
		{"Get-HybridAgent"}, {"GET-HYBRIDAGENT"}, {"get-HybridAgent"},
	} {
		e := newTestEnv(t)
		e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, `{"value":[]}`))
		r := e.run(args...)
		require.Equal(t, 0, r.code, "%v: %s", args, r.stderr)
		assert.Contains(t, r.stdout, "no agents found", args)
	}
	root := NewRootCmd(NewFactory("test"))
	for alias, want := range map[string]string{
		"Update-HybridApplication": "update-hybridapplication", "update-HybridApplication": "update-hybridapplication",
		"New-HybridApplication": "new-hybridapplication", "Remove-HybridApplication": "remove-hybridapplication",
		"Get-HybridApplication": "get-hybridapplication", "Test-HybridConnectivity": "test-hybridconnectivity",
		"Connect-HybridManagement": "connect", "connect-hybridmanagement": "connect",
		"Disconnect-HybridManagement": "disconnect",
	} {
		cmd, _, err := root.Find([]string{alias})
		require.NoError(t, err, alias)
		assert.Equal(t, want, cmd.Name(), alias)
	}
}

func TestVersionFlag(t *testing.T) {
	e := newTestEnv(t)
	flag := e.run("--version")
	cmd := e.run("version")
	require.Equal(t, 0, flag.code, flag.stderr)
	assert.Equal(t, cmd.stdout, flag.stdout)
	assert.Contains(t, flag.stdout, "hybridmgmt 1.2.3 (")
	j := e.run("--version", "-o", "json")
	assert.Contains(t, j.stdout, `"version": "1.2.3"`)
}
