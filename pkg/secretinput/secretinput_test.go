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

// MaxLen is the longest secret accepted: exactly MaxLen bytes pass, one
// more is refused without being echoed.
func TestReadLineLimitIsInclusive(t *testing.T) {
	got, err := ReadLine(strings.NewReader(strings.Repeat("y", MaxLen)), "client secret")
	require.NoError(t, err)
	assert.Len(t, got, MaxLen)

	_, err = ReadLine(strings.NewReader(strings.Repeat("y", MaxLen+1)), "client secret")
	require.Error(t, err)
	assert.Equal(t, exitcode.Usage, exitcode.Of(err))
	assert.Contains(t, err.Error(), "longer than")
	assert.NotContains(t, err.Error(), "yyyy")
}
