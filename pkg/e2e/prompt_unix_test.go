//go:build !windows

package e2e

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

// runAnswering runs hybridmgmt on a pseudo-terminal (stdin, stdout and
// stderr), types answer once the [y/N] prompt shows, and returns what the
// terminal showed and the exit code.
func (w *world) runAnswering(answer string, args ...string) (string, int) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin("hybridmgmt"), args...)
	for k, v := range w.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	f, err := pty.Start(cmd)
	require.NoError(w.t, err)
	defer f.Close()
	var out bytes.Buffer
	buf := make([]byte, 4096)
	answered := false
	for {
		n, err := f.Read(buf)
		out.Write(buf[:n])
		if !answered && strings.Contains(out.String(), "[y/N]: ") {
			_, werr := f.Write([]byte(answer + "\r"))
			require.NoError(w.t, werr)
			answered = true
		}
		if err != nil {
			var pathErr *os.PathError
			if !errors.Is(err, io.EOF) && !(errors.As(err, &pathErr) && errors.Is(pathErr.Err, syscall.EIO)) {
				w.t.Fatalf("reading the pty: %v", err)
			}
			break
		}
	}
	code := 0
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		require.ErrorAs(w.t, err, &ee)
		code = ee.ExitCode()
	}
	return out.String(), code
}

// Issue 9: on a real terminal remove shows what it will do and asks; only
// "y" goes ahead.
func TestRemoveAsksOnATerminal(t *testing.T) {
	w := signedIn(t)
	screen, code := w.runAnswering("n", "remove-hybridapplication", "--app-id", labtenant.HybridAppID)
	assert.Equal(t, 1, code, screen)
	assert.Contains(t, screen, `Unpublish "`+labtenant.HybridAppName+`" (appId `+labtenant.HybridAppID+`)? [y/N]`)
	assert.Contains(t, screen, "internalUrl: "+labtenant.HybridInternalURL+" → (none)")
	assert.Contains(t, screen, "cancelled: nothing was changed")
	for _, r := range w.lab.Requests() {
		assert.Equal(t, "GET", r.Method, "refused: only reads: %s %s", r.Method, r.Path)
	}

	screen, code = w.runAnswering("y", "remove-hybridapplication", "--app-id", labtenant.HybridAppID)
	require.Equal(t, 0, code, screen)
	assert.Contains(t, screen, `unpublished "`+labtenant.HybridAppName+`"`)
	for _, a := range w.lab.Snapshot().Applications {
		if a.AppID == labtenant.HybridAppID {
			assert.Nil(t, a.OnPremisesPublishing, "unpublished")
			assert.Contains(t, a.Tags, "HybridMgmtHybridApplication", "marked, so it can be published again without --force")
		}
	}
	// The recommended move: publish the same GUID again.
	r := w.run("", nil, "new-hybridapplication", "--app-id", labtenant.HybridAppID, "--target-uri", "exch02.contoso.local", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"externalUrl": "`+labtenant.HybridExternalURL+`"`)
	assert.Contains(t, r.stdout, `"internalUrl": "https://exch02.contoso.local/"`)
}
