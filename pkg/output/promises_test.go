package output

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Print is the one switch between the two output shapes: JSON never calls
// the table builder, a table never prints JSON.
func TestPrintPicksTheShape(t *testing.T) {
	items := []string{"a"}
	var out bytes.Buffer
	require.NoError(t, Print(&out, JSON, items, func() TableData {
		t.Fatal("JSON output must not build the table")
		return TableData{}
	}))
	assert.Equal(t, "[\n  \"a\"\n]\n", out.String())

	out.Reset()
	require.NoError(t, Print(&out, Table, items, func() TableData { return TableData{Footer: []string{"one a"}} }))
	assert.Equal(t, "one a\n", out.String())
}

// A table without rows prints no header, only its footer lines, every one
// of them (escaped).
func TestWriteTableWithoutRowsIsOnlyTheFooter(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, WriteTable(&out, TableData{Header: []string{"NAME", "STATUS"}, Footer: []string{"first\x1b[2J", "second"}}))
	assert.Equal(t, "first[2J\nsecond\n", out.String())
}

// Strings with no ASCII at all still go through the slow path when they
// hold an invalid byte or a C1 control; the edges of the C1 range (U+0080,
// U+009F) are controls, their neighbours are text.
func TestEscapeTerminalEdges(t *testing.T) {
	for in, want := range map[string]string{
		"\x9b":               "\uFFFD", // a raw CSI byte alone
		"é\xffé":             "é\uFFFDé",
		"\u0080":             "",
		"\u009f":             "",
		"é\u0080\u009fé":     "éé",
		"\u00a0\u00ff\u007e": "\u00a0\u00ff\u007e",
		"\u2028\u2029":       "  ",
	} {
		assert.Equal(t, want, EscapeTerminal(in), "%q", in)
	}
}
