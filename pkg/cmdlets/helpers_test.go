package cmdlets

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/auth"
	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/httpstub"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
)

type fakeTokens struct{ appOnly bool }

func (f fakeTokens) Token(context.Context) (string, error) { return "tok", nil }
func (f fakeTokens) AppOnly() bool                         { return f.appOnly }

// testEnv runs commands in-process against a stub Graph.
type testEnv struct {
	t       *testing.T
	reg     *httpstub.Registry
	env     map[string]string
	appOnly bool
	stdin   string
	// tty pretends stdin and stderr are a terminal (prompts).
	tty bool
	// clients counts AppProxy constructions: hostile input must build none.
	clients int
	// termWidth > 0 makes stdout a terminal of that width.
	termWidth int
}

func newTestEnv(t *testing.T) *testEnv {
	e := &testEnv{t: t, reg: &httpstub.Registry{}, env: map[string]string{
		"HYBRIDMGMT_CACHE_DIR": t.TempDir(),
	}}
	t.Cleanup(func() { e.reg.Verify(t) })
	return e
}

type result struct {
	code   int
	stdout string
	stderr string
}

func (e *testEnv) run(args ...string) result {
	e.t.Helper()
	srv := httpstub.NewTLSServer(e.t, e.reg)
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(e.stdin)
	if e.termWidth > 0 {
		ios.SetStdoutTerminal(e.termWidth, false)
	}
	ios.SetStdinTTY(e.tty)
	ios.SetStderrTTY(e.tty)
	f := NewFactory("1.2.3")
	f.IO = ios
	f.Getenv = func(k string) string { return e.env[k] }
	f.System = nil
	clock := &fakeClock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	f.AppProxy = func() (appproxy.API, error) {
		e.clients++
		s, err := f.Settings()
		if err != nil {
			return nil, err
		}
		gc, _ := cloud.Lookup(s.Cloud.Name)
		return appproxy.New(appproxy.Options{
			BaseURL: srv.URL + "/beta", HTTPClient: srv.Client(),
			Tokens: fakeTokens{appOnly: e.appOnly}, Cloud: gc, RetryBudget: time.Second,
			// A clock that moves only when the client waits: the budget is
			// spent by the waits alone, never by a loaded machine.
			Now:   clock.now,
			Sleep: clock.sleep,
		}), nil
	}
	f.Tokens = func() (auth.TokenSource, error) { return fakeTokens{appOnly: e.appOnly}, nil }
	root := NewRootCmd(f)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	if err != nil && !exitcode.IsReported(err) {
		errOut.WriteString("hybridmgmt: " + err.Error() + "\n")
	}
	return result{code: exitcode.Of(err), stdout: out.String(), stderr: errOut.String()}
}

func contains(haystack string, needles ...string) bool {
	for _, n := range needles {
		if !strings.Contains(haystack, n) {
			return false
		}
	}
	return true
}

// fakeClock is a clock the client's waits advance.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}
