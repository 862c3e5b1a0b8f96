package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/cmdlets"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
)

// A panic anywhere in a command is an internal error, exit 1 (not Go's
// exit 2, which means "invalid input" to scripts and the module), and its
// value is redacted.
func TestPanicIsAnInternalErrorExit1(t *testing.T) {
	dir := t.TempDir()
	ios, _, _, _ := iostreams.Test()
	f := cmdlets.NewFactory("1.2.3")
	f.IO = ios
	f.System = nil
	f.Getenv = func(k string) string {
		if k == "HYBRIDMGMT_CACHE_DIR" {
			return dir
		}
		return ""
	}
	f.AppProxy = func() (appproxy.API, error) {
		panic("boom with Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln")
	}
	root := cmdlets.NewRootCmd(f)
	root.SetArgs([]string{"get-hybridagent"})
	var err error
	require.NotPanics(t, func() { err = execute(context.Background(), root) })
	require.Error(t, err)
	assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
	assert.Contains(t, err.Error(), "internal error: boom")
	assert.NotContains(t, err.Error(), "eyJ")
}
