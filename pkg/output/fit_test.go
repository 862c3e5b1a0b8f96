package output

import (
	"bytes"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

// visibleWidths returns each line's width on screen.
func maxLineWidth(s string) (int, string) {
	n, widest := 0, ""
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if w := width(ansiRE.ReplaceAllString(line, "")); w > n {
			n, widest = w, line
		}
	}
	return n, widest
}

func sampleTable() TableData {
	return TableData{
		Columns: []Column{
			{Header: "CATEGORY", Priority: 2},
			{Header: "CHECK"},
			{Header: "TARGET", Priority: 1, URL: true},
			{Header: "STATUS", Status: true},
			{Header: "TIME (ms)", Priority: 3},
			{Header: "DETAIL", Wrap: true, Min: 20},
		},
		Rows: [][]string{
			{"Hybrid Agent", "Entra sign-in (login.microsoftonline.com)", "login.microsoftonline.com:443", "Passed", "123", "TLS 1.3, certificate issued by DigiCert Global G2 TLS RSA SHA256 2020 CA1"},
			{"", "Exchange EWS (exch01.contoso.local)", "exch01.contoso.local:443", "Failed", "10004", "dns: no such host => the name does not resolve from this machine's DNS servers"},
			{"Machine", "TLS 1.2 enabled", "", "Warning", "0", ""},
		},
		Footer: []string{"", "What to do:", "  Failed Exchange / Exchange EWS (exch01.contoso.local): check that this machine's DNS servers resolve internal names, e.g. with nslookup exch01.contoso.local", "1 passed, 1 failed, 1 warning, 0 skipped in 10.0 s"},
	}
}

func TestTableFitsEveryWidth(t *testing.T) {
	for w := 20; w <= 200; w++ {
		for _, wide := range []bool{false, true} {
			var b bytes.Buffer
			require.NoError(t, WriteTableLayout(&b, sampleTable(), Layout{Width: w, Wide: wide, Color: true}))
			got, line := maxLineWidth(b.String())
			assert.LessOrEqual(t, got, w, "width %d wide=%v: %q", w, wide, line)
		}
	}
}

func TestTableFitsRandomTables(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"a", "exch01.contoso.local", "https://6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net:443/", "Default group for Exchange Online", "{\"k\":\"v\",\"x\":[1,2]}", "é漢字", "Passed", "", "x y z"}
	for n := 0; n < 300; n++ {
		cols := 1 + r.IntN(7)
		td := TableData{}
		for c := 0; c < cols; c++ {
			td.Columns = append(td.Columns, Column{Header: strings.Repeat("H", 1+r.IntN(14)), Priority: r.IntN(3), Wrap: r.IntN(2) == 0, URL: r.IntN(2) == 0, Min: r.IntN(30)})
		}
		for row := 0; row < 1+r.IntN(4); row++ {
			var cells []string
			for c := 0; c < cols; c++ {
				cells = append(cells, words[r.IntN(len(words))]+words[r.IntN(len(words))])
			}
			td.Rows = append(td.Rows, cells)
		}
		w := 10 + r.IntN(150)
		var b bytes.Buffer
		require.NoError(t, WriteTableLayout(&b, td, Layout{Width: w, Wide: r.IntN(2) == 0}))
		got, line := maxLineWidth(b.String())
		require.LessOrEqual(t, got, w, "table %d width %d: %q\n%s", n, w, line, b.String())
	}
}

func TestTableLayouts(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteTableLayout(&b, sampleTable(), Layout{}))
	assert.Contains(t, b.String(), "TIME (ms)", "headers are printed as given")
	assert.Contains(t, b.String(), "issued by DigiCert Global G2 TLS RSA SHA256 2020 CA1", "pipes get full values")
	assert.NotContains(t, b.String(), "\x1b[")

	b.Reset()
	require.NoError(t, WriteTableLayout(&b, sampleTable(), Layout{Width: 80}))
	out := b.String()
	assert.NotContains(t, strings.Split(out, "\n")[1], "TIME", "the least important column goes first")
	assert.Contains(t, out, "(not shown: TIME (ms); -o wide shows every column)")
	assert.NotContains(t, out, "\x1b[", "no colour unless asked")

	b.Reset()
	require.NoError(t, WriteTableLayout(&b, sampleTable(), Layout{Width: 120, Color: true}))
	assert.Contains(t, b.String(), "\x1b[31mFailed\x1b[0m")
	assert.Contains(t, b.String(), "\x1b[32mPassed\x1b[0m")
	assert.Contains(t, b.String(), "\x1b[33mWarning\x1b[0m")

	b.Reset()
	require.NoError(t, WriteTableLayout(&b, sampleTable(), Layout{Width: 80, Wide: true}))
	assert.Contains(t, b.String(), "TIME", "wide keeps every column")
	assert.NotContains(t, b.String(), "not shown")

	b.Reset()
	require.NoError(t, WriteTableLayout(&b, sampleTable(), Layout{Width: 40}))
	assert.NotContains(t, b.String(), "│", "too narrow for the table: a list")
	assert.Contains(t, b.String(), "STATUS")
	assert.Contains(t, b.String(), "Failed")
}

