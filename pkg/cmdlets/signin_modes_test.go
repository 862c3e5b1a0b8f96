package cmdlets

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// The sign-in modes, as argv and as the options resolveSettings reads.
var signInModes = []struct {
	flag string // the flag its group names
	args []string
	set  func(*GlobalOptions)
}{
	{"user-principal-name", []string{"--user-principal-name=admin@contoso.com"}, func(g *GlobalOptions) { g.UserPrincipalName = "admin@contoso.com" }},
	{"username", []string{"--username=admin@contoso.com", "--password-stdin"}, func(g *GlobalOptions) { g.Username, g.PasswordStdin = "admin@contoso.com", true }},
	{"device-code", []string{"--device-code"}, func(g *GlobalOptions) { g.DeviceCode = true }},
	{"client-secret-stdin", []string{"--client-secret-stdin"}, func(g *GlobalOptions) { g.ClientSecretStdin = true }},
	{"certificate", []string{"--certificate=ci.pem"}, func(g *GlobalOptions) { g.Certificate = "ci.pem" }},
}

func exclusive(a, b string) bool {
	for _, group := range signInExclusive {
		var hasA, hasB bool
		for _, f := range group {
			hasA, hasB = hasA || f == a, hasB || f == b
		}
		if hasA && hasB {
			return true
		}
	}
	return false
}

// The declared groups (which the PowerShell parameter sets come from) are
// exactly the combinations the CLI refuses: resolveSettings refuses a pair,
// with its own words and exit 2, when and only when the groups say so, and
// cobra's check on every command that signs in agrees.
func TestSignInGroupsAreWhatTheCLIRefuses(t *testing.T) {
	for i, a := range signInModes {
		for _, b := range signInModes[i+1:] {
			want := exclusive(a.flag, b.flag)
			g := &GlobalOptions{Output: "table"}
			a.set(g)
			b.set(g)
			_, err := resolveSettings(g, func(string) string { return "" })
			if want {
				require.Error(t, err, "%s with %s", a.flag, b.flag)
				assert.Equal(t, exitcode.Usage, exitcode.Of(err), "%s with %s: %v", a.flag, b.flag, err)
			} else {
				assert.NoError(t, err, "%s with %s", a.flag, b.flag)
			}
			root := NewRootCmd(NewFactory("test"))
			signing := 0
			for _, c := range root.Commands() {
				if c.Flags().Lookup("user-principal-name") == nil {
					continue
				}
				signing++
				require.NoError(t, c.ParseFlags(append(append([]string(nil), a.args...), b.args...)))
				assert.Equal(t, want, c.ValidateFlagGroups() != nil, "%s: %s with %s", c.Name(), a.flag, b.flag)
			}
			assert.Equal(t, 7, signing, "the commands that sign in")
		}
	}
}

// A group resolveSettings did not word is still a usage error (exit 2),
// never cobra's plain error (exit 1).
func TestUnwordedFlagGroupIsUsage(t *testing.T) {
	f := NewFactory("test")
	f.Getenv = func(string) string { return "" }
	f.System = nil
	root := NewRootCmd(f)
	cmd, _, err := root.Find([]string{"get-hybridagent"})
	require.NoError(t, err)
	cmd.MarkFlagsMutuallyExclusive("tenant-id", "graph-endpoint")
	root.SetArgs([]string{"get-hybridagent", "--tenant-id=contoso.com", "--graph-endpoint=https://graph.microsoft.com"})
	err = root.Execute()
	assert.Equal(t, exitcode.Usage, exitcode.Of(err), "%v", err)
	assert.True(t, errors.Is(err, exitcode.ErrUsage))
}
