package auth

import (
	"regexp"
	"strings"
)

// redacted replaces what Redact removes.
const redacted = "[REDACTED]"

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

// Redact removes credentials from s before it is logged or shown: every
// occurrence of each non-empty secret (passwords, client secrets, PFX
// passwords), OAuth parameters and JSON members that carry credentials,
// bearer tokens and JWT-shaped strings. It errs on the side of removing
// too much; a one-character secret blanks every such character.
func Redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	s = jsonSecretRE.ReplaceAllStringFunc(s, func(m string) string {
		name, _, _ := strings.Cut(m, ":")
		return name + `:"` + redacted + `"`
	})
	s = formSecretRE.ReplaceAllStringFunc(s, func(m string) string {
		name, _, _ := strings.Cut(m, "=")
		return name + "=" + redacted
	})
	s = bearerRE.ReplaceAllString(s, "Bearer "+redacted)
	s = jwtRE.ReplaceAllString(s, redacted)
	return s
}
