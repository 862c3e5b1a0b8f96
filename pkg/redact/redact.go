// Package redact removes credentials from text before it is logged or
// shown, and bounds text a server supplied. Our own diagnostics and every
// server answer (Graph errors, sign-in errors) go through the same rules,
// so a server that reflects the Authorization header cannot put a token on
// the user's terminal or in a CI log.
package redact

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Redacted replaces what String removes.
const Redacted = "[REDACTED]"

var (
	// OAuth form or query parameters whose values are credentials.
	formSecretRE = regexp.MustCompile(`(?i)\b(password|client_secret|client_assertion|assertion|refresh_token|access_token|id_token|device_code|code|code_verifier)=[^&\s"']+`)
	// The same as JSON members.
	jsonSecretRE = regexp.MustCompile(`(?i)"(password|client_secret|client_assertion|refresh_token|access_token|id_token|device_code|code|code_verifier|secret)"\s*:\s*"[^"]*"`)
	// Bearer tokens in headers.
	bearerRE = regexp.MustCompile(`(?i)\bBearer\s+[A-Za-z0-9._~+/=-]+`)
	// Anything shaped like a JWT (header.payload.signature, base64url).
	jwtRE = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)
)

// String removes credentials from s: every occurrence of each non-empty
// secret (passwords, client secrets, PFX passwords), OAuth parameters and
// JSON members that carry credentials, bearer tokens and JWT-shaped
// strings. It errs on the side of removing too much; a one-character
// secret blanks every such character.
func String(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	s = jsonSecretRE.ReplaceAllStringFunc(s, func(m string) string {
		name, _, _ := strings.Cut(m, ":")
		return name + `:"` + Redacted + `"`
	})
	s = formSecretRE.ReplaceAllStringFunc(s, func(m string) string {
		name, _, _ := strings.Cut(m, "=")
		return name + "=" + Redacted
	})
	s = bearerRE.ReplaceAllString(s, "Bearer "+Redacted)
	s = jwtRE.ReplaceAllString(s, Redacted)
	return s
}

// MaxServerText bounds one piece of server-supplied text in an error: the
// error is one line on the user's terminal, not a copy of the body.
const MaxServerText = 300

// ServerText prepares text a server sent for an error message or a log
// line: credentials removed first (cutting first could leave a token's
// head unrecognised), then folded to one line, made valid UTF-8 and cut to
// n bytes.
func ServerText(s string, n int, secrets ...string) string {
	// Redacting megabytes with regular expressions costs time for nothing
	// that will be shown: keep a generous prefix first. A token cut by
	// this pre-cut loses its tail, not its recognisable head, as the cut
	// is far beyond what is shown.
	if limit := 4*n + 64<<10; len(s) > limit {
		s = s[:limit]
	}
	s = String(s, secrets...)
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
	return Cut(s, n)
}

// Cut shortens s to at most n bytes without splitting a UTF-8 sequence,
// marking the cut with "...".
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
