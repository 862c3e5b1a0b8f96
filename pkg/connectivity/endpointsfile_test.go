package connectivity

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseEndpointsFile(t *testing.T) {
	es, err := ParseEndpointsFile([]byte(`[
	  {"name": "Graph", "host": "graph.microsoft.com", "port": 443, "check": "https", "category": "Private cloud", "expectedIssuers": ["DigiCert Global Root G2"]},
	  {"name": "Lab proxy", "host": "10.0.0.8", "port": 3128, "check": "tcp", "category": "Private cloud"},
	  {"name": "v6", "host": "[2001:db8::1]", "port": 443, "check": "tls", "category": "Private cloud"},
	  {"name": "IDN", "host": "Bücher.Example", "port": 443, "check": "tls", "category": "Private cloud"}
	]`))
	require.NoError(t, err)
	require.Len(t, es, 4)
	assert.Equal(t, Endpoint{Category: "Private cloud", Name: "Graph", Host: "graph.microsoft.com", Port: 443, Check: CheckHTTPS,
		ExpectedIssuers: []string{"DigiCert Global Root G2"}, Source: "--endpoints-file"}, es[0])
	assert.Equal(t, "10.0.0.8", es[1].Host)
	assert.Equal(t, "2001:db8::1", es[2].Host)
	assert.Equal(t, "xn--bcher-kva.example", es[3].Host)
}