// Lead lines (verdicts) stay above the table on a terminal too, as a table
// and as a list.
func TestLeadLinesOnTerminals(t *testing.T) {
	for _, w := range []int{40, 120} {
		td := sampleTable()
		td.Lead = []string{"Verdict: Exchange failed: dns: no such host"}
		var b bytes.Buffer
		require.NoError(t, WriteTableLayout(&b, td, Layout{Width: w}))
		assert.True(t, strings.HasPrefix(b.String(), "Verdict: Exchange failed:"), "width %d:\n%s", w, b.String())
	}
}

func TestWrapAndShorten(t *testing.T) {
	assert.Equal(t, "exch01.contoso.local", shorten("https://exch01.contoso.local/", 20, true))
	assert.Equal(t, "exch01.contos…", shorten("https://exch01.contoso.local/", 14, true))
	assert.Equal(t, "Default gro…", shorten("Default group for Exchange Online", 12, false))
	assert.Equal(t, []string{"a b", "cd"}, wrap("a b cd", 4))
	assert.Equal(t, []string{"https://", "host/x"}, wrap("https://host/x", 8), "cut where it must")
	assert.Equal(t, []string{"see", "https://host/", "path"}, wrap("see https://host/path", 14), "never between the slashes of https://")
	assert.Equal(t, []string{"abcd", "ef"}, wrap("abcdef", 4))
}

func TestParseFormatWide(t *testing.T) {
	f, err := ParseFormat("WIDE")
	require.NoError(t, err)
	assert.Equal(t, Wide, f)
}

// Exact layouts: which columns go, in what order, and the widths chosen.
func TestFitExactLayouts(t *testing.T) {
	td := TableData{Columns: []Column{
		{Header: "A"}, {Header: "B", Priority: 1}, {Header: "C", Priority: 2}, {Header: "D", Priority: 2, Derived: "D is derived"},
	}, Rows: [][]string{{"aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc", "dddddddddd"}}}
	cells := td.Rows
	// Everything fits: natural widths, nothing hidden.
	f := fit(td, cells, Layout{Width: 53})
	assert.False(t, f.list)
	assert.Equal(t, []int{0, 1, 2, 3}, f.cols)
	assert.Equal(t, []int{10, 10, 10, 10}, f.widths)
	assert.Empty(t, f.hidden)
	// One column too many: the rightmost of the least important goes, and
	// a derived column is noted, not listed.
	f = fit(td, cells, Layout{Width: 52})
	assert.Equal(t, []int{0, 1, 2}, f.cols)
	assert.Empty(t, f.hidden)
	assert.Equal(t, []string{"D is derived"}, f.derived)
	f = fit(td, cells, Layout{Width: 39})
	assert.Equal(t, []int{0, 1}, f.cols)
	assert.Equal(t, []string{"C"}, f.hidden)
	f = fit(td, cells, Layout{Width: 26})
	assert.Equal(t, []int{0}, f.cols)
	assert.Equal(t, []string{"C", "B"}, f.hidden)
	assert.Equal(t, []int{10}, f.widths)
	// Not even the priority-0 column at its minimum: a list.
	f = fit(td, cells, Layout{Width: 12})
	assert.True(t, f.list)
	assert.Empty(t, f.hidden)
	assert.Empty(t, f.derived)
	// Wide keeps every column and shrinks them instead.
	f = fit(td, cells, Layout{Width: 53, Wide: true})
	assert.Equal(t, []int{0, 1, 2, 3}, f.cols)
	assert.Equal(t, 53, tableWidth(f.widths))
	assert.Equal(t, 16, tableWidth([]int{2, 2, 2}), "│ xx │ xx │ xx │")
	assert.Equal(t, 12, minWidth(Column{Header: "X"}, 40))
	assert.Equal(t, 5, minWidth(Column{Header: "X"}, 5))
	assert.Equal(t, 9, minWidth(Column{Header: "LONGWORDS X", Min: 4}, 40))
	assert.Equal(t, 2, minWidth(Column{Header: "X", Min: 1}, 40))
}

