package output

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strings"
)

// Report is a run written for another team: the network or security team
// that gets it attached to a ticket. It is format-neutral; WriteMarkdown
// and WriteHTML render it. Every string is escaped by the renderer.
type Report struct {
	Title string
	// Meta is the run's metadata (machine, OS, UTC time, tool version,
	// cloud, proxy), in order.
	Meta []Field
	// Lead lines come first: the verdict and the most likely cause.
	Lead []string
	// Firewall lists what to open; empty when nothing network-side failed.
	Firewall       []FirewallRow
	FirewallIntro  string
	Columns        []string
	Rows           []ReportRow
	Summary        string
	EmptyFirewall  string
	ResultsHeading string
}

// Field is one label and value.
type Field struct{ Label, Value string }

// FirewallRow is one path the network team must open or fix.
type FirewallRow struct {
	Host, Port, Protocol, Blocked, ViaProxy, Account, Reference string
}

// ReportRow is one result row; Status drives the marking.
type ReportRow struct {
	Status string
	Cells  []string
}

var firewallColumns = []string{"Host", "Port", "Protocol", "What blocked it", "Through the proxy", "Account that needs the path", "Requirement"}

// WriteMarkdown renders r as CommonMark with GitHub tables.
func WriteMarkdown(w io.Writer, r Report) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("# %s\n\n", mdText(r.Title))
	for _, f := range r.Meta {
		p("- **%s:** %s\n", mdText(f.Label), mdText(f.Value))
	}
	p("\n")
	for _, l := range r.Lead {
		p("%s\n\n", mdText(l))
	}
	p("## Firewall request\n\n")
	if len(r.Firewall) == 0 {
		p("%s\n\n", mdText(r.EmptyFirewall))
	} else {
		if r.FirewallIntro != "" {
			p("%s\n\n", mdText(r.FirewallIntro))
		}
		mdRow(bw, firewallColumns)
		mdRule(bw, len(firewallColumns))
		for _, f := range r.Firewall {
			mdRow(bw, []string{f.Host, f.Port, f.Protocol, f.Blocked, f.ViaProxy, f.Account, f.Reference})
		}
		p("\n")
	}
	p("## %s\n\n", mdText(r.ResultsHeading))
	mdRow(bw, r.Columns)
	mdRule(bw, len(r.Columns))
	for _, row := range r.Rows {
		cells := append([]string(nil), row.Cells...)
		mdRow(bw, cells)
	}
	p("\n%s\n", mdText(r.Summary))
	return bw.Flush()
}

func mdRow(w io.Writer, cells []string) {
	var b strings.Builder
	b.WriteString("|")
	for _, c := range cells {
		b.WriteString(" ")
		b.WriteString(mdText(c))
		b.WriteString(" |")
	}
	b.WriteString("\n")
	_, _ = io.WriteString(w, b.String())
}

func mdRule(w io.Writer, n int) {
	_, _ = io.WriteString(w, "|"+strings.Repeat(" --- |", n)+"\n")
}

// mdText makes server-supplied text inert in Markdown: one line, control
// characters gone, and the punctuation that starts emphasis, code, links,
// raw HTML, entities, headings or a table cell backslash-escaped
// (CommonMark allows escaping any ASCII punctuation). '>' and '!' stay:
// with '<' and '[' escaped they start nothing inside a line.
func mdText(s string) string {
	s = EscapeTerminal(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		case '\\', '`', '*', '_', '[', ']', '<', '|', '&', '#', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// reportCSS is the whole style sheet: inline, so the file opens offline
// and a mail gateway that strips links leaves it readable.
const reportCSS = `body{font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;margin:24px;color:#1b1b1b}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0;width:100%}
th,td{border:1px solid #c8c8c8;padding:4px 8px;text-align:left;vertical-align:top}
td.long{overflow-wrap:anywhere}
th{background:#f0f0f0}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px}dt{font-weight:bold}dd{margin:0}
p.lead{font-weight:bold;font-size:15px}
tr.status-failed td{background:#fde7e9}tr.status-failed td.status{color:#a4262c;font-weight:bold}
tr.status-warning td{background:#fff4ce}tr.status-warning td.status{color:#8a5300;font-weight:bold}
tr.status-skipped td{color:#605e5c}
`

// WriteHTML renders r as one self-contained HTML file: inline CSS, no
// scripts, no links to anything outside the file.
func WriteHTML(w io.Writer, r Report) error {
	bw := bufio.NewWriter(w)
	e := func(s string) string { return html.EscapeString(EscapeTerminal(s)) }
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n", e(r.Title), reportCSS)
	p("<h1>%s</h1>\n<dl>\n", e(r.Title))
	for _, f := range r.Meta {
		p("<dt>%s</dt><dd>%s</dd>\n", e(f.Label), e(f.Value))
	}
	p("</dl>\n")
	for _, l := range r.Lead {
		p("<p class=\"lead\">%s</p>\n", e(l))
	}
	p("<h2>Firewall request</h2>\n")
	if len(r.Firewall) == 0 {
		p("<p>%s</p>\n", e(r.EmptyFirewall))
	} else {
		if r.FirewallIntro != "" {
			p("<p>%s</p>\n", e(r.FirewallIntro))
		}
		p("<table>\n<tr>")
		for _, c := range firewallColumns {
			p("<th>%s</th>", e(c))
		}
		p("</tr>\n")
		for _, f := range r.Firewall {
			p("<tr class=\"status-failed\">")
			for _, c := range []string{f.Host, f.Port, f.Protocol, f.Blocked, f.ViaProxy, f.Account, f.Reference} {
				class := ""
				if hasLongWord(c) {
					class = " class=\"long\""
				}
				p("<td%s>%s</td>", class, e(c))
			}
			p("</tr>\n")
		}
		p("</table>\n")
	}
	p("<h2>%s</h2>\n<table>\n<tr>", e(r.ResultsHeading))
	for _, c := range r.Columns {
		p("<th>%s</th>", e(c))
	}
	p("</tr>\n")
	for _, row := range r.Rows {
		p("<tr class=\"status-%s\">", e(strings.ToLower(row.Status)))
		for _, c := range row.Cells {
			class := ""
			switch {
			case c == row.Status:
				class = " class=\"status\""
			case hasLongWord(c):
				class = " class=\"long\""
			}
			p("<td%s>%s</td>", class, e(c))
		}
		p("</tr>\n")
	}
	p("</table>\n<p>%s</p>\n</body>\n</html>\n", e(r.Summary))
	return bw.Flush()
}

// hasLongWord marks cells with a word too long to fit a column (host
// names, URLs): only those may break anywhere, so short columns keep
// their words whole.
func hasLongWord(s string) bool {
	for _, w := range strings.Fields(s) {
		if len(w) > 24 {
			return true
		}
	}
	return false
}