func TestParseEndpointsFileErrors(t *testing.T) {
	good := `{"name": "ok", "host": "a.example", "port": 443, "check": "tls", "category": "c"}`
	tests := []struct {
		name, json, want string
	}{
		{"not an array", `{"name": "x"}`, "not a JSON array of endpoint objects"},
		{"not JSON", `[{"name": }]`, "not a JSON array of endpoint objects"},
		{"empty", `[]`, "the file lists no endpoints"},
		{"entry not an object", `[` + good + `, 42]`, "entry 2: not a valid endpoint object"},
		{"unknown field", `[{"name": "Graph", "host": "a.example", "port": 443, "check": "tls", "category": "c", "path": "/"}]`, `entry 1 ("Graph"): not a valid endpoint object: unknown field "path"`},
		{"missing name", `[{"host": "a.example", "port": 443, "check": "tls", "category": "c"}]`, `entry 1: "name" is required`},
		{"blank category", `[{"name": "x", "host": "a.example", "port": 443, "check": "tls", "category": " "}]`, `entry 1 ("x"): "category": must not be empty`},
		{"missing host", `[{"name": "x", "port": 443, "check": "tls", "category": "c"}]`, `entry 1 ("x"): "host" is required`},
		{"bad host", `[` + good + `, {"name": "bad", "host": "a b", "port": 443, "check": "tls", "category": "c"}]`, `entry 2 ("bad"): "host" "a b" is not a valid host name`},
		{"URL as host", `[{"name": "u", "host": "https://a.example/", "port": 443, "check": "tls", "category": "c"}]`, `entry 1 ("u"): "host"`},
		{"port zero", `[{"name": "p", "host": "a.example", "port": 0, "check": "tls", "category": "c"}]`, `entry 1 ("p"): "port" 0 is out of range (1-65535)`},
		{"port too big", `[{"name": "p", "host": "a.example", "port": 70000, "check": "tls", "category": "c"}]`, `"port" 70000 is out of range`},
		{"port as string", `[{"name": "p", "host": "a.example", "port": "443", "check": "tls", "category": "c"}]`, `"port" "443" is not an integer`},
		{"port fraction", `[{"name": "p", "host": "a.example", "port": 443.5, "check": "tls", "category": "c"}]`, `"port" 443.5 is not an integer`},
		{"port missing", `[{"name": "p", "host": "a.example", "check": "tls", "category": "c"}]`, `"port" is required`},
		{"bad check", `[{"name": "k", "host": "a.example", "port": 443, "check": "ping", "category": "c"}]`, `entry 1 ("k"): "check" "ping" is not one of tcp, tls, https`},
		{"internal check kinds are not accepted", `[{"name": "k", "host": "a.example", "port": 80, "check": "http", "category": "c"}]`, `"check" "http" is not one of tcp, tls, https`},
		{"issuers on tcp", `[{"name": "i", "host": "a.example", "port": 443, "check": "tcp", "category": "c", "expectedIssuers": ["X"]}]`, `entry 1 ("i"): "expectedIssuers" needs "check" tls or https`},
		{"empty issuer", `[{"name": "i", "host": "a.example", "port": 443, "check": "tls", "category": "c", "expectedIssuers": [""]}]`, `"expectedIssuers" entry "": must not be empty`},
		{"control character", `[{"name": "evil\u001b[31m", "host": "a.example", "port": 443, "check": "tls", "category": "c"}]`, `entry 1: "name": contains a control or formatting character`},
		{"bidi override", `[{"name": "x\u202ey", "host": "a.example", "port": 443, "check": "tls", "category": "c"}]`, `entry 1: "name": contains a control or formatting character`},
		{"duplicate", `[` + good + `, {"name": "OK", "host": "b.example", "port": 443, "check": "tls", "category": "C"}]`, `entry 2 ("OK"): the name "OK" is already used in category "C" by entry 1`},
		{"long name", `[{"name": "` + strings.Repeat("n", 300) + `", "host": "a.example", "port": 443, "check": "tls", "category": "c"}]`, `"name": is longer than 256 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseEndpointsFile([]byte(tt.json))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := ParseEndpointsFile([]byte("[" + strings.Repeat(" ", MaxEndpointsFileSize) + "]"))
	assert.ErrorContains(t, err, "larger than")
	many := "[" + strings.TrimSuffix(strings.Repeat(`{"name":"n","host":"a.example","port":1,"check":"tcp","category":"c"},`, 1001), ",") + "]"
	_, err = ParseEndpointsFile([]byte(many))
	assert.ErrorContains(t, err, "at most 1000")
}

func TestEndpointsFileWithBOMIsAccepted(t *testing.T) {
	es, err := ParseEndpointsFile([]byte("\xef\xbb\xbf" + `[{"name": "ok", "host": "a.example", "port": 443, "check": "tls", "category": "c"}]`))
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.Equal(t, "a.example", es[0].Host)
}

func TestEndpointsFileDuplicateOrCaseVariantKeysAreRefused(t *testing.T) {
	for name, entry := range map[string]string{
		"duplicate":         `{"name": "x", "host": "a.example", "host": "b.example", "port": 443, "check": "tls", "category": "c"}`,
		"case variant":      `{"name": "x", "host": "a.example", "Host": "b.example", "port": 443, "check": "tls", "category": "c"}`,
		"only case variant": `{"name": "x", "HOST": "b.example", "port": 443, "check": "tls", "category": "c"}`,
		"issuers variant":   `{"name": "x", "host": "a.example", "port": 443, "check": "tls", "category": "c", "expectedissuers": ["X"]}`,
	} {
		_, err := ParseEndpointsFile([]byte(`[` + entry + `]`))
		require.Error(t, err, name)
		assert.Regexp(t, `appears more than once|must be spelled`, err.Error(), name)
	}
}

// Every limit accepts its own value and refuses the next one.
func TestEndpointsFileLimitsAreInclusive(t *testing.T) {
	entry := func(name, port string) string {
		return `{"name": "` + name + `", "host": "a.example", "port": ` + port + `, "check": "tcp", "category": "c"}`
	}
	one := "[" + entry("n", "443") + "]"
	exact := one[:len(one)-1] + strings.Repeat(" ", MaxEndpointsFileSize-len(one)) + "]"
	require.Len(t, exact, MaxEndpointsFileSize)
	_, err := ParseEndpointsFile([]byte(exact))
	assert.NoError(t, err, "a file of exactly the limit")
	_, err = ParseEndpointsFile([]byte(" " + exact))
	assert.EqualError(t, err, "the file is larger than 1048576 bytes")

	var es []string
	for i := 0; i < 1000; i++ {
		es = append(es, entry(fmt.Sprintf("n%d", i), "443"))
	}
	got, err := ParseEndpointsFile([]byte("[" + strings.Join(es, ",") + "]"))
	require.NoError(t, err, "exactly 1000 entries")
	assert.Len(t, got, 1000)
	_, err = ParseEndpointsFile([]byte("[" + strings.Join(append(es, entry("n1000", "443")), ",") + "]"))
	assert.EqualError(t, err, "the file lists 1001 endpoints; at most 1000 are accepted")

	got, err = ParseEndpointsFile([]byte("[" + entry("low", "1") + "," + entry("high", "65535") + "]"))
	require.NoError(t, err)
	assert.Equal(t, []int{1, 65535}, []int{got[0].Port, got[1].Port})
	_, err = ParseEndpointsFile([]byte("[" + entry("over", "65536") + "]"))
	assert.EqualError(t, err, `entry 1 ("over"): "port" 65536 is out of range (1-65535)`)

	got, err = ParseEndpointsFile([]byte("[" + entry(strings.Repeat("n", 256), "443") + "]"))
	require.NoError(t, err, "a name of exactly 256 bytes")
	assert.Len(t, got[0].Name, 256)
	_, err = ParseEndpointsFile([]byte("[" + entry(strings.Repeat("n", 257), "443") + "]"))
	assert.EqualError(t, err, `entry 1: "name": is longer than 256 bytes`)
}

// Values quoted in errors are cut at 64 bytes, on a character boundary,
// and a short printable port is shown as written.
func TestEndpointsFileErrorsQuoteBoundedValues(t *testing.T) {
	check := func(v string) error {
		_, err := ParseEndpointsFile([]byte(`[{"name": "k", "host": "a.example", "port": 443, "check": "` + v + `", "category": "c"}]`))
		return err
	}
	c64 := strings.Repeat("c", 64)
	assert.EqualError(t, check(c64), `entry 1 ("k"): "check" "`+c64+`" is not one of tcp, tls, https`, "64 bytes are shown whole")
	assert.EqualError(t, check(c64+"d"), `entry 1 ("k"): "check" "`+c64+`..." is not one of tcp, tls, https`)
	// "é" is two bytes; the 64-byte cut would split the one at 63-64.
	assert.EqualError(t, check(strings.Repeat("c", 63)+"éé"), `entry 1 ("k"): "check" "`+strings.Repeat("c", 63)+`..." is not one of tcp, tls, https`)

	port := func(raw string) error {
		_, err := ParseEndpointsFile([]byte(`[{"name": "p", "host": "a.example", "port": ` + raw + `, "check": "tls", "category": "c"}]`))
		return err
	}
	long := "1" + strings.Repeat("0", 61) + ".5" // 64 printable bytes
	assert.EqualError(t, port(long), `entry 1 ("p"): "port" `+long+` is not an integer (1-65535)`)
	assert.EqualError(t, port(long+"0"), `entry 1 ("p"): "port" "`+long[:64]+`..." is not an integer (1-65535)`)
	assert.EqualError(t, port(`[1, 2]`), `entry 1 ("p"): "port" [1, 2] is not an integer (1-65535)`, "spaces are printable")
	assert.EqualError(t, port("\"a\x7f\""), `entry 1 ("p"): "port" "\"a\x7f\"" is not an integer (1-65535)`, "DEL is not printable: quoted")
	assert.EqualError(t, port(`"é"`), `entry 1 ("p"): "port" "\"\u00e9\"" is not an integer (1-65535)`, "not ASCII: quoted")
}
