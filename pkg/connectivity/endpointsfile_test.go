package connectivity

import (
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
