// Package output is the one exporter every cmdlet uses: a JSON array for
// scripts and the PowerShell module, or a table for people.
package output

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// Format is the value of -o/--output.
type Format string

const (
	Table Format = "table"
	// Wide is a table with every column, whatever the terminal's width
	// (kubectl's -o wide).
	Wide Format = "wide"
	JSON Format = "json"
	// Markdown and HTML are reports for another team; only the test
	// commands write them (see IsReport).
	Markdown Format = "markdown"
	HTML     Format = "html"
)

// IsReport reports whether f is a report format.
func (f Format) IsReport() bool { return f == Markdown || f == HTML }

// ParseFormat validates an -o value.
func ParseFormat(s string) (Format, error) {
	switch Format(strings.ToLower(strings.TrimSpace(s))) {
	case Table:
		return Table, nil
	case Wide:
		return Wide, nil
	case JSON:
		return JSON, nil
	case Markdown, "md":
		return Markdown, nil
	case HTML:
		return HTML, nil
	}
	return "", exitcode.Usagef("invalid --output %q: use table, wide, json, markdown or html", s)
}

// TableData is what a cmdlet shows a person.
type TableData struct {
	// Header names the columns of a simple table; Columns, when set,
	// replaces it with what fitting a terminal needs.
	Header  []string
	Columns []Column
	Rows    [][]string
	// Lead lines are printed before the table (verdicts).
	Lead []string
	// Footer lines are printed after the table (summaries).
	Footer []string
}

// Terminal is implemented by a writer that is a terminal: iostreams wraps
// stdout in one, so every command's output fits without knowing it.
type Terminal interface {
	// TerminalWidth is the width in columns now (it may change between
	// runs, so it is asked at print time).
	TerminalWidth() int
	// ColorEnabled is false under NO_COLOR or TERM=dumb.
	ColorEnabled() bool
}

// LayoutFor is how a table in format f is laid out on w.
func LayoutFor(w io.Writer, f Format) Layout {
	l := Layout{Wide: f == Wide}
	if t, ok := w.(Terminal); ok {
		// Two columns at least: a double-width character needs them.
		l.Width, l.Color = max(t.TerminalWidth(), 2), t.ColorEnabled()
	}
	return l
}

// Print writes items (a slice) as a JSON array, or as the table that table()
// builds, fitted to w when w is a terminal. JSON is always an array, also
// for zero or one item, so callers can rely on one shape.
func Print(w io.Writer, f Format, items any, table func() TableData) error {
	// Ifs, not a switch: Go's coverage profile does not cover case
	// expressions, which hides their mutants from gremlins.
	if f == JSON {
		return WriteJSON(w, items)
	}
	if f.IsReport() {
		return exitcode.Usagef("-o %s is a report format: only the test commands write it", f)
	}
	return WriteTableLayout(w, table(), LayoutFor(w, f))
}

// WriteJSON writes items as an indented JSON array.
func WriteJSON(w io.Writer, items any) error {
	v := reflect.ValueOf(items)
	if items == nil || (v.Kind() == reflect.Slice && v.IsNil()) {
		_, err := io.WriteString(w, "[]\n")
		return err
	}
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return fmt.Errorf("output: JSON output must be a list, got %T", items)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(items)
}

// WriteTable renders t in full, as for a pipe or a file.
func WriteTable(w io.Writer, t TableData) error {
	return WriteTableLayout(w, t, Layout{})
}

