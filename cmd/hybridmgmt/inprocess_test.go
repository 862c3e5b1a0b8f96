package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
)

// Main runs in process: the exit code and the one stderr line come from
// the same place as in the binary.
func TestMainInProcess(t *testing.T) {
	t.Setenv("HYBRIDMGMT_CACHE_DIR", t.TempDir())
	cases := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"version"}, 0, version, ""},
		{[]string{"--version"}, 0, version, ""},
		{[]string{"get-hybridapplication", "--app-id", "not-a-guid"}, 2, "", "hybridmgmt: --app-id"},
		{[]string{"no-such-command"}, 2, "", "hybridmgmt: unknown command"},
		{[]string{"remove-hybridapplication", "--app-id", "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7"}, 2, "", "hybridmgmt: remove-hybridapplication changes the tenant: pass --yes"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			code := Main(context.Background(), c.args, ios)
			assert.Equal(t, c.code, code, errOut.String())
			assert.Contains(t, out.String(), c.stdout)
			if c.stderr == "" {
				assert.Empty(t, errOut.String())
			} else {
				assert.True(t, strings.HasPrefix(errOut.String(), c.stderr), errOut.String())
				assert.Equal(t, 1, strings.Count(errOut.String(), "\n"), "one error line")
			}
		})
	}

	// A cancelled context (Ctrl-C) is exit 130 with an "interrupted" line.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ios, _, _, errOut := iostreams.Test()
	t.Setenv("HYBRIDMGMT_GRAPH_ENDPOINT", "https://127.0.0.1:1")
	t.Setenv("HYBRIDMGMT_AUTHORITY_HOST", "https://127.0.0.1:1")
	code := Main(ctx, []string{"get-hybridagent", "--tenant-id", "contoso.com", "--client-id", "0b7e4c1d-9a2f-4e6b-8c3d-5a1f2e9d7c60", "--client-secret-stdin"}, ios)
	assert.Equal(t, 130, code, errOut.String())
	assert.True(t, strings.HasPrefix(errOut.String(), "hybridmgmt: interrupted"), errOut.String())
}
