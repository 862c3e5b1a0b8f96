package e2e

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

// Checks that fail for the reason they name (issue 15): each asserts the
// promise itself, not a side effect another safeguard would also produce.

// terminalControls lists every character of s that a terminal acts on or
// that reorders text: C0 controls other than newline, DEL, C1 controls
// (U+0080-U+009F, and raw 0x9b bytes, which decode as U+FFFD and so are
// not kept here), bidi controls and the Unicode line separators.
func terminalControls(s string) []rune {
	var bad []rune
	for _, r := range s {
		switch {
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
			r == 0x200e, r == 0x200f, r == 0x061c, r == 0x2028, r == 0x2029:
			bad = append(bad, r)
		}
	}
	return bad
}

// The lab's HostileText knob puts OSC/BEL/CSI/C1/bidi characters and a
// forged "hybridmgmt:" line into the device-code message and into every
// Graph error message. The prompt, the --verbose lines and the final error
// line show the text (so the test sees it arrived) with none of them.
func TestHostileServerTextNeverReachesTheTerminal(t *testing.T) {
	w := newWorld(t, labtenant.Settings{HostileText: true})
	check := func(what string, r result) {
		t.Helper()
		assert.Contains(t, r.stderr, "lab-hostile", "%s: the hostile text must reach the client, or this proves nothing", what)
		assert.Empty(t, terminalControls(r.stderr), "%s: stderr carries terminal controls: %q", what, r.stderr)
		assert.NotContains(t, r.stderr, "\nhybridmgmt: forged line", "%s: server text forged a line of its own", what)
	}

	r := w.run("", nil, "connect", "--device-code", "--verbose", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "/devicelogin", "the device-code prompt was printed")
	check("device-code prompt", r)

	// One 503 that is retried: its Graph message is in a --verbose line.
	require.NoError(t, w.lab.SetFaults([]labtenant.Fault{{Kind: labtenant.FaultStatus, Status: 503, Count: 1, Path: "/beta/servicePrincipals"}}))
	r = w.run("", nil, "get-hybridapplication", "--verbose", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var retryLine string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "verbose: ") && strings.Contains(l, "retrying") {
			retryLine = l
		}
	}
	require.NotEmpty(t, retryLine, "a --verbose line names the retried failure: %s", r.stderr)
	assert.Contains(t, retryLine, "lab-hostile")
	check("--verbose retry line", r)

	// A 503 storm: the final error line carries the message too.
	require.NoError(t, w.lab.SetFaults([]labtenant.Fault{{Kind: labtenant.FaultStatus, Status: 503, Path: "/beta/servicePrincipals"}}))
	r = w.run("", map[string]string{"HYBRIDMGMT_RETRY_BUDGET": "1s"}, "get-hybridapplication", "--verbose")
	require.Equal(t, 6, r.code, r.stderr)
	check("error line", r)
}

// remove --dry-run, with and without --delete-application, and even with
// --yes, sends only reads: the lab sees no PATCH or DELETE, and the
// application is exactly as it was.
func TestRemoveDryRunAgainstLabOnlyReads(t *testing.T) {
	w := signedIn(t)
	appBefore := func() labtenant.Application {
		for _, a := range w.lab.Snapshot().Applications {
			if a.AppID == labtenant.HybridAppID {
				return a
			}
		}
		t.Fatalf("the lab has no application %s", labtenant.HybridAppID)
		return labtenant.Application{}
	}
	before := appBefore()
	for _, extra := range [][]string{nil, {"--delete-application"}} {
		w.lab.ResetStats()
		args := append([]string{"remove-hybridapplication", "--app-id", labtenant.HybridAppID, "--dry-run", "--yes", "-o", "json"}, extra...)
		r := w.run("", nil, args...)
		require.Equal(t, 0, r.code, "%v: %s", extra, r.stderr)
		assert.Contains(t, r.stdout, `"operation": "unpublish`, "%v", extra)
		reqs := w.lab.Requests()
		require.NotEmpty(t, reqs, "the dry run read the application")
		for _, req := range reqs {
			if req.Family == "graph" {
				assert.Equal(t, "GET", req.Method, "%v: a dry run wrote: %+v", extra, req)
			}
		}
	}
	after := appBefore()
	assert.True(t, reflect.DeepEqual(before, after), "the application changed:\nbefore %+v\nafter  %+v", before, after)
}

// A collection whose nextLink points at itself is refused by the paging
// loop guard on the first repeat. The lab loops only a few times and then
// ends the collection, so without the guard the command would succeed
// (exit 0) instead of running into the 10,000-page cap, which would also
// have been exit 1 and hidden the missing guard.
func TestNextLinkLoopIsCaughtByTheLoopGuard(t *testing.T) {
	w := signedIn(t)
	require.NoError(t, w.lab.SetFaults([]labtenant.Fault{{Kind: labtenant.FaultNextLinkLoop, Path: "/beta/servicePrincipals", Count: 5}}))
	r := w.run("", nil, "get-hybridapplication", "-o", "json")
	assert.Equal(t, 1, r.code, r.stderr)
	assert.Contains(t, r.stderr, "paging link it had already returned")
	assert.Empty(t, r.stdout)
	assert.LessOrEqual(t, w.lab.CountRequests("/beta/servicePrincipals"), 2, "the guard stops at the first repeated link")
}
