package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServeWritesEnvAndStops(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--dir", filepath.Join(dir, "lab"), "--ready-file", ready, "--quiet",
			"--fault", "status,path=/beta/,count=1,status=429", "--token-lifetime", "90s"}, &stdout, &stderr)
	}()
	require.Eventually(t, func() bool { _, err := os.Stat(ready); return err == nil }, 20*time.Second, 10*time.Millisecond)
	u, err := os.ReadFile(ready)
	require.NoError(t, err)
	base := strings.TrimSpace(string(u))
	assert.True(t, strings.HasPrefix(base, "https://127.0.0.1:"), base)

	envFile, err := os.ReadFile(filepath.Join(dir, "lab", labtenant.FileEnv))
	require.NoError(t, err)
	assert.Contains(t, string(envFile), "export HYBRIDMGMT_AUTHORITY_HOST='"+base+"'")
	secret, err := os.ReadFile(filepath.Join(dir, "lab", labtenant.FileClientSecret))
	require.NoError(t, err)

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	out := stdout.String()
	abs, _ := filepath.Abs(filepath.Join(dir, "lab"))
	for _, want := range []string{
		"export SSL_CERT_FILE='" + filepath.Join(abs, "ca.pem") + "'",
		"export HYBRIDMGMT_AUTHORITY_HOST='" + base + "'",
		"export HYBRIDMGMT_GRAPH_ENDPOINT='" + base + "'",
		"export HYBRIDMGMT_TENANT_ID='" + labtenant.TenantID + "'",
		"export HYBRIDMGMT_CACHE_DIR='" + filepath.Join(abs, "cache") + "'",
		"# CA certificate: " + filepath.Join(abs, "ca.pem"),
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, strings.TrimSpace(string(secret)), "secrets are never printed")
}

func TestUsageErrors(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{nil, {"nope"}, {"serve", "--fault", "bogus"}, {"serve", "extra"}, {"browse"}} {
		assert.Equal(t, 2, run(ctx, args, io.Discard, io.Discard), "%v", args)
	}
	var errOut bytes.Buffer
	assert.Equal(t, 1, run(ctx, []string{"serve", "--dir", t.TempDir(), "--addr", "0.0.0.0:0"}, io.Discard, &errOut))
	assert.Contains(t, errOut.String(), "loopback")
	assert.Equal(t, 1, run(ctx, []string{"browse", "https://login.microsoftonline.com/"}, io.Discard, io.Discard))
}

func TestBrowseCommand(t *testing.T) {
	srv, err := labtenant.New(labtenant.Options{Dir: t.TempDir()})
	require.NoError(t, err)
	defer srv.Close()

	got := make(chan url.Values, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		got <- r.PostForm
	})}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()

	q := url.Values{"client_id": {labtenant.GraphCLIClientID}, "response_type": {"code"},
		"redirect_uri": {"http://" + ln.Addr().String()}, "scope": {"https://graph.microsoft.com/Directory.ReadWrite.All openid"},
		"state": {"s"}, "response_mode": {"form_post"}, "login_hint": {labtenant.ReaderUPN}}
	authURL := srv.Authority("") + "/oauth2/v2.0/authorize?" + q.Encode()
	var errOut bytes.Buffer
	code := run(context.Background(), []string{"browse", "--ca", srv.CAPath(), authURL}, io.Discard, &errOut)
	require.Equal(t, 0, code, errOut.String())
	form := <-got
	assert.Equal(t, "s", form.Get("state"))
	assert.NotEmpty(t, form.Get("code"))
}
