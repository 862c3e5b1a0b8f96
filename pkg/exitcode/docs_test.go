package exitcode_test

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

var docsRowRE = regexp.MustCompile(`(?m)^\|\s*(\d+)\s*\|.*\|\s*([^|]*?)\s*\|\s*$`)

// docs/exit-codes.md's first table gives every exit code of Categories
// the categories Categories gives it (the PowerShell module's table is
// generated from Categories, so the docs are what could drift).
func TestDocsNameTheCategories(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "exit-codes.md"))
	require.NoError(t, err)
	docs := strings.ReplaceAll(string(b), "\r\n", "\n")
	want := map[int][]string{}
	for _, r := range exitcode.Categories {
		want[r.ExitCode] = []string{r.Default}
		if r.Alternative != "" {
			want[r.ExitCode] = append(want[r.ExitCode], r.Alternative)
		}
	}
	seen := map[int]bool{}
	for _, row := range docsRowRE.FindAllStringSubmatch(docs, -1) {
		code, _ := strconv.Atoi(row[1])
		if code == exitcode.OK || seen[code] {
			continue // the first table only
		}
		seen[code] = true
		var cats []string
		for _, c := range strings.Split(row[2], "/") {
			cats = append(cats, strings.TrimSpace(c))
		}
		assert.True(t, reflect.DeepEqual(want[code], cats), "docs: exit code %d is %q, Categories says %v", code, row[2], want[code])
	}
	for code := range want {
		assert.True(t, seen[code], "docs/exit-codes.md has no row for exit code %d", code)
	}
}
