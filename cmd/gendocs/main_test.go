package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The committed docs/cli pages must match the commands; regenerate with
// `go run ./cmd/gendocs`.
func TestCLIDocsAreCurrent(t *testing.T) {
	tmp := t.TempDir()
	require.NoError(t, writeMarkdownDocs(tmp))
	generated, err := filepath.Glob(filepath.Join(tmp, "*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, generated)
	committed, _ := filepath.Glob(filepath.Join("..", "..", "docs", "cli", "*.md"))
	assert.Len(t, committed, len(generated), "docs/cli has stale or missing pages: run go run ./cmd/gendocs")
	for _, g := range generated {
		want, _ := os.ReadFile(g)
		got, err := os.ReadFile(filepath.Join("..", "..", "docs", "cli", filepath.Base(g)))
		if assert.NoError(t, err, "missing docs/cli/%s: run go run ./cmd/gendocs", filepath.Base(g)) {
			assert.Equal(t, string(want), string(got), "docs/cli/%s is stale: run go run ./cmd/gendocs", filepath.Base(g))
		}
	}
}
