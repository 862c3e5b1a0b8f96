package output

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/tw"
)

// Column describes how one table column behaves on a narrow terminal.
type Column struct {
	// Header is printed as given (no automatic upper-casing), so units
	// keep their case: "TIME (ms)".
	Header string
	// Priority 0 columns are always shown; higher numbers are hidden first
	// when the terminal is too narrow for every column.
	Priority int
	// Min is the narrowest the column may get before it is hidden (or, for
	// priority 0, before the table turns into a list); 0 means 12.
	Min int
	// Wrap breaks long values over several lines (free text, JSON); the
	// default shortens them with "…".
	Wrap bool
	// URL shortening drops the https:// and the trailing slash first.
	URL bool
	// Status colours Passed, Failed and Warning on colour terminals.
	Status bool
	// Derived, when the column is hidden, replaces its mention in the
	// "not shown" note with how to derive it.
	Derived string
}

// Layout is where a table is printed.
type Layout struct {
	// Width is the terminal's width in columns; 0 means stdout is not a
	// terminal, and every column is printed in full (pipes, files).
	Width int
	// Wide shows every column (-o wide); cells wrap instead of being
	// shortened.
	Wide bool
	// Color marks statuses with ANSI colours.
	Color bool
}

const (
	defaultMin = 12
	ellipsis   = "…"
	// boxOverhead is what the box adds per column ("│ " + " ") and once
	// (the closing "│").
	boxPerColumn = 3
	boxOnce      = 1
)

func width(s string) int { return twwidth.Width(s) }

// columns returns the table's column descriptions, made up from Header for
// tables that give none.
func (t TableData) columns() []Column {
	if len(t.Columns) > 0 {
		return t.Columns
	}
	cs := make([]Column, len(t.Header))
	for i, h := range t.Header {
		cs[i] = Column{Header: tw.Title(strings.Join(tw.SplitCamelCase(h), " "))}
	}
	return cs
}

// fitted is a table laid out for a terminal: either columns with cells
// already cut to their widths, or a list view.
type fitted struct {
	list    bool
	cols    []int // indices into the table's columns
	widths  []int // one per shown column
	hidden  []string
	derived []string
	columns []Column
}

func minWidth(c Column, natural int) int {
	m := c.Min
	if m <= 0 {
		m = defaultMin
	}
	m = max(m, 2) // a double-width character needs two columns
	// The header's longest word must fit; headers wrap between words.
	for _, w := range strings.Fields(c.Header) {
		m = max(m, width(w))
	}
	return min(m, natural)
}

func tableWidth(ws []int) int {
	n := boxOnce
	for _, w := range ws {
		n += w + boxPerColumn
	}
	return n
}

// fit chooses columns and widths so that no line is wider than l.Width.
func fit(t TableData, cells [][]string, l Layout) fitted {
	cs := t.columns()
	f := fitted{columns: cs}
	natural := make([]int, len(cs))
	for i, c := range cs {
		natural[i] = width(c.Header)
		for _, row := range cells {
			if i < len(row) {
				for _, line := range strings.Split(row[i], "\n") {
					natural[i] = max(natural[i], width(line))
				}
			}
		}
	}
	shown := make([]int, 0, len(cs))
	for i := range cs {
		shown = append(shown, i)
	}
	mins := func(idx []int) []int {
		ws := make([]int, len(idx))
		for k, i := range idx {
			ws[k] = minWidth(cs[i], natural[i])
		}
		return ws
	}
	if !l.Wide {
		for tableWidth(mins(shown)) > l.Width {
			// Hide the least important column; among equals, the rightmost.
			drop := -1
			for k, i := range shown {
				if cs[i].Priority > 0 && (drop < 0 || cs[i].Priority >= cs[shown[drop]].Priority) {
					drop = k
				}
			}
			if drop < 0 {
				break
			}
			if d := cs[shown[drop]].Derived; d != "" {
				f.derived = append(f.derived, d)
			} else {
				f.hidden = append(f.hidden, cs[shown[drop]].Header)
			}
			shown = append(shown[:drop], shown[drop+1:]...)
		}
	}
	ws := mins(shown)
	if tableWidth(ws) > l.Width {
		// Even the columns that matter most do not fit: one block per row.
		f.list = true
		f.hidden, f.derived = nil, nil
		return f
	}
	// Grow from the minimums towards the natural widths: first the columns
	// that would be shortened (losing text), most important first, then
	// the wrapping ones, which only get taller. Within a step one column at
	// a time, so short columns are whole before long ones take the rest.
	room := l.Width - tableWidth(ws)
	var steps [][]int
	for _, wrapping := range []bool{false, true} {
		byPrio := map[int][]int{}
		maxPrio := 0
		for k, i := range shown {
			if (cs[i].Wrap || l.Wide) == wrapping {
				byPrio[cs[i].Priority] = append(byPrio[cs[i].Priority], k)
				maxPrio = max(maxPrio, cs[i].Priority)
			}
		}
		// An empty step grows nothing, so priorities no column has need
		// no check.
		for p := 0; p <= maxPrio; p++ {
			steps = append(steps, byPrio[p])
		}
	}
	for _, step := range steps {
		// No check of room here: a pass with none left grows nothing and
		// ends the step.
		for {
			grew := false
			for _, k := range step {
				if room > 0 && ws[k] < natural[shown[k]] {
					ws[k]++
					room--
					grew = true
				}
			}
			if !grew {
				break
			}
		}
	}
	f.cols, f.widths = shown, ws
	return f
}

