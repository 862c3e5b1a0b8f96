//go:build !windows

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

// runPTY runs hybridmgmt with stdout and stderr on a pseudo-terminal of
// cols columns, as an admin's console is, and returns what the terminal
// received and the exit code.
func (w *world) runPTY(cols int, extraEnv map[string]string, args ...string) (string, int) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin("hybridmgmt"), args...)
	env := []string{"TERM=xterm-256color"}
	for k, v := range w.env {
		env = append(env, k+"="+v)
	}
	for k, v := range extraEnv {
		env = append(env, k+"="+v)
	}
	cmd.Env = env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 60, Cols: uint16(cols)})
	require.NoError(w.t, err)
	defer f.Close()
	var out bytes.Buffer
	// Reading ends with EIO once the child has exited and closed the pty.
	_, err = io.Copy(&out, f)
	var pathErr *os.PathError
	if err != nil && !(errors.As(err, &pathErr) && errors.Is(pathErr.Err, syscall.EIO)) {
		w.t.Fatalf("reading the pty: %v", err)
	}
	code := 0
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		require.ErrorAs(w.t, err, &ee)
		code = ee.ExitCode()
	}
	return out.String(), code
}

var escapeRE = regexp.MustCompile("\x1b\\[[0-9;?]*[A-Za-z]")

// screenLines is what the terminal shows: colour and erase sequences
// dropped, and a line rewritten after \r counted as what is left visible.
func screenLines(raw string) []string {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(raw, "\r\n", "\n"), "\n") {
		l = escapeRE.ReplaceAllString(l, "")
		if i := strings.LastIndex(l, "\r"); i >= 0 {
			l = l[i+1:]
		}
		lines = append(lines, l)
	}
	return lines
}

// assertFits checks the contract: on a terminal of cols columns no line is
// wider than cols.
func assertFits(t *testing.T, cols int, raw string, what string) {
	t.Helper()
	for _, l := range screenLines(raw) {
		if strings.HasPrefix(l, "hybridmgmt: ") {
			continue // the error line stays one line: scripts and the module read it
		}
		if twwidth.Width(l) > cols {
			t.Errorf("%s at %d columns: a line of %d columns:\n%s\n--- whole output:\n%s", what, cols, twwidth.Width(l), l, strings.Join(screenLines(raw), "\n"))
			return
		}
	}
}

// Every table fits terminals of 80 and 120 columns: agents, applications,
// the connectivity report and each dry-run plan.
func TestTablesFitTheTerminal(t *testing.T) {
	w := signedIn(t)
	app := labtenant.HybridAppID
	port := w.lab.URL()[strings.LastIndex(w.lab.URL(), ":")+1:]
	endpoints := w.home + "/endpoints.json"
	require.NoError(t, os.WriteFile(endpoints, []byte(fmt.Sprintf(`[
 {"name":"Lab tenant (Graph and sign-in)","host":"127.0.0.1","port":%s,"check":"https","category":"Lab"},
 {"name":"A port nothing listens on, with a long name to wrap","host":"127.0.0.1","port":9,"check":"tcp","category":"Lab"}]`, port)), 0o600))
	commands := map[string][]string{
		"get-hybridagent":       {"get-hybridagent"},
		"get-hybridapplication": {"get-hybridapplication"},
		"update dry run":        {"update-hybridapplication", "--app-id", app, "--target-uri", "https://mail-lb.contoso.com", "--dry-run"},
		"new dry run":           {"new-hybridapplication", "--target-uri", "exch02.contoso.local", "--dry-run"},
		"remove dry run":        {"remove-hybridapplication", "--app-id", app, "--delete-application", "--dry-run"},
		"connectivity":          {"test-hybridconnectivity", "--endpoints-file", endpoints, "--timeout", "5s"},
		"agent report":          {"test-hybridagent", "--timeout", "2s"},
	}
	wants := map[string]string{
		"get-hybridagent": "EXCH-AGENT01", "get-hybridapplication": app, "update dry run": "mail-lb.contoso.com",
		"new dry run": "exch02.contoso.local", "remove dry run": app, "connectivity": "Passed",
		"agent report": "Verdict:",
	}
	for name, args := range commands {
		for _, cols := range []int{80, 120} {
			out, code := w.runPTY(cols, nil, args...)
			assert.Contains(t, []int{0, 5}, code, "%s: %s", name, out)
			assert.Contains(t, strings.ReplaceAll(strings.Join(screenLines(out), ""), " ", ""), wants[name], name)
			assertFits(t, cols, out, name)
			if cols == 80 {
				t.Logf("%s at 80 columns:\n%s", name, strings.Join(screenLines(out), "\n"))
			}
		}
	}

	// -o wide shows every column, still within the width.
	out, _ := w.runPTY(80, nil, "get-hybridagent", "-o", "wide")
	assert.Contains(t, out, "3c5e7a90-1b2d-4f6e-8a0c-2e4f6a8c0d21", "every column, as a list when the table cannot fit")
	assert.Contains(t, out, "EXTERNAL IP")
	assertFits(t, 80, out, "get-hybridagent -o wide")

	// Colour on a terminal, not with NO_COLOR, never in a pipe.
	out, _ = w.runPTY(120, nil, commands["connectivity"]...)
	assert.Contains(t, out, "\x1b[32mPassed\x1b[0m")
	assert.Contains(t, out, "\x1b[31mFailed\x1b[0m")
	out, _ = w.runPTY(120, map[string]string{"NO_COLOR": "1"}, commands["connectivity"]...)
	assert.NotContains(t, out, "\x1b[3")
	r := w.run("", nil, commands["connectivity"]...)
	assert.NotContains(t, r.stdout+r.stderr, "\x1b[")

	// A pipe gets every column in full.
	r = w.run("", nil, "get-hybridapplication")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "https://"+app+".resource.mailboxmigration.his.msappproxy.net:443/")
	assert.Contains(t, r.stdout, "ENABLED")
}

// On a terminal, a throttling wait and a connectivity run say what they
// wait for on stderr; a pipe never sees those lines.
func TestProgressOnTerminalsOnly(t *testing.T) {
	w := signedIn(t)
	w.lab.SetFaults([]labtenant.Fault{{Kind: labtenant.FaultStatus, Status: 429, RetryAfter: "1", Path: connectorGroupsPrefix, Count: 1}})
	out, code := w.runPTY(80, nil, "get-hybridagent")
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "Graph is throttling; retrying in 1 s")

	w.lab.SetFaults([]labtenant.Fault{{Kind: labtenant.FaultStatus, Status: 429, RetryAfter: "1", Path: connectorGroupsPrefix, Count: 1}})
	r := w.run("", nil, "get-hybridagent")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stderr)
}
