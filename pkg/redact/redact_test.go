package redact

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestServerText(t *testing.T) {
	jwt := "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2ln"
	in := "line one\r\nAuthorization: Bearer abc.def and " + jwt + " password=hunter2 {\"client_secret\":\"s3\"} my-own-secret \xff" + strings.Repeat("z", 5<<20)
	out := ServerText(in, 300, "my-own-secret")
	for _, leak := range []string{"abc.def", jwt, "hunter2", `"s3"`, "my-own-secret", "\n", "\r"} {
		assert.NotContains(t, out, leak)
	}
	assert.LessOrEqual(t, len(out), 303)
	assert.True(t, strings.HasPrefix(out, "line one Authorization: Bearer [REDACTED]"), out)
	assert.True(t, strings.HasSuffix(out, "..."))
}

func TestCutKeepsRunes(t *testing.T) {
	assert.Equal(t, "ab", Cut("ab", 2))
	assert.Equal(t, "a...", Cut("aé", 2), "never splits a UTF-8 sequence")
}