// shorten cuts s to w columns with an ellipsis; URLs lose their scheme and
// trailing slash first, which carry nothing a person needs to read.
func shorten(s string, w int, url bool) string {
	if width(s) <= w {
		return s
	}
	if url {
		s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://"), "/")
		if width(s) <= w {
			return s
		}
	}
	// With w <= 1 Truncate returns "", leaving the ellipsis alone.
	return twwidth.Truncate(s, w-1) + ellipsis
}

// wrap breaks s into lines of at most w columns, at spaces where it can and
// after URL and JSON punctuation otherwise; a word longer than w is cut.
func wrap(s string, w int) []string {
	w = max(w, 1)
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range splitWords(para) {
			if width(line)+width(word) <= w {
				line += word
				continue
			}
			if strings.TrimSpace(line) != "" {
				out = append(out, strings.TrimRight(line, " "))
			}
			word = strings.TrimLeft(word, " ")
			for width(word) > w {
				head, rest := cut(word, w)
				out = append(out, head)
				word = rest
			}
			line = word
		}
		out = append(out, strings.TrimRight(line, " "))
	}
	return out
}

// cut splits s after at most w columns, in one pass (a long value is cut
// many times). A character wider than w is taken whole: w is at least two.
func cut(s string, w int) (head, rest string) {
	n := 0
	for i, r := range s {
		rw := width(string(r))
		if n+rw > w {
			if i == 0 {
				_, size := utf8.DecodeRuneInString(s)
				return s[:size], s[size:]
			}
			return s[:i], s[i:]
		}
		n += rw
	}
	return s, ""
}

// splitWords splits before spaces and after '/', ',', ';' and '&', so a
// URL or a JSON object can break between its parts; never inside the "//"
// of a scheme, so "https://host" stays together.
func splitWords(s string) []string {
	var words []string
	start := 0
	for i, r := range s {
		slash := r == '/' && !(i+1 < len(s) && s[i+1] == '/') && !(i > 0 && s[i-1] == '/')
		// An if, not a switch: Go's coverage profile does not cover case
		// expressions, which hides their mutants from gremlins.
		if r == ' ' && i > start {
			words = append(words, s[start:i])
			start = i
		} else if slash || r == ',' || r == ';' || r == '&' {
			words = append(words, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		words = append(words, s[start:])
	}
	return words
}

// WrapLines fits lines of text (warnings, advice) to w when w is a
// terminal; elsewhere they are returned as they are.
func WrapLines(w io.Writer, lines ...string) []string {
	t, ok := w.(Terminal)
	if !ok {
		return lines
	}
	width := max(t.TerminalWidth(), 2)
	var out []string
	for _, l := range lines {
		out = append(out, wrapIndent(l, width)...)
	}
	return out
}

// wrapIndent wraps a footer line to w columns; continuation lines start
// two spaces further in than the line's own indentation.
func wrapIndent(s string, w int) []string {
	if width(s) <= w {
		return []string{s}
	}
	indent := len(s) - len(strings.TrimLeft(s, " "))
	pad := strings.Repeat(" ", min(indent+2, w/2))
	if w-len(pad) < 2 {
		pad = "" // a double-width character needs two columns
	}
	lines := wrap(strings.TrimLeft(s, " "), w-len(pad))
	for i := range lines {
		if i == 0 {
			lines[i] = strings.Repeat(" ", min(indent, len(pad))) + lines[i]
		} else {
			lines[i] = pad + lines[i]
		}
	}
	return lines
}

// colour wraps a status value in its ANSI colour.
func colour(s string) string {
	switch s {
	case "Passed":
		return "\x1b[32m" + s + "\x1b[0m"
	case "Failed":
		return "\x1b[31m" + s + "\x1b[0m"
	case "Warning":
		return "\x1b[33m" + s + "\x1b[0m"
	}
	return s
}
