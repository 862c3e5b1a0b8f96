package output

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"
)

// hostile is server-supplied text that tries markup, links, raw HTML, a
// table break and a terminal escape.
const hostile = "x|y <script>alert(1)</script> [a](http://evil.test) **b** \x1b[31m\nnext"

func sampleReport() Report {
	return Report{
		Title: "Hybrid connectivity report: AGENT01",
		Meta:  []Field{{"Machine", "AGENT01"}, {"Outbound proxy", "http://proxy:3128 (flag)"}},
		Lead:  []string{"Verdict: Agents failed: 0 of 2 active", "Most likely cause: the connection is refused (TCP reset) (2 checks)"},
		Firewall: []FirewallRow{{Host: "login.test", Port: "443", Protocol: "TCP (HTTPS, TLS 1.2+)", Blocked: "the proxy denies the connection (HTTP 403)",
			ViaProxy: "yes: http://proxy:3128 (flag)", Account: "Network Service", Reference: "https://learn.microsoft.com/x"}},
		ResultsHeading: "Every result",
		Columns:        []string{"Category", "Check", "Status", "Detail"},
		Rows: []ReportRow{
			{Status: "Passed", Cells: []string{"Agents", "a", "Passed", "ok"}},
			{Status: "Failed", Cells: []string{"Agents", "b", "Failed", hostile}},
		},
		Summary: "1 passed, 1 failed, 0 warnings, 0 skipped in 1.0 s",
	}
}

func TestMarkdownReportParses(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteMarkdown(&buf, sampleReport()))
	src := buf.Bytes()
	md := goldmark.New(goldmark.WithExtensions(extension.Table))
	doc := md.Parser().Parse(text.NewReader(src))

	var tables, rows, links, rawHTML int
	var headings []string
	require.NoError(t, ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case east.KindTable:
			tables++
		case east.KindTableRow:
			rows++
		case ast.KindLink, ast.KindAutoLink:
			links++
		case ast.KindRawHTML, ast.KindHTMLBlock:
			rawHTML++
		case ast.KindHeading:
			headings = append(headings, string(n.(*ast.Heading).Lines().Value(src)))
		}
		return ast.WalkContinue, nil
	}))
	assert.Equal(t, 2, tables, "firewall request and every result")
	assert.Equal(t, 3, rows, "one firewall row, two results: the hostile cell did not split the table")
	assert.Zero(t, links, "server text never becomes a link")
	assert.Zero(t, rawHTML, "server text never becomes raw HTML")
	assert.Equal(t, []string{"Hybrid connectivity report: AGENT01", "Firewall request", "Every result"}, headings)

	var html bytes.Buffer
	require.NoError(t, md.Convert(src, &html))
	assert.NotContains(t, html.String(), "<script>")
	assert.Contains(t, buf.String(), "Verdict: Agents failed: 0 of 2 active\n")
}

func TestHTMLReportIsSelfContained(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteHTML(&buf, sampleReport()))
	z := html.NewTokenizer(bytes.NewReader(buf.Bytes()))
	var failedRows, styles int
	inTD := false
	var cellText []string
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			require.ErrorIs(t, z.Err(), io.EOF)
			break
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			switch tok.Data {
			case "script", "link", "img", "iframe", "object", "embed", "a", "base":
				t.Errorf("element <%s> would load or link something", tok.Data)
			case "style":
				styles++
			case "td":
				inTD = true
			}
			for _, a := range tok.Attr {
				switch a.Key {
				case "src", "href", "srcset", "action", "style":
					t.Errorf("attribute %s=%q on <%s>", a.Key, a.Val, tok.Data)
				}
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("event handler %s", a.Key)
				}
				if tok.Data == "tr" && a.Key == "class" && a.Val == "status-failed" {
					failedRows++
				}
			}
		case html.EndTagToken:
			if tok.Data == "td" {
				inTD = false
			}
		case html.TextToken:
			if inTD {
				cellText = append(cellText, tok.Data)
			}
			assert.NotContains(t, tok.Data, "\x1b")
		}
	}
	assert.Equal(t, 1, styles, "one inline style sheet")
	assert.Equal(t, 2, failedRows, "the firewall row and the Failed result are marked")
	assert.Contains(t, strings.Join(cellText, ""), "<script>alert(1)</script>", "hostile text survives as text")
	assert.NotContains(t, buf.String(), "url(", "the CSS loads nothing")
	assert.NotContains(t, buf.String(), "@import")
}
