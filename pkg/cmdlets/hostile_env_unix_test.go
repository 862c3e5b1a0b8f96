//go:build unix

package cmdlets

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/auth"
)

func TestWritableCacheFolderIsRefusedBeforeRequests(t *testing.T) {
	e := newTestEnv(t)
	dir := e.env["HYBRIDMGMT_CACHE_DIR"]
	require.NoError(t, auth.SaveConnection(dir, auth.Connection{TenantID: "evil.example", ClientID: DefaultClientID, Username: "attacker@evil.example", AuthorityHost: "https://login.microsoftonline.com"}))
	require.NoError(t, os.Chmod(dir, 0o777))
	r := e.run("get-hybridagent")
	assert.Equal(t, 2, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "writable by group or others")
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o777), fi.Mode().Perm(), "left as it was")
	assert.Zero(t, e.clients)
}

func TestFIFOInputFilesAreRefusedWithoutBlocking(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "input.pem")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	for name, args := range map[string][]string{
		"endpoints file": {"test-hybridconnectivity", "--endpoints-file", fifo},
		"certificate":    {"get-hybridapplication", "--certificate", fifo, "--client-id", hybridGUID, "--tenant-id", "contoso.com"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			done := make(chan result, 1)
			go func() { done <- e.run(args...) }()
			select {
			case r := <-done:
				assert.Equal(t, 2, r.code, "stderr: %s", r.stderr)
				assert.Contains(t, r.stderr, "not a")
			case <-time.After(5 * time.Second):
				t.Fatal("blocked opening a FIFO")
			}
		})
	}
}
