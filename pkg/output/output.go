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

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// Format is the value of -o/--output.
type Format string

const (
	Table Format = "table"
	JSON  Format = "json"
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
	case JSON:
		return JSON, nil
	case Markdown, "md":
		return Markdown, nil
	case HTML:
		return HTML, nil
	}
	return "", exitcode.Usagef("invalid --output %q: use table, json, markdown or html", s)
}

// TableData is what a cmdlet shows a person.
type TableData struct {
	Header []string
	Rows   [][]string
	// Lead lines are printed before the table (verdicts).
	Lead []string
	// Footer lines are printed after the table (summaries).
	Footer []string
}

// Print writes items (a slice) as a JSON array, or as the table that table()
// builds. JSON is always an array, also for zero or one item, so callers can
// rely on one shape.
func Print(w io.Writer, f Format, items any, table func() TableData) error {
	switch {
	case f == JSON:
		return WriteJSON(w, items)
	case f.IsReport():
		return exitcode.Usagef("-o %s is a report format: only the test commands write it", f)
	}
	return WriteTable(w, table())
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

// WriteTable renders t with every cell escaped for the terminal.
func WriteTable(w io.Writer, t TableData) error {
	for _, line := range t.Lead {
		if _, err := fmt.Fprintln(w, EscapeTerminal(line)); err != nil {
			return err
		}
	}
	if len(t.Rows) > 0 {
		tbl := tablewriter.NewTable(w)
		tbl.Header(t.Header)
		for _, row := range t.Rows {
			cells := make([]string, len(row))
			for i, c := range row {
				cells[i] = EscapeTerminal(c)
			}
			if err := tbl.Append(cells); err != nil {
				return fmt.Errorf("output: %w", err)
			}
		}
		if err := tbl.Render(); err != nil {
			return fmt.Errorf("output: %w", err)
		}
	}
	for _, line := range t.Footer {
		if _, err := fmt.Fprintln(w, EscapeTerminal(line)); err != nil {
			return err
		}
	}
	return nil
}
