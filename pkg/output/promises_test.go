package output

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"

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

// fakeTerminal is stdout as iostreams wraps it on a terminal.
type fakeTerminal struct {
	bytes.Buffer
	width int
	color bool
}

func (f *fakeTerminal) TerminalWidth() int { return f.width }
func (f *fakeTerminal) ColorEnabled() bool { return f.color }

// A terminal gets the table fitted to its width (at least two columns)
// and coloured when it allows colour; -o wide keeps every column; a pipe
// gets the full table; the report formats are refused outside the test
// commands.
func TestPrintFitsTerminals(t *testing.T) {
	assert.Equal(t, Layout{}, LayoutFor(&bytes.Buffer{}, Table))
	assert.Equal(t, Layout{Wide: true}, LayoutFor(&bytes.Buffer{}, Wide))
	assert.Equal(t, Layout{Width: 2, Color: true}, LayoutFor(&fakeTerminal{width: 0, color: true}, Table))
	assert.Equal(t, Layout{Width: 80, Wide: true}, LayoutFor(&fakeTerminal{width: 80}, Wide))

	table := func() TableData {
		return TableData{Columns: []Column{{Header: "NAME"}, {Header: "STATUS", Status: true}, {Header: "TIME", Priority: 1}},
			Rows: [][]string{{"exch01", "Failed", "12"}}}
	}
	term := &fakeTerminal{width: 20, color: true}
	require.NoError(t, Print(term, Table, nil, table))
	assert.Equal(t, ""+
		"┌────────┬────────┐\n"+
		"│  NAME  │ STATUS │\n"+
		"├────────┼────────┤\n"+
		"│ exch01 │ \x1b[31mFailed\x1b[0m │\n"+
		"└────────┴────────┘\n"+
		"(not shown: TIME;\n"+
		"  -o wide shows\n"+
		"  every column)\n", term.String())

	term = &fakeTerminal{width: 26}
	require.NoError(t, Print(term, Wide, nil, table))
	assert.Equal(t, ""+
		"┌────────┬────────┬──────┐\n"+
		"│  NAME  │ STATUS │ TIME │\n"+
		"├────────┼────────┼──────┤\n"+
		"│ exch01 │ Failed │ 12   │\n"+
		"└────────┴────────┴──────┘\n", term.String(), "-o wide keeps every column; no colour unless the terminal allows it")

	for _, f := range []Format{Markdown, HTML} {
		err := Print(&bytes.Buffer{}, f, nil, table)
		assert.Equal(t, exitcode.Usage, exitcode.Of(err), "%s", f)
	}

	assert.Equal(t, []string{"abcdef"}, WrapLines(&bytes.Buffer{}, "abcdef"), "a pipe gets lines as they are")
	assert.Equal(t, []string{"ab", "  cd", "  ef", "x"}, WrapLines(&fakeTerminal{width: 4}, "abcdef", "x"))
}
