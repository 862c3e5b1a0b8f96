package architecture

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestImportRules checks the real import graph (go list -deps, test files
// excluded: tests may use the lab and the stubs).
func TestImportRules(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, Module+"/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	require.NoError(t, err, "go list")
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		deps[f[0]] = f[1:]
	}
	require.Contains(t, deps, Module+"/cmd/hybridmgmt")
	require.Contains(t, deps, Module+"/pkg/appproxy")
	for _, v := range Violations(deps, Rules) {
		t.Error(v)
	}
}

// The rules catch a deliberately bad graph, so a passing TestImportRules
// means something.
func TestViolationsCatchABadGraph(t *testing.T) {
	m := Module + "/"
	bad := map[string][]string{
		m + "pkg/appproxy":     {m + "pkg/cloud", m + "pkg/cmdlets"},
		m + "pkg/connectivity": {m + "pkg/appproxy"},
		m + "pkg/auth":         {m + "pkg/exitcode"},
		m + "cmd/hybridmgmt":   {m + "pkg/cmdlets", m + "pkg/labtenant", "github.com/spf13/cobra/doc"},
		m + "pkg/validate":     {m + "cmd/gendocs"},
	}
	got := Violations(bad, Rules)
	assert.ElementsMatch(t, []string{
		"pkg/appproxy depends on pkg/cmdlets: the Graph client knows nothing of commands",
		"pkg/connectivity depends on pkg/appproxy: probes need no Graph and no commands",
		"cmd/hybridmgmt depends on pkg/labtenant: the release binary links neither the lab nor the docs generator",
		"cmd/hybridmgmt depends on github.com/spf13/cobra/doc: the release binary links neither the lab nor the docs generator",
		"pkg/validate depends on cmd/gendocs: libraries never import commands",
	}, got)
	assert.Empty(t, Violations(map[string][]string{m + "pkg/auth": {m + "pkg/exitcode"}}, Rules))
}
