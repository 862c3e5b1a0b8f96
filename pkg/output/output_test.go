package output

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

func TestParseFormat(t *testing.T) {
	f, err := ParseFormat("JSON")
	require.NoError(t, err)
	assert.Equal(t, JSON, f)
	_, err = ParseFormat("yaml")
	assert.Equal(t, exitcode.Usage, exitcode.Of(err))
}

func TestWriteJSONAlwaysArray(t *testing.T) {
	var b bytes.Buffer
	var none []struct{}
	require.NoError(t, WriteJSON(&b, none))
	assert.Equal(t, "[]\n", b.String())

	b.Reset()
	require.NoError(t, WriteJSON(&b, []map[string]string{{"url": "https://a/?x=1&y=<2>"}}))
	assert.JSONEq(t, `[{"url":"https://a/?x=1&y=<2>"}]`, b.String())
	assert.Contains(t, b.String(), "&y=<2>", "HTML escaping would mangle URLs for scripts")

	assert.Error(t, WriteJSON(&b, map[string]string{}))
}

func TestWriteTableEscapesServerStrings(t *testing.T) {
	var b bytes.Buffer
	err := WriteTable(&b, TableData{
		Header: []string{"Name"},
		Rows:   [][]string{{"evil\x1b]0;pwned\x07name\u202e"}},
		Footer: []string{"1 item"},
	})
	require.NoError(t, err)
	assert.NotContains(t, b.String(), "\x1b")
	assert.NotContains(t, b.String(), "\x07")
	assert.Contains(t, b.String(), "evil]0;pwnedname")
	assert.Contains(t, b.String(), "1 item\n")
}

func TestEscapeTerminal(t *testing.T) {
	cases := map[string]string{
		"plain":                "plain",
		"tab\there":            "tab here",
		"line\r\nbreak":        "line  break",
		"c1\u009bcontrol":      "c1control",
		"del\x7f":              "del",
		"ümlaut ok":            "ümlaut ok",
		"bidi\u202eevil\u202c": "bidievil",
		"\x1b[31mred\x1b[0m":   "[31mred[0m",
		"":                     "",
		"\x9b31m":              "\ufffd31m",
		"bad\xffbyte":          "bad\ufffdbyte",
		"\ufffd kept":          "\ufffd kept",
		"para\u2028graph":      "para graph",
		"alm\u061cmark":        "almmark",
	}
	for in, want := range cases {
		assert.Equal(t, want, EscapeTerminal(in), "%q", in)
	}
}
