package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

var binDir string

// TestMain builds both binaries once for every test in the package.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hybridmgmt-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	build := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "../../cmd/hybridmgmt", "../../cmd/hybridlab")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building binaries:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func bin(name string) string {
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	return filepath.Join(binDir, name)
}

// world is one lab tenant plus the environment that points hybridmgmt at it.
type world struct {
	t     *testing.T
	lab   *labtenant.Server
	creds labtenant.Credentials
	env   map[string]string
	home  string
}

func newWorld(t *testing.T, settings labtenant.Settings) *world {
	t.Helper()
	lab, err := labtenant.New(labtenant.Options{Dir: t.TempDir(), Settings: settings})
	require.NoError(t, err)
	t.Cleanup(func() { _ = lab.Close() })
	home := t.TempDir()
	w := &world{t: t, lab: lab, creds: lab.Credentials(), home: home, env: map[string]string{
		"PATH":                      os.Getenv("PATH"),
		"HOME":                      home,
		"SSL_CERT_FILE":             lab.CAPath(),
		"HYBRIDMGMT_AUTHORITY_HOST": lab.URL(),
		"HYBRIDMGMT_GRAPH_ENDPOINT": lab.URL(),
		"AZURE_TENANT_ID":           labtenant.TenantID,
		"HYBRIDMGMT_CACHE_DIR":      filepath.Join(home, "cache"),
		"HYBRIDMGMT_RETRY_BUDGET":   "3s",
	}}
	return w
}

type result struct {
	code   int
	stdout string
	stderr string
}

// run executes hybridmgmt with args, extra environment and stdin.
func (w *world) run(stdin string, extraEnv map[string]string, args ...string) result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin("hybridmgmt"), args...)
	env := []string{}
	for k, v := range w.env {
		env = append(env, k+"="+v)
	}
	for k, v := range extraEnv {
		env = append(env, k+"="+v)
	}
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		require.True(w.t, ok, "running hybridmgmt: %v", err)
		code = ee.ExitCode()
	}
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// browserEnv makes interactive sign-in use hybridlab as the browser.
func browserEnv() map[string]string {
	return map[string]string{"BROWSER": bin("hybridlab") + " browse"}
}

func (w *world) appEnv() map[string]string {
	return map[string]string{"AZURE_CLIENT_ID": labtenant.CIClientID, "AZURE_CLIENT_SECRET": w.creds.ClientSecret}
}
