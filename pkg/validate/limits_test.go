package validate

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// Every limit is inclusive: the documented maximum passes, one more fails.
// (Mutation testing found none of these edges tested.)

func TestNameLengthLimit(t *testing.T) {
	_, err := Name("--connector-group", strings.Repeat("n", MaxNameLength))
	require.NoError(t, err)
	_, err = Name("--connector-group", strings.Repeat("n", MaxNameLength+1))
	require.Error(t, err)
	assert.Equal(t, exitcode.Usage, exitcode.Of(err))
}

func TestUPNLengthLimit(t *testing.T) {
	const domain = "@contoso.com"
	upn := strings.Repeat("a", MaxUPNLength-len(domain)) + domain
	got, _, err := UPN("--user-principal-name", upn)
	require.NoError(t, err)
	assert.Equal(t, upn, got)
	_, _, err = UPN("--user-principal-name", "a"+upn)
	require.Error(t, err)
}

func TestUPNWithoutDomainSaysWhatIsWrong(t *testing.T) {
	for _, s := range []string{"admin@", "@contoso.com", "admin"} {
		_, _, err := UPN("--user-principal-name", s)
		require.Error(t, err, s)
		assert.Contains(t, err.Error(), "is not a user principal name (user@domain)", s)
	}
}

func TestHostnameLengthLimit(t *testing.T) {
	l63 := strings.Repeat("a", 63)
	name := l63 + "." + l63 + "." + l63 + "." + strings.Repeat("b", 61) // 253 bytes
	require.Len(t, name, 253)
	got, err := Hostname("--exchange-server", name)
	require.NoError(t, err)
	assert.Equal(t, name, got)
	_, err = Hostname("--exchange-server", name+"b")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "longer than DNS allows")
}

// A numeric last label is an IP-looking name, not a host name; digits
// elsewhere are fine.
func TestHostnameNumericTopLevelLabel(t *testing.T) {
	// Hex numbers too (0x7f000001 is 127.0.0.1 to URL parsers), at each
	// edge of the digit and letter ranges.
	for _, s := range []string{"exch.0", "exch.9", "exch.123", "exch01.contoso.2024", "exch.0x0", "exch.0x9", "exch.0xa", "exch.0xf"} {
		_, err := Hostname("--exchange-server", s)
		require.Error(t, err, s)
		assert.Contains(t, err.Error(), "numeric last label", s)
	}
	for _, s := range []string{"exch.a0", "exch.0a", "0.contoso.com", "exch.x9", "exch.0xg", "exch.0x0g"} {
		_, err := Hostname("--exchange-server", s)
		assert.NoError(t, err, s)
	}
}

func TestPortRange(t *testing.T) {
	for p, ok := range map[string]bool{"1": true, "65535": true, "0": false, "65536": false} {
		got, err := ProxyURL("--proxy", "http://proxy.contoso.com:"+p)
		if ok {
			require.NoError(t, err, p)
			assert.Equal(t, "http://proxy.contoso.com:"+p, got)
		} else {
			require.Error(t, err, p)
			assert.Contains(t, err.Error(), "invalid port", p)
		}
	}
}

// A proxy is a host and port: a bare trailing slash is fine, a path is not.
func TestProxyPath(t *testing.T) {
	got, err := ProxyURL("--proxy", "http://proxy.contoso.com:8080/")
	require.NoError(t, err)
	assert.Equal(t, "http://proxy.contoso.com:8080", got)
	_, err = ProxyURL("--proxy", "http://proxy.contoso.com:8080/x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "must not contain a path")
}

// Each bidi and line-separator control is refused in free text; the
// characters just outside each range are ordinary text.
func TestInvisibleControlsInText(t *testing.T) {
	for _, r := range []rune{'\u202a', '\u202c', '\u202e', '\u2066', '\u2069', '\u200e', '\u200f', '\u2028', '\u2029', '\u061c'} {
		_, err := Name("--connector-group", "Exchange"+string(r)+"Group")
		require.Error(t, err, "%U", r)
		assert.Contains(t, err.Error(), "control character", "%U", r)
	}
	for _, r := range []rune{'\u202f', '\u2065', '\u206a', '\u200d', '\u2010', '\u061b', '\u2027'} {
		_, err := Name("--connector-group", "Exchange"+string(r)+"Group")
		assert.NoError(t, err, "%U", r)
	}
}

// Rejected values are quoted whole up to 80 bytes, cut beyond.
func TestQuoteCutsAt80(t *testing.T) {
	assert.Equal(t, `"`+strings.Repeat("q", 80)+`"`, quote(strings.Repeat("q", 80)))
	assert.Equal(t, `"`+strings.Repeat("q", 80)+`..."`, quote(strings.Repeat("q", 81)))
}
