package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

const connectorGroupsPrefix = "/beta/onPremisesPublishingProfiles"

// A server that sends 200 headers and then nothing: each attempt ends at
// HYBRIDMGMT_REQUEST_TIMEOUT, is retried as a broken connection, and the
// command gives up with exit 6 once the retry budget is spent, long before
// the default 60 s attempt timeout would have fired even once.
func TestStalledResponseHitsRequestTimeout(t *testing.T) {
	t.Parallel() // mostly waiting out timeouts and Retry-After
	w := signedIn(t)
	w.lab.SetFaults([]labtenant.Fault{{Kind: labtenant.FaultStall, Path: connectorGroupsPrefix}})
	p := w.start("", map[string]string{"HYBRIDMGMT_REQUEST_TIMEOUT": "1s", "HYBRIDMGMT_RETRY_BUDGET": "3s"}, "get-hybridagent", "-o", "json")
	r, _ := p.wait()
	assert.Equal(t, 6, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.True(t, oneLine(r.stderr), "one stderr line: %q", r.stderr)
	assert.Contains(t, r.stderr, "list connector groups")
	assert.Contains(t, r.stderr, "within the 1s request timeout")
	assert.Regexp(t, `gave up after [2-9] attempts: the next retry would overrun the 3s retry budget`, r.stderr, "the timed-out attempt was retried")
	assert.Positive(t, w.lab.Faults()[0].Fired)
	// Budget (3 s) plus at most one attempt (1 s) plus process start and
	// the cached sign-in; the default timeout alone would be 60 s.
	assert.Less(t, p.elapsed, 30*time.Second)
	t.Logf("stalled run ended after %s with: %s", p.elapsed.Round(time.Millisecond), strings.TrimSpace(r.stderr))

	w.lab.ResetStats()
	r = w.run("", map[string]string{"HYBRIDMGMT_REQUEST_TIMEOUT": "soon"}, "get-hybridagent")
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Contains(t, r.stderr, "HYBRIDMGMT_REQUEST_TIMEOUT")
	assert.Empty(t, w.lab.Requests(), "a bad setting is caught before any request")
}

// However much the server sends, the response is read through the 16 MiB
// limit: exit 1, one line, and the process's peak memory stays bounded.
func TestOversizedBodyKeepsMemoryBounded(t *testing.T) {
	w := signedIn(t)
	w.lab.SetFaults([]labtenant.Fault{{Kind: labtenant.FaultOversize, Path: "/beta/applications", SizeMB: 512}})
	p := w.start("", nil, "get-hybridapplication", "-o", "json")
	r, ps := p.wait()
	assert.Equal(t, 1, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.True(t, oneLine(r.stderr), "one stderr line: %q", r.stderr)
	assert.Contains(t, r.stderr, "larger than 16 MiB")
	rss, ok := maxRSS(ps)
	if !ok {
		t.Skip("peak memory is measured on Linux only")
	}
	t.Logf("peak RSS of hybridmgmt against a 512 MiB body: %.1f MiB", float64(rss)/(1<<20))
	assert.Less(t, rss, int64(200<<20), "peak memory must stay under 200 MB")
}

// The cached access token has expired and the token endpoint now fails:
// exit 6 for a failing service, exit 3 when the refresh token is refused,
// each with one line on stderr and no Graph call.
func TestTokenEndpointFailsAfterExpiry(t *testing.T) {
	cases := []struct {
		name  string
		fault labtenant.Fault
		want  int
		say   string
	}{
		{"service error", labtenant.Fault{Kind: labtenant.FaultTokenError, Status: 500}, 6, "unavailable"},
		{"refresh token refused", labtenant.Fault{Kind: labtenant.FaultTokenError, AADSTS: 70008}, 3, "AADSTS70008"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Tokens that live 1 minute are already "expired" to MSAL (it
			// refreshes 5 minutes early), so the next command must refresh.
			w := newWorld(t, labtenant.Settings{TokenLifetime: labtenant.Duration(time.Minute)})
			require.Equal(t, 0, w.run("", browserEnv(), "connect", "--user-principal-name", "admin@contoso.com").code)
			w.lab.ResetStats()
			w.lab.SetFaults([]labtenant.Fault{c.fault})
			r := w.run("", nil, "get-hybridagent", "-o", "json")
			assert.Equal(t, c.want, r.code, r.stderr)
			assert.Empty(t, r.stdout)
			assert.True(t, oneLine(r.stderr), "one stderr line: %q", r.stderr)
			assert.Contains(t, r.stderr, c.say)
			assert.NotContains(t, r.stderr, "panic")
			assert.Positive(t, w.lab.CountTokenRequests(), "the expired token was refreshed")
			assert.Zero(t, w.lab.CountRequests("/beta"), "no Graph call without a token")
		})
	}
}

// Eight commands refresh the same cached sign-in at once. The cache's
// cross-process lock and merge-on-write must keep it valid: every run
// succeeds, the file still parses, and the next run is silent.
func TestParallelRunsShareOneTokenCache(t *testing.T) {
	w := newWorld(t, labtenant.Settings{TokenLifetime: labtenant.Duration(time.Minute)})
	require.Equal(t, 0, w.run("", browserEnv(), "connect", "--user-principal-name", "admin@contoso.com").code)
	// The cached token is due for refresh; the refreshed ones last an hour.
	w.lab.SetSettings(labtenant.Settings{})
	w.lab.ResetStats()

	const n = 8
	procs := make([]*proc, n)
	for i := range procs {
		procs[i] = w.start("", nil, "get-hybridagent", "-o", "json")
	}
	var wg sync.WaitGroup
	results := make([]result, n)
	for i, p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if p.exited(60 * time.Second) {
				results[i] = result{code: exitOf(p), stdout: p.out.String(), stderr: p.errOut.String()}
			} else {
				results[i] = result{code: -1, stderr: "still running after 60 s"}
			}
		}()
	}
	wg.Wait()
	for i, r := range results {
		require.Equal(t, 0, r.code, "run %d: %s", i, r.stderr)
		var agents []map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &agents), "run %d", i)
		assert.Len(t, agents, 3, "run %d", i)
	}
	refreshes := w.lab.CountTokenRequests()
	assert.True(t, refreshes >= 1 && refreshes <= n, "%d token requests for %d runs", refreshes, n)
	t.Logf("%d parallel runs made %d token requests", n, refreshes)

	data, err := os.ReadFile(filepath.Join(w.home, "cache", "msal_token_cache.json"))
	if runtime.GOOS == "windows" {
		data, err = nil, nil // DPAPI-encrypted there; the silent run below is the check
	}
	require.NoError(t, err)
	if data != nil {
		var cache map[string]map[string]any
		require.NoError(t, json.Unmarshal(data, &cache), "the token cache is valid JSON after parallel writes")
		assert.Len(t, cache["Account"], 1, "one account, not lost and not duplicated")
		assert.NotEmpty(t, cache["RefreshToken"])
	}

	w.lab.ResetStats()
	r := w.run("", nil, "get-hybridagent", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Zero(t, w.lab.CountTokenRequests(), "a later run is served from the cache")
}

