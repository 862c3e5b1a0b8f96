package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

// TestMain lets the test binary stand in for hybridmgmt: with
// HYBRIDMGMT_TEST_MAIN set it runs main() with the arguments after "--",
// so the tests see exactly what the real entry point prints and exits with.
func TestMain(m *testing.M) {
	if os.Getenv("HYBRIDMGMT_TEST_MAIN") == "1" {
		for i, a := range os.Args {
			if a == "--" {
				os.Args = append([]string{"hybridmgmt"}, os.Args[i+1:]...)
				break
			}
		}
		main()
		return
	}
	os.Exit(m.Run())
}

// hostile is server text a tenant member controls (an app's display name,
// and whatever Graph echoes in an error message): an OSC title change, a
// clear-screen, colour, a C1 CSI, a BEL and a bidi override.
const hostile = "\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m\u009b1m\u202eevil\r\nsecond line"

// TestServerTextIsEscapedOnStderrAndInTables runs the real entry point,
// signed in to the lab tenant, against a Graph that answers with terminal
// escape sequences: in the error line on stderr (escaped once, in main) and
// in a table cell (escaped by pkg/output's table writer) none survives.
func TestServerTextIsEscapedOnStderrAndInTables(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the lab tenant")
	}
	lab, err := labtenant.New(labtenant.Options{Dir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = lab.Close() })

	var answer atomic.Value // "error" or "table"
	graph := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("request-id", "req-1")
		if answer.Load() == "error" {
			w.WriteHeader(http.StatusForbidden)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
				"code": "Authorization_RequestDenied", "message": hostile,
			}})
			return
		}
		const appID = "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7"
		ext := "https://" + appID + ".resource.mailboxmigration.his.msappproxy.net:443/"
		app := map[string]any{"id": "o1", "appId": appID, "displayName": hostile}
		switch {
		case strings.HasSuffix(r.URL.Path, "/servicePrincipals"):
			_ = json.NewEncoder(w).Encode(map[string]any{"value": []any{map[string]any{"id": "s1", "appId": appID, "displayName": hostile}}})
		case strings.Contains(r.URL.Path, "(appId="):
			_ = json.NewEncoder(w).Encode(app)
		default:
			app["onPremisesPublishing"] = map[string]any{"externalUrl": ext, "internalUrl": "https://exch01.contoso.local/" + hostile}
			_ = json.NewEncoder(w).Encode(app)
		}
	}))
	t.Cleanup(graph.Close)

	// Trust both the lab's CA (sign-in) and the stub Graph's certificate.
	labCA, err := os.ReadFile(lab.CAPath())
	require.NoError(t, err)
	roots := filepath.Join(t.TempDir(), "roots.pem")
	require.NoError(t, os.WriteFile(roots, append(labCA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: graph.Certificate().Raw})...), 0o600))

	run := func(args ...string) (code int, stdout, stderr string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
		home := t.TempDir()
		cmd.Env = []string{
			"HYBRIDMGMT_TEST_MAIN=1",
			// Under go test -cover the child would warn on stderr that
			// it has nowhere to write its coverage.
			"GOCOVERDIR=" + t.TempDir(),
			"PATH=" + os.Getenv("PATH"),
			"HOME=" + home,
			"SSL_CERT_FILE=" + roots,
			"HYBRIDMGMT_CACHE_DIR=" + filepath.Join(home, "cache"),
			"HYBRIDMGMT_AUTHORITY_HOST=" + lab.URL(),
			"HYBRIDMGMT_GRAPH_ENDPOINT=" + graph.URL,
			"HYBRIDMGMT_RETRY_BUDGET=1s",
			"AZURE_TENANT_ID=" + labtenant.TenantID,
			"AZURE_CLIENT_ID=" + labtenant.CIClientID,
			"AZURE_CLIENT_SECRET=" + lab.Credentials().ClientSecret,
		}
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			require.NoError(t, err)
		}
		return code, out.String(), errOut.String()
	}
	assertClean := func(what, s string) {
		t.Helper()
		for _, bad := range []string{"\x1b", "\x07", "\u009b", "\u202e", "\r"} {
			assert.NotContains(t, s, bad, "%s contains %q: %q", what, bad, s)
		}
	}

	answer.Store("error")
	code, stdout, stderr := run("get-hybridapplication")
	t.Logf("stderr: %q", stderr)
	assert.Equal(t, 3, code, "a Graph 403 is exit 3; stderr: %q", stderr)
	assert.Empty(t, stdout)
	assertClean("stderr", stderr)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), "one error line: %q", stderr)
	assert.True(t, strings.HasPrefix(stderr, "hybridmgmt: list App Proxy service principals: Graph returned 403 Authorization_RequestDenied: "), "%q", stderr)
	assert.Contains(t, stderr, "]0;pwned", "the text is kept, only the controls go: %q", stderr)

	answer.Store("table")
	code, stdout, stderr = run("get-hybridapplication")
	t.Logf("stdout: %q", stdout)
	assert.Equal(t, 0, code, "stderr: %q", stderr)
	assertClean("stdout", stdout)
	assert.Contains(t, stdout, "]0;pwned")

	// JSON output keeps the server's text exactly, escaped as JSON.
	code, stdout, stderr = run("get-hybridapplication", "-o", "json")
	assert.Equal(t, 0, code, "stderr: %q", stderr)
	assert.NotContains(t, stdout, "\x1b")
	var views []map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &views))
	require.Len(t, views, 1)
	assert.Equal(t, hostile, views[0]["displayName"])
}
