//go:build !windows

package e2e

import (
	"fmt"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

// stallingListener accepts TCP connections and never answers, so a TLS
// check against it waits for its --timeout.
func stallingListener(t *testing.T) (port int, accepted *atomic.Int32) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	accepted = &atomic.Int32{}
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
			accepted.Add(1)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr).Port, accepted
}

// Ctrl-C during test-hybridconnectivity: exit 130, the table of what
// finished on stdout, and one line on stderr saying how much finished.
func TestInterruptConnectivityRunExits130(t *testing.T) {
	t.Parallel()
	w := newWorld(t, labtenant.Settings{})
	port, accepted := stallingListener(t)
	labPort := w.lab.URL()[strings.LastIndex(w.lab.URL(), ":")+1:]
	file := w.home + "/endpoints.json"
	require.NoError(t, os.WriteFile(file, []byte(fmt.Sprintf(`[
 {"name":"lab","host":"127.0.0.1","port":%s,"check":"https","category":"Lab"},
 {"name":"stalls","host":"127.0.0.1","port":%d,"check":"tls","category":"Lab"}]`, labPort, port)), 0o600))
	p := w.start("", nil, "test-hybridconnectivity", "--endpoints-file", file, "--timeout", "50s")
	deadline := time.Now().Add(20 * time.Second)
	for accepted.Load() == 0 {
		require.True(t, time.Now().Before(deadline), "the stalling check never connected")
		require.False(t, p.exited(20*time.Millisecond), "exited early")
	}
	// Let the lab check finish; it needs only loopback round trips.
	for w.lab.CountRequests("/") == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	r, _ := p.wait()
	assert.Equal(t, 130, r.code, r.stderr)
	assert.Equal(t, "hybridmgmt: interrupted; 7 of 8 checks finished\n", r.stderr)
	assert.Contains(t, r.stdout, "interrupted before this check finished")
	assert.Contains(t, r.stdout, "Passed", "what finished is printed")
}

// A second Ctrl-C ends the process at once, still with 130.
func TestSecondInterruptEndsAtOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, labtenant.Settings{})
	port, accepted := stallingListener(t)
	file := w.home + "/endpoints.json"
	require.NoError(t, os.WriteFile(file, []byte(fmt.Sprintf(`[{"name":"stalls","host":"127.0.0.1","port":%d,"check":"tls","category":"Lab"}]`, port)), 0o600))
	p := w.start("", nil, "test-hybridconnectivity", "--endpoints-file", file, "--timeout", "50s")
	deadline := time.Now().Add(20 * time.Second)
	for accepted.Load() == 0 {
		require.True(t, time.Now().Before(deadline), "the stalling check never connected")
		require.False(t, p.exited(20*time.Millisecond), "exited early")
	}
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	r, _ := p.wait()
	assert.Equal(t, 130, r.code, r.stderr)
}