func exitOf(p *proc) int {
	if p.cmd.ProcessState == nil {
		return -1
	}
	return p.cmd.ProcessState.ExitCode()
}

// Ctrl-C while the client waits out a 429 storm under a 60 s budget: the
// process stops at once, prints nothing on stdout and makes no further
// request.
func TestInterruptDuringGraphRetryEndsPromptly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("os.Interrupt cannot be sent to a process on Windows")
	}
	t.Parallel()
	w := signedIn(t)
	w.lab.SetFaults([]labtenant.Fault{{Kind: labtenant.FaultStatus, Status: 429, RetryAfter: "5", Path: connectorGroupsPrefix}})
	const budget = 60 * time.Second
	p := w.start("", map[string]string{"HYBRIDMGMT_RETRY_BUDGET": budget.String()}, "get-hybridagent", "-o", "json")
	deadline := time.Now().Add(20 * time.Second)
	for w.lab.CountRequests(connectorGroupsPrefix) == 0 {
		require.True(t, time.Now().Before(deadline), "the first Graph request never came")
		if p.exited(20 * time.Millisecond) {
			t.Fatalf("exited before the retry: %s", p.errOut.String()) // safe: Wait has returned
		}
	}
	// The client is now waiting 5 s before its retry.
	time.Sleep(100 * time.Millisecond)
	sent := w.lab.CountRequests(connectorGroupsPrefix)
	signalled := time.Now()
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	require.True(t, p.exited(budget/2), "still running %s after Ctrl-C", budget/2)
	r, _ := p.wait()
	t.Logf("exited %s after SIGINT with code %d: %s", time.Since(signalled).Round(time.Millisecond), r.code, strings.TrimSpace(r.stderr))
	assert.Equal(t, 130, r.code, "the shell's convention for Ctrl-C")
	assert.True(t, strings.HasPrefix(r.stderr, "hybridmgmt: interrupted"), r.stderr)
	assert.NotContains(t, r.stderr, "context canceled")
	assert.Empty(t, r.stdout, "nothing is presented as a result")
	assert.True(t, oneLine(r.stderr), "one stderr line: %q", r.stderr)
	assert.Equal(t, sent, w.lab.CountRequests(connectorGroupsPrefix), "no request after Ctrl-C")
}

