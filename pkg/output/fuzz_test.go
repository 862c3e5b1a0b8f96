package output

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzEscapeTerminal checks what the table writer and the error line rely
// on: whatever a server sends, the escaped text has no C0 or C1 control
// (as a character or as a raw byte), no DEL, no bidi override or mark, is
// valid UTF-8, escaping twice changes nothing, and printable text passes
// through unchanged. Seeds: below and testdata/fuzz/FuzzEscapeTerminal/.
func FuzzEscapeTerminal(f *testing.F) {
	for _, s := range []string{
		"", "plain", "EXCH-AGENT01.contoso.local", "tab\there", "line\r\nbreak", "c1\u009bcontrol", "del\x7f",
		"ümlaut ok", "bidi\u202eevil\u202c", "\x1b[31mred\x1b[0m", "\x1b]0;pwned\x07title", "\x1b]8;;https://evil/\x1b\\link\x1b]8;;\x1b\\",
		"\x9b31m raw C1 byte", "\xc2\x9b encoded C1", "\xff\xfe invalid", "\ufffd real replacement", "a\u2028b\u2029c",
		"\u061c\u200e\u200f\u2066\u2067\u2068\u2069", "日本語のテキスト", "emoji 😀 ok", "\u00a0nbsp", "zero\u200bwidth",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := EscapeTerminal(s)
		if !utf8.ValidString(out) {
			t.Fatalf("EscapeTerminal(%q) = %q: not valid UTF-8", s, out)
		}
		for i := 0; i < len(out); i++ {
			if b := out[i]; b < 0x20 || b == 0x7f {
				t.Fatalf("EscapeTerminal(%q) = %q: raw control byte %#x at %d", s, out, b, i)
			}
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || isBidiControl(r) || r == '\u2028' || r == '\u2029' {
				t.Fatalf("EscapeTerminal(%q) = %q: contains %U", s, out, r)
			}
		}
		if again := EscapeTerminal(out); again != out {
			t.Fatalf("not idempotent: EscapeTerminal(%q) = %q, then %q", s, out, again)
		}
		printable := utf8.ValidString(s)
		for _, r := range s {
			printable = printable && unicode.IsPrint(r)
		}
		if printable && out != s {
			t.Fatalf("printable %q changed to %q", s, out)
		}
		if n := utf8.RuneCountInString(out); n > utf8.RuneCountInString(s) || len(out) > 3*len(s) {
			t.Fatalf("EscapeTerminal(%q) = %q grew", s, out)
		}
		if strings.ContainsAny(s, "\t\n\r") && !strings.Contains(out, " ") {
			t.Fatalf("EscapeTerminal(%q) = %q: line breaks must become spaces", s, out)
		}
	})
}

// isBidiControl lists the Unicode bidi formatting characters (UAX #9):
// embeddings, overrides, isolates and the implicit marks.
func isBidiControl(r rune) bool {
	switch r {
	case '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c':
		return true
	}
	return false
}

// FuzzTableFits: whatever the cells and the width, no line of a table laid
// out for a terminal is wider than the terminal.
func FuzzTableFits(f *testing.F) {
	f.Add("exch01.contoso.local", "https://6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net:443/", "Passed", uint8(80), false)
	f.Add("漢字漢字漢字", "a b c d e f g", "Failed", uint8(12), true)
	f.Add("", "{\"k\":\"v\",\"x\":[1,2]}", "Warning", uint8(3), false)
	f.Fuzz(func(t *testing.T, a, b, c string, w uint8, wide bool) {
		width := int(w)
		if width < 2 {
			return // a double-width character needs two columns
		}
		td := TableData{
			Columns: []Column{{Header: "NAME"}, {Header: "URL", URL: true, Priority: 1}, {Header: "STATUS", Status: true}, {Header: "DETAIL", Wrap: true, Min: 20, Priority: 2}},
			Rows:    [][]string{{a, b, c, a + " " + b}, {c, a, b, c}},
			Footer:  []string{a + " " + b + " " + c},
		}
		var buf bytes.Buffer
		if err := WriteTableLayout(&buf, td, Layout{Width: width, Wide: wide, Color: true}); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
			if got := width2(line); got > width {
				t.Fatalf("width %d: a line of %d columns: %q", width, got, line)
			}
		}
	})
}

func width2(s string) int { return width(ansiRE.ReplaceAllString(s, "")) }
