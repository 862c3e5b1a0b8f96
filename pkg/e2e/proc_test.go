package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// proc is a hybridmgmt run started in the background, for tests that signal
// the process, run several at once, or read its resource usage.
type proc struct {
	t           *testing.T
	cmd         *exec.Cmd
	out, errOut bytes.Buffer
	started     time.Time
	done        chan struct{}
	waitErr     error
	elapsed     time.Duration
}

// start launches hybridmgmt like world.run does, without waiting.
func (w *world) start(stdin string, extraEnv map[string]string, args ...string) *proc {
	w.t.Helper()
	p := &proc{t: w.t, cmd: exec.Command(bin("hybridmgmt"), args...), done: make(chan struct{})}
	env := []string{}
	for k, v := range w.env {
		env = append(env, k+"="+v)
	}
	for k, v := range extraEnv {
		env = append(env, k+"="+v)
	}
	p.cmd.Env = env
	p.cmd.Stdin = strings.NewReader(stdin)
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.errOut
	p.started = time.Now()
	require.NoError(w.t, p.cmd.Start())
	go func() {
		p.waitErr = p.cmd.Wait()
		p.elapsed = time.Since(p.started)
		close(p.done)
	}()
	// Never leave a child behind, whatever the test does.
	w.t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// exited waits up to limit for the process; false means it is still running
// (the caller decides whether that fails the test).
func (p *proc) exited(limit time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(limit):
		return false
	}
}

// wait waits for the process (killing it after 60 s, like world.run) and
// returns its result and state.
func (p *proc) wait() (result, *os.ProcessState) {
	p.t.Helper()
	if !p.exited(60 * time.Second) {
		_ = p.cmd.Process.Kill()
		<-p.done
		p.t.Fatalf("hybridmgmt %v still running after 60 s", p.cmd.Args[1:])
	}
	code := 0
	if p.waitErr != nil {
		ee, ok := p.waitErr.(*exec.ExitError)
		require.True(p.t, ok, "running hybridmgmt: %v", p.waitErr)
		code = ee.ExitCode()
	}
	return result{code: code, stdout: p.out.String(), stderr: p.errOut.String()}, p.cmd.ProcessState
}

// oneLine reports whether stderr is exactly one "hybridmgmt: ..." line.
func oneLine(stderr string) bool {
	return strings.HasPrefix(stderr, "hybridmgmt: ") && strings.Count(stderr, "\n") == 1 && strings.HasSuffix(stderr, "\n")
}

// errorLine returns the error line of stderr that may hold warnings first:
// the last line, which must be the only one starting "hybridmgmt: ".
func errorLine(t *testing.T, stderr string) string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "hybridmgmt: ") || strings.Count(stderr, "hybridmgmt: ") != strings.Count(last, "hybridmgmt: ") {
		t.Errorf("stderr should end with its one error line: %q", stderr)
	}
	return last
}