// WriteTableLayout renders t with every cell escaped for the terminal. With
// a width, no line is wider than it: columns are hidden by priority, cells
// shortened or wrapped, and a table that still cannot fit becomes a list.
func WriteTableLayout(w io.Writer, t TableData, l Layout) error {
	cells := make([][]string, len(t.Rows))
	for r, row := range t.Rows {
		cells[r] = make([]string, len(row))
		for i, c := range row {
			cells[r][i] = EscapeTerminal(c)
		}
	}
	footer := make([]string, 0, len(t.Footer))
	for _, line := range t.Footer {
		footer = append(footer, EscapeTerminal(line))
	}
	lead := make([]string, 0, len(t.Lead))
	for _, line := range t.Lead {
		lead = append(lead, EscapeTerminal(line))
	}
	if l.Width <= 0 {
		if err := writeLines(w, lead); err != nil {
			return err
		}
		if err := renderFull(w, t, cells); err != nil {
			return err
		}
		return writeLines(w, footer)
	}
	var lines []string
	for _, line := range lead {
		lines = append(lines, wrapIndent(line, l.Width)...)
	}
	if len(cells) > 0 {
		f := fit(t, cells, l)
		if f.list {
			lines = append(lines, listView(f.columns, cells, l)...)
		} else {
			var b strings.Builder
			if err := renderFitted(&b, f, cells, l); err != nil {
				return err
			}
			lines = append(lines, strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")...)
			var notes []string
			if len(f.hidden) > 0 {
				notes = append(notes, "(not shown: "+strings.Join(f.hidden, ", ")+"; -o wide shows every column)")
			}
			footer = append(append(notes, f.derived...), footer...)
		}
	}
	for _, line := range footer {
		lines = append(lines, wrapIndent(line, l.Width)...)
	}
	return writeLines(w, lines)
}

func writeLines(w io.Writer, lines []string) error {
	for _, line := range lines {
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}

// renderFull is the table for pipes and files: every value in full.
func renderFull(w io.Writer, t TableData, cells [][]string) error {
	if len(cells) == 0 {
		return nil
	}
	opts := []tablewriter.Option{}
	header := t.Header
	if len(t.Columns) > 0 {
		header = make([]string, len(t.Columns))
		for i, c := range t.Columns {
			header[i] = c.Header
		}
		opts = append(opts, tablewriter.WithHeaderAutoFormat(tw.Off))
	}
	tbl := tablewriter.NewTable(w, opts...)
	tbl.Header(header)
	for _, row := range cells {
		if err := tbl.Append(row); err != nil {
			return fmt.Errorf("output: %w", err)
		}
	}
	if err := tbl.Render(); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// renderFitted draws the chosen columns with cells already cut to width,
// so tablewriter has nothing left to wrap.
func renderFitted(w io.Writer, f fitted, cells [][]string, l Layout) error {
	header := make([]string, len(f.cols))
	for k, i := range f.cols {
		header[k] = strings.Join(wrap(f.columns[i].Header, f.widths[k]), "\n")
	}
	tbl := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off),
	)
	tbl.Header(header)
	for _, row := range cells {
		out := make([]string, len(f.cols))
		for k, i := range f.cols {
			c := f.columns[i]
			v := ""
			if i < len(row) {
				v = row[i]
			}
			if c.Wrap || l.Wide {
				v = strings.Join(wrap(v, f.widths[k]), "\n")
			} else {
				v = shorten(v, f.widths[k], c.URL)
			}
			if c.Status && l.Color {
				v = colour(v)
			}
			out[k] = v
		}
		if err := tbl.Append(out); err != nil {
			return fmt.Errorf("output: %w", err)
		}
	}
	if err := tbl.Render(); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// listView prints one block per row, "LABEL  value", for terminals too
// narrow for the table; values wrap under themselves.
func listView(cols []Column, cells [][]string, l Layout) []string {
	labelW := 0
	for _, c := range cols {
		labelW = max(labelW, width(c.Header))
	}
	labelW = min(labelW, max(l.Width/3, 1))
	valueW := l.Width - labelW - 2
	stacked := valueW < 2 // a double-width character needs two columns
	if stacked {
		// Too narrow even for "L  v": labels and values on lines of their own.
		labelW, valueW = l.Width, l.Width
	}
	var lines []string
	for r, row := range cells {
		if r > 0 {
			lines = append(lines, "")
		}
		for i, c := range cols {
			if i >= len(row) || row[i] == "" {
				continue
			}
			label := shorten(c.Header, labelW, false)
			if stacked {
				lines = append(lines, label)
			} else {
				label += strings.Repeat(" ", labelW-width(label))
			}
			for n, part := range wrap(row[i], valueW) {
				if c.Status && l.Color {
					part = colour(part)
				}
				if stacked {
					lines = append(lines, part)
					continue
				}
				if n == 0 {
					lines = append(lines, label+"  "+part)
				} else {
					lines = append(lines, strings.Repeat(" ", labelW+2)+part)
				}
			}
		}
	}
	return lines
}
