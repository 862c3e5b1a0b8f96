package cmdlets

import (
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/httpstub"
)

func widest(s string) (int, string) {
	n, line := 0, ""
	for _, l := range strings.Split(s, "\n") {
		if w := twwidth.Width(l); w > n {
			n, line = w, l
		}
	}
	return n, line
}

// The Graph cmdlets' tables fit a terminal of 80 and of 120 columns; a pipe
// gets every column (the pty tests in pkg/e2e check the real binary).
func TestGraphTablesFitTheTerminal(t *testing.T) {
	cases := map[string]struct {
		args  []string
		stubs func(e *testEnv)
		want  string
	}{
		"agents": {[]string{"get-hybridagent"}, func(e *testEnv) {
			e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
		}, "EXCH-AGENT01.contoso.local"},
		"applications": {[]string{"get-hybridapplication", "--app-id", hybridGUID}, func(e *testEnv) {
			e.stubHybrid("https://exch01.contoso.local/")
		}, hybridGUID},
		"update plan": {[]string{"update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "mail-lb.contoso.com", "--dry-run"}, func(e *testEnv) {
			e.stubHybrid("https://exch01.contoso.local/")
		}, "mail-lb.contoso.com"},
	}
	for name, c := range cases {
		for _, cols := range []int{80, 120} {
			e := newTestEnv(t)
			e.termWidth = cols
			c.stubs(e)
			r := e.run(c.args...)
			require.Equal(t, 0, r.code, "%s: %s", name, r.stderr)
			got, line := widest(r.stdout)
			assert.LessOrEqual(t, got, cols, "%s at %d: %q\n%s", name, cols, line, r.stdout)
			assert.Contains(t, r.stdout, c.want, name)
		}
	}

	e := newTestEnv(t)
	e.termWidth = 80
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	r := e.run("get-hybridagent")
	assert.Contains(t, r.stdout, "(not shown: ID, EXTERNAL IP; -o wide shows every column)")

	e = newTestEnv(t)
	e.stubHybrid("https://exch01.contoso.local/")
	r = e.run("get-hybridapplication", "--app-id", hybridGUID)
	got, _ := widest(r.stdout)
	assert.Greater(t, got, 120, "a pipe gets full values")
	assert.Contains(t, r.stdout, hybridExt)
}
