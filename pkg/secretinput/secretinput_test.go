package secretinput

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

func TestReadLine(t *testing.T) {
	cases := map[string]string{
		"s3cret\n":               "s3cret",
		"s3cret\r\n":             "s3cret",
		"\xef\xbb\xbfs3cret\r\n": "s3cret",
		"s3cret":                 "s3cret",
		"first\nsecond\n":        "first",
		" spaced pw \n":          " spaced pw ",
	}
	for in, want := range cases {
		got, err := ReadLine(strings.NewReader(in), "password")
		require.NoError(t, err, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
}

func TestReadLineRejects(t *testing.T) {
	for _, in := range []string{"", "\n", "\xef\xbb\xbf\r\n", strings.Repeat("x", MaxLen+5)} {
		_, err := ReadLine(strings.NewReader(in), "password")
		require.Error(t, err)
		assert.Equal(t, exitcode.Usage, exitcode.Of(err))
		assert.NotContains(t, err.Error(), "xxxx")
	}
}

func TestPipeHintFitsTheOS(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows"} {
		assert.NotContains(t, PipeHint(goos), "Get-Content", goos)
	}
	assert.Contains(t, PipeHint("windows"), "Connect-HybridManagement")
	assert.Contains(t, PipeHint("linux"), "< secret.txt")
}

func TestReadLineLengthLimitIsExact(t *testing.T) {
	secret := strings.Repeat("s", MaxLen)
	for _, in := range []string{secret, secret + "\n", secret + "\r\n", "\xef\xbb\xbf" + secret + "\r\n", secret + "\nsecond line"} {
		got, err := ReadLine(strings.NewReader(in), "the secret")
		require.NoError(t, err, "%d bytes in", len(in))
		assert.Equal(t, secret, got)
	}
	for _, in := range []string{secret + "s", secret + "s\n", "\xef\xbb\xbf" + secret + "s\r\n"} {
		_, err := ReadLine(strings.NewReader(in), "the secret")
		require.Error(t, err, "%d bytes in", len(in))
		assert.Contains(t, err.Error(), "longer than")
		assert.NotContains(t, err.Error(), "sss")
	}
}

// A line longer than MaxLen is refused even when a CR falls just past the
// limit the reader can see: reading stops no earlier than one byte after
// the longest line that fits (BOM + MaxLen + CRLF), so the secret is never
// cut at that CR and accepted short.
func TestReadLineDoesNotCutALongLineAtACR(t *testing.T) {
	secret := strings.Repeat("s", MaxLen)
	for _, in := range []string{"\xef\xbb\xbf" + secret + "\rxx", "\xef\xbb\xbf" + secret + "\r\rx\n"} {
		got, err := ReadLine(strings.NewReader(in), "the secret")
		require.Error(t, err, "accepted %d bytes of %d", len(got), len(in))
		assert.Contains(t, err.Error(), "longer than")
	}
}
