package e2e

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

// A dead proxy: the command ends within 10 s, exit 6, with one plain line
// that names the proxy and where it is configured, and none of Go's
// internal wording.
func TestDeadProxyIsPlainAndFast(t *testing.T) {
	w := signedIn(t)
	fresh := newWorld(t, labtenant.Settings{})
	for _, c := range []struct {
		w    *world
		args []string
	}{
		{w, []string{"get-hybridapplication", "--proxy", "http://127.0.0.1:9"}},
		{w, []string{"get-hybridagent", "--proxy", "http://127.0.0.1:9", "-o", "json"}},
		// A sign-in that must reach the authority through the dead proxy.
		{fresh, []string{"connect", "--device-code", "--proxy", "http://127.0.0.1:9"}},
		{fresh, []string{"get-hybridapplication", "--username", "admin@contoso.com", "--password-stdin", "--proxy", "http://127.0.0.1:9"}},
	} {
		args := c.args
		p := c.w.start("pw\n", nil, args...)
		r, _ := p.wait()
		assert.Less(t, p.elapsed, 10*time.Second, "%v", args)
		assert.Equal(t, 6, r.code, "%v: %s", args, r.stderr)
		assert.Contains(t, r.stderr, "cannot reach the proxy http://127.0.0.1:9 (connection refused); check --proxy / HTTPS_PROXY", args)
		assert.NotContains(t, r.stderr, "proxyconnect", args)
		assert.NotContains(t, r.stderr, "dial tcp", args)
		// One error line (ROPC adds its deprecation warning before it).
		assert.Equal(t, 1, strings.Count(r.stderr, "hybridmgmt: "), "%v: %q", args, r.stderr)
		assert.True(t, strings.HasSuffix(r.stderr, "check --proxy / HTTPS_PROXY\n"), "%v: %q", args, r.stderr)
		assert.Empty(t, r.stdout)
	}
	assert.LessOrEqual(t, w.lab.CountRequests("/beta/"), 0, "nothing reached Graph")
}

// A host that refuses (no proxy) and a name that does not resolve get the
// same plain style, also exit 6.
func TestRefusedAndUnresolvableGraph(t *testing.T) {
	// A fresh sign-in for each Graph endpoint: saved tokens are never sent
	// to another endpoint than the one they were saved for.
	w := newWorld(t, labtenant.Settings{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	signIn := []string{"get-hybridapplication", "--username", "admin@contoso.com", "--password-stdin"}
	r := w.run(w.creds.AdminPassword+"\n", map[string]string{"HYBRIDMGMT_GRAPH_ENDPOINT": "https://" + addr}, signIn...)
	assert.Equal(t, 6, r.code, r.stderr)
	assert.Contains(t, r.stderr, "hybridmgmt: list App Proxy service principals: cannot reach "+addr+" from this machine (connection refused)\n")

	r = w.run(w.creds.AdminPassword+"\n", map[string]string{"HYBRIDMGMT_GRAPH_ENDPOINT": "https://graph.invalid"}, signIn...)
	assert.Equal(t, 6, r.code, r.stderr)
	assert.Contains(t, r.stderr, "cannot resolve graph.invalid from this machine")
	assert.False(t, strings.Contains(r.stderr, "lookup "), r.stderr)
}
