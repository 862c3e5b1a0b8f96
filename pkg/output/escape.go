package output

import (
	"strings"
	"unicode"
)

// EscapeTerminal removes characters that a terminal would interpret rather
// than print: C0 and C1 controls (including ESC, which starts colour and
// cursor sequences), DEL, and the Unicode bidi overrides that can make text
// read differently from what it is. Tabs and newlines become spaces so a
// server-supplied value cannot break the table layout.
//
// Server strings (machine names, display names, URLs) are attacker-influenced:
// anyone who can register a connector or rename an app controls them.
func EscapeTerminal(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unsafeRune(r):
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	if r == unicode.ReplacementChar {
		return false
	}
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
		return true
	}
	switch r {
	case '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f':
		return true
	}
	return false
}