// A 429 storm that sends Retry-After: the waits honour it, the attempts stop
// when the next wait would overrun HYBRIDMGMT_RETRY_BUDGET, and the error
// carries the request-id of the last attempt. A Retry-After longer than the
// whole budget is not waited for at all.
func TestThrottlingStormWithRetryAfterStopsAtBudget(t *testing.T) {
	t.Parallel() // mostly waiting out timeouts and Retry-After
	w := signedIn(t)
	w.lab.SetFaults([]labtenant.Fault{{Kind: labtenant.FaultStatus, Status: 429, RetryAfter: "1", Path: "/beta/servicePrincipals"}})
	r := w.run("", map[string]string{"HYBRIDMGMT_RETRY_BUDGET": "4s"}, "get-hybridapplication", "--verbose")
	assert.Equal(t, 6, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	attempts := w.lab.CountRequests("/beta/servicePrincipals")
	assert.True(t, attempts >= 2 && attempts <= 5, "%d attempts: 1 s apart within a 4 s budget", attempts)
	assert.Contains(t, r.stderr, "would overrun the 4s retry budget")

	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	final := lines[len(lines)-1]
	require.True(t, strings.HasPrefix(final, "hybridmgmt: "), r.stderr)
	lastID := ""
	for _, l := range lines {
		if _, id, ok := strings.Cut(l, "-> 429 request-id="); ok {
			lastID, _, _ = strings.Cut(id, " ")
		}
	}
	require.NotEmpty(t, lastID, r.stderr)
	assert.Contains(t, final, "[request-id "+lastID+", client-request-id ", "the error names the last attempt's request-id")
	assert.Contains(t, final, "would overrun the 4s retry budget", "the error says why the retries stopped")

	w.lab.ResetStats()
	w.lab.SetFaults([]labtenant.Fault{{Kind: labtenant.FaultStatus, Status: 429, RetryAfter: "120", Path: "/beta/servicePrincipals"}})
	r = w.run("", map[string]string{"HYBRIDMGMT_RETRY_BUDGET": "3s"}, "get-hybridapplication")
	assert.Equal(t, 6, r.code, r.stderr)
	assert.True(t, oneLine(r.stderr), "one stderr line: %q", r.stderr)
	assert.Equal(t, 1, w.lab.CountRequests("/beta/servicePrincipals"), "a Retry-After beyond the budget is not waited for")
	assert.Contains(t, r.stderr, "gave up after 1 attempt: ")
}