// Shortening keeps the shortened text at exactly the width it was given.
func TestShortenExact(t *testing.T) {
	assert.Equal(t, "abc", shorten("abc", 3, false))
	assert.Equal(t, "ab…", shorten("abcd", 3, false))
	assert.Equal(t, "…", shorten("abcd", 1, false))
	assert.Equal(t, "host", shorten("https://host/", 4, true))
	assert.Equal(t, "host…", shorten("http://hostname/", 5, true), "the scheme goes first")
	head, rest := cut("ab漢c", 3)
	assert.Equal(t, "ab", head)
	assert.Equal(t, "漢c", rest)
	head, rest = cut("漢", 1)
	assert.Equal(t, "漢", head, "a character wider than the width is taken whole")
	assert.Equal(t, "", rest)
	assert.Equal(t, []string{"  first", "    line", "    second"}, wrapIndent("  first line second", 12), "every line at the continuation width")
	assert.Equal(t, []string{"short"}, wrapIndent("short", 12))
	assert.Equal(t, "\x1b[32mPassed\x1b[0m", colour("Passed"))
	assert.Equal(t, "Skipped", colour("Skipped"))
}

// Hiding goes by priority, not by position: a less important column on
// the left goes before a more important one on its right, and hiding the
// leftmost column is as good as any other before the table turns into a
// list.
func TestFitHidesByPriorityWhereverTheColumnIs(t *testing.T) {
	ten := strings.Repeat("x", 10)
	td := TableData{Columns: []Column{{Header: "X", Priority: 2}, {Header: "Y", Priority: 1}, {Header: "Z"}},
		Rows: [][]string{{ten, ten, ten}}}
	f := fit(td, td.Rows, Layout{Width: 40})
	assert.Equal(t, []int{0, 1, 2}, f.cols, "all three fit at 40: 1 + 3×(10+3)")
	f = fit(td, td.Rows, Layout{Width: 39})
	assert.False(t, f.list)
	assert.Equal(t, []int{1, 2}, f.cols)
	assert.Equal(t, []string{"X"}, f.hidden)
	assert.Equal(t, []int{10, 10}, f.widths)
	f = fit(td, td.Rows, Layout{Width: 26})
	assert.Equal(t, []int{2}, f.cols)
	assert.Equal(t, []string{"X", "Y"}, f.hidden)
}

// Room above the minimums goes first to the columns that would be
// shortened, most important first, one character at a time round the
// columns of a priority (left to right), then to the wrapping columns;
// -o wide wraps every column, so there only priority orders the growth.
func TestFitGrowsColumnsInOrder(t *testing.T) {
	r := strings.Repeat
	td := TableData{Columns: []Column{
		{Header: "A", Min: 5}, {Header: "B", Priority: 1, Min: 5}, {Header: "W", Wrap: true, Min: 5}, {Header: "C", Min: 5},
	}, Rows: [][]string{{r("a", 20), r("b", 20), r("w", 20), r("c", 8)}}}
	const base = 1 + 4*(5+3) // every column at its minimum
	for _, tc := range []struct {
		room int
		wide bool
		want []int
	}{
		{0, false, []int{5, 5, 5, 5}},
		{5, false, []int{8, 5, 5, 7}},    // A and C in turn, A first
		{6, false, []int{8, 5, 5, 8}},    // C is whole
		{10, false, []int{12, 5, 5, 8}},  // then A alone
		{30, false, []int{20, 17, 5, 8}}, // A whole, then B (priority 1)
		{48, false, []int{20, 20, 20, 8}},
		{60, false, []int{20, 20, 20, 8}}, // nothing grows past its natural width
		{10, true, []int{9, 5, 8, 8}},     // wide: A, W and C in turn, B last
		{40, true, []int{20, 12, 20, 8}},
	} {
		f := fit(td, td.Rows, Layout{Width: base + tc.room, Wide: tc.wide})
		require.False(t, f.list)
		assert.Equal(t, tc.want, f.widths, "room %d wide=%v", tc.room, tc.wide)
	}
}

