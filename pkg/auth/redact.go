package auth

import "github.com/hybridmgmt/hybridmgmt/pkg/redact"

// Redact removes credentials from s before it is logged or shown; see
// redact.String, which Graph errors use too.
func Redact(s string, secrets ...string) string { return redact.String(s, secrets...) }
