package output

import (
	"bytes"
	"strings"
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

	// Lead lines come first, every one, escaped.
	out.Reset()
	require.NoError(t, WriteTable(&out, TableData{Lead: []string{"verdict\x07", "cause"}, Footer: []string{"end"}}))
	assert.Equal(t, "verdict\ncause\nend\n", out.String())
}

// The firewall section's introduction is printed when there is one, in
// both report formats.
func TestReportFirewallIntro(t *testing.T) {
	r := Report{Title: "t", Firewall: []FirewallRow{{Host: "login.microsoftonline.com", Port: "443"}},
		FirewallIntro: "Open these paths for the agent machines:"}
	var md, h bytes.Buffer
	require.NoError(t, WriteMarkdown(&md, r))
	require.NoError(t, WriteHTML(&h, r))
	assert.Contains(t, md.String(), "## Firewall request\n\nOpen these paths for the agent machines:\n\n| Host |")
	assert.Contains(t, h.String(), "<h2>Firewall request</h2>\n<p>Open these paths for the agent machines:</p>\n<table>")

	r.FirewallIntro = ""
	h.Reset()
	require.NoError(t, WriteHTML(&h, r))
	assert.Contains(t, h.String(), "<h2>Firewall request</h2>\n<table>", "no empty paragraph without an introduction")
}

// In HTML, only a cell with a word longer than 24 bytes may break
// anywhere (class "long"); the status cell is marked as such.
func TestReportHTMLCellClasses(t *testing.T) {
	w24, w25 := strings.Repeat("h", 24), strings.Repeat("h", 25)
	r := Report{Title: "t", Firewall: []FirewallRow{{Host: w24, Port: w25}},
		Columns: []string{"Status", "Target"}, Rows: []ReportRow{{Status: "Failed", Cells: []string{"Failed", "short words only"}}}}
	var h bytes.Buffer
	require.NoError(t, WriteHTML(&h, r))
	assert.Contains(t, h.String(), "<td>"+w24+"</td>")
	assert.Contains(t, h.String(), `<td class="long">`+w25+"</td>")
	assert.Contains(t, h.String(), `<tr class="status-failed"><td class="status">Failed</td><td>short words only</td></tr>`)
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