// A table given only Header names its columns from it (camel case split
// and upper-cased), in a pipe and on a terminal alike, and a row shorter
// than the header leaves its last cells empty.
func TestFittedTableFromHeaderAndShortRows(t *testing.T) {
	var b bytes.Buffer
	for _, l := range []Layout{{}, {Width: 40}} {
		b.Reset()
		require.NoError(t, WriteTableLayout(&b, TableData{Header: []string{"displayName", "status"}, Rows: [][]string{{"a", "b"}}}, l))
		assert.Equal(t, ""+
			"┌──────────────┬────────┐\n"+
			"│ DISPLAY NAME │ STATUS │\n"+
			"├──────────────┼────────┤\n"+
			"│ a            │ b      │\n"+
			"└──────────────┴────────┘\n", b.String(), "width %d", l.Width)
	}

	b.Reset()
	require.NoError(t, WriteTableLayout(&b, TableData{Columns: []Column{{Header: "A"}, {Header: "B"}}, Rows: [][]string{{"x", "y"}, {"z"}}}, Layout{Width: 40}))
	assert.Equal(t, ""+
		"┌───┬───┐\n"+
		"│ A │ B │\n"+
		"├───┼───┤\n"+
		"│ x │ y │\n"+
		"│ z │   │\n"+
		"└───┴───┘\n", b.String())
}

// Words end before a space and after '/', ',', ';' and '&' (not inside a
// scheme's "//"); a word that exactly fills the line stays on it.
func TestWrapBoundaries(t *testing.T) {
	assert.Equal(t, []string{"/", "a/", "b/"}, splitWords("/a/b/"))
	assert.Equal(t, []string{"https://h/", "p", " q,", "r;", "s&", "t"}, splitWords("https://h/p q,r;s&t"))
	assert.Equal(t, []string{" a,", " b"}, splitWords(" a, b"), "no empty words")
	assert.Equal(t, []string{"ab cd"}, wrap("ab cd", 5), "exactly the width")
	assert.Equal(t, []string{"ab", "cdef"}, wrap("ab cdef", 4), "a word exactly the width is not cut")
	assert.Equal(t, []string{"ab", "cdef", "g"}, wrap("ab cdefg", 4))
	assert.Equal(t, []string{"abcdef"}, wrapIndent("abcdef", 6), "a line exactly the width is left alone")
	assert.Equal(t, []string{"ab", "  cd", "  ef"}, wrapIndent("abcdef", 4), "two columns left after the indentation")
	assert.Equal(t, []string{"ab", "c"}, wrapIndent("abc", 2), "no room for an indentation")
	assert.Equal(t, []string{"     aaaa", "     bbbb"}, wrapIndent("      aaaa bbbb", 10), "indentation at most half the width")
	head, rest := cut("\xffab", 1)
	assert.Equal(t, "\xff", head, "an invalid byte is one byte")
	assert.Equal(t, "ab", rest)
}

// The list view: labels take at most a third of the width (shortened past
// it), values wrap under themselves, a blank line between rows and none
// before the first, missing and empty cells left out, statuses coloured.
func TestListViewExact(t *testing.T) {
	td := TableData{Columns: []Column{{Header: "NAME"}, {Header: "STATUS", Status: true}, {Header: "DETAIL"}},
		Rows: [][]string{{"exch01", "Failed", "dns: no such host"}, {"exch02", "Passed"}, {"", "Warning", ""}}, Footer: []string{"3 checks"}}
	var b bytes.Buffer
	require.NoError(t, WriteTableLayout(&b, td, Layout{Width: 17, Color: true}))
	assert.Equal(t, ""+
		"NAME   exch01\n"+
		"STAT…  \x1b[31mFailed\x1b[0m\n"+
		"DETA…  dns: no\n"+
		"       such host\n"+
		"\n"+
		"NAME   exch02\n"+
		"STAT…  \x1b[32mPassed\x1b[0m\n"+
		"\n"+
		"STAT…  \x1b[33mWarning\x1b[0m\n"+
		"3 checks\n", b.String())

	// Two columns for values is enough for "label  value"; one is not,
	// and labels and values get lines of their own.
	one := TableData{Columns: []Column{{Header: "NAME"}}, Rows: [][]string{{"abc"}}}
	for w, want := range map[int]string{
		6: "N…  ab\n    c\n",
		5: "…  ab\n   c\n",
		4: "NAME\nabc\n",
	} {
		b.Reset()
		require.NoError(t, WriteTableLayout(&b, one, Layout{Width: w}))
		assert.Equal(t, want, b.String(), "width %d", w)
	}
}

// Without rows a table is only its lead and footer lines, on a terminal
// as in a pipe.
func TestTableWithoutRowsOnTerminal(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteTableLayout(&b, TableData{Header: []string{"NAME"}, Footer: []string{"no items"}}, Layout{Width: 40}))
	assert.Equal(t, "no items\n", b.String())
}
