package output

import (
	"strings"
	"unicode/utf8"
)

// EscapeTerminal removes characters that a terminal would interpret rather
// than print: C0 and C1 controls (including ESC, which starts colour and
// cursor sequences), DEL, and the Unicode bidi controls (overrides,
// embeddings, isolates and marks) that can make text read differently from
// what it is. Tabs and line breaks (also U+2028 and U+2029) become spaces
// so a server-supplied value cannot break the table layout. Bytes that are
// not UTF-8 become U+FFFD: a stray 0x9b is CSI to a terminal in an 8-bit
// mode. The result is idempotent, and printable text passes unchanged.
//
// Server strings (machine names, display names, URLs) are attacker-influenced:
// anyone who can register a connector or rename an app controls them.
func EscapeTerminal(s string) string {
	clean := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) || lineBreak(r) {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case lineBreak(r):
			b.WriteByte(' ')
		case unsafeRune(r):
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lineBreak reports characters that end a line or jump to a tab stop.
func lineBreak(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029'
}

// unsafeRune reports C0 and C1 controls, DEL and the bidi controls.
func unsafeRune(r rune) bool {
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
		return true
	}
	switch r {
	case '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', // embeddings and overrides
		'\u2066', '\u2067', '\u2068', '\u2069', // isolates
		'\u200e', '\u200f', '\u061c': // LRM, RLM, ALM
		return true
	}
	return false
}
