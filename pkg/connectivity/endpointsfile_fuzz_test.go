package connectivity

import (
	"net"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/validate"
)

// FuzzParseEndpointsFile feeds arbitrary bytes to the --endpoints-file
// parser: it never panics, every error is a usage error (exit 2) of one
// bounded line, and every accepted entry satisfies the documented
// constraints. Seeds: below and testdata/fuzz/FuzzParseEndpointsFile/.
func FuzzParseEndpointsFile(f *testing.F) {
	good := `{"name": "ok", "host": "a.example", "port": 443, "check": "tls", "category": "c"}`
	for _, s := range []string{
		`[{"name": "Graph", "host": "graph.microsoft.com", "port": 443, "check": "https", "category": "Private cloud", "expectedIssuers": ["DigiCert Global Root G2"]},
		  {"name": "Lab proxy", "host": "10.0.0.8", "port": 3128, "check": "tcp", "category": "Private cloud"},
		  {"name": "v6", "host": "[2001:db8::1]", "port": 443, "check": "tls", "category": "Private cloud"},
		  {"name": "IDN", "host": "Bücher.Example", "port": 443, "check": "tls", "category": "Private cloud"}]`,
		"[" + good + "]", "[" + good + "," + good + "]", `{"name": "x"}`, `[{"name": }]`, `[]`, `null`, `[null]`, `[` + good + `, 42]`,
		`[{"name": "Graph", "host": "a.example", "port": 443, "check": "tls", "category": "c", "path": "/"}]`,
		`[{"name": "x", "host": "a.example", "port": 443, "check": "tls", "category": " "}]`,
		`[{"name": "u", "host": "https://a.example/", "port": 443, "check": "tls", "category": "c"}]`,
		`[{"name": "p", "host": "a.example", "port": 0, "check": "tls", "category": "c"}]`,
		`[{"name": "p", "host": "a.example", "port": "443", "check": "tls", "category": "c"}]`,
		`[{"name": "p", "host": "a.example", "port": 443.5, "check": "tls", "category": "c"}]`,
		`[{"name": "p", "host": "a.example", "port": 4.43e2, "check": "tls", "category": "c"}]`,
		`[{"name": "p", "host": "a.example", "port": {"nested": [1, 2, 3]}, "check": "tls", "category": "c"}]`,
		`[{"name": "k", "host": "a.example", "port": 80, "check": "http", "category": "c"}]`,
		`[{"name": "i", "host": "a.example", "port": 443, "check": "tcp", "category": "c", "expectedIssuers": ["X"]}]`,
		`[{"name": "i", "host": "a.example", "port": 443, "check": "tls", "category": "c", "expectedIssuers": [" padded "]}]`,
		`[{"name": "evil\u001b[31m", "host": "a.example", "port": 443, "check": "tls", "category": "c"}]`,
		`[{"name": "x\u202ey", "host": "a.example", "port": 443, "check": "tls", "category": "c"}]`,
		`[{"name": "OK", "host": "a.example", "port": 443, "check": "tls", "category": "c"}, {"name": "ok", "host": "b.example", "port": 443, "check": "tls", "category": "C"}]`,
		`[{"name": "dup", "name": "dup2", "host": "a.example", "port": 443, "check": "tls", "category": "c"}]`,
		`[{"NAME": "case", "HOST": "a.example", "Port": 443, "CHECK": "tls", "category": "c"}]`,
		"[{\"name\": \"bad\", \"host\": \"a.example\", \"port\": 443, \"check\": \"tls\", \"category\": \"c\xff\"}]",
		"\xef\xbb\xbf[" + good + "]", "[" + good + "] trailing",
		// Regression seeds: raw bidi text and 5000-byte values used to be
		// echoed verbatim into the error line.
		`[{"name": "p", "host": "a.example", "port": "4` + "\u202e" + `43", "check": "tls", "category": "c"}]`,
		`[{"name": "p", "host": "a.example", "port": 443, "check": "` + strings.Repeat("x", 5000) + `", "category": "c"}]`,
		`[{"name": "p", "host": "a.example", "port": 443, "check": "tls", "category": "c", "` + strings.Repeat("y", 5000) + `": 1}]`,
		`[{"name": "p", "host": "a.example", "port": 443, "check": "tls", "category": "c", "expectedIssuers": ["` + strings.Repeat("z", 5000) + `"]}]`,
		`[{"name": "p", "host": "a.example", "port": "` + strings.Repeat("9", 5000) + `", "check": "tls", "category": "c"}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := ParseEndpointsFile(data)
		if err != nil {
			if len(es) != 0 {
				t.Fatalf("entries returned with an error: %v", err)
			}
			if got := exitcode.Of(err); got != exitcode.Usage {
				t.Fatalf("exit code %d, want %d: %v", got, exitcode.Usage, err)
			}
			msg := err.Error()
			if len(msg) > 2048 {
				t.Fatalf("error of %d bytes: %.200s...", len(msg), msg)
			}
			for _, r := range msg {
				if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
					t.Fatalf("error contains %U: %q", r, msg)
				}
			}
			return
		}
		if len(es) == 0 || len(es) > maxFileEntries {
			t.Fatalf("%d entries accepted", len(es))
		}
		seen := map[string]bool{}
		for i, e := range es {
			for field, v := range map[string]string{"name": e.Name, "category": e.Category} {
				checkAcceptedText(t, i, field, v)
			}
			key := strings.ToLower(e.Category) + "\x00" + strings.ToLower(e.Name)
			if seen[key] {
				t.Fatalf("entry %d: duplicate name %q in category %q", i+1, e.Name, e.Category)
			}
			seen[key] = true
			if ip := net.ParseIP(e.Host); ip != nil {
				if ip.String() != e.Host {
					t.Fatalf("entry %d: IP %q is not canonical", i+1, e.Host)
				}
			} else if again, err := validate.Hostname("host", e.Host); err != nil || again != e.Host {
				t.Fatalf("entry %d: host %q does not re-validate (%q, %v)", i+1, e.Host, again, err)
			}
			if e.Port < 1 || e.Port > 65535 {
				t.Fatalf("entry %d: port %d", i+1, e.Port)
			}
			switch e.Check {
			case CheckTCP:
				if len(e.ExpectedIssuers) > 0 {
					t.Fatalf("entry %d: expectedIssuers on a tcp check", i+1)
				}
			case CheckTLS, CheckHTTPS:
			default:
				t.Fatalf("entry %d: check %q", i+1, e.Check)
			}
			for _, iss := range e.ExpectedIssuers {
				checkAcceptedText(t, i, "expectedIssuers", iss)
			}
			if e.Source != "--endpoints-file" || e.Path != "" || e.Direct || e.ExpiryWarnDays != 0 || e.Advice != "" {
				t.Fatalf("entry %d: fields the file cannot set are set: %+v", i+1, e)
			}
		}
	})
}

func checkAcceptedText(t *testing.T, i int, field, v string) {
	t.Helper()
	if v == "" || v != strings.TrimSpace(v) || len(v) > maxFieldLength || !utf8.ValidString(v) {
		t.Fatalf("entry %d: %s %q is empty, padded, too long or not UTF-8", i+1, field, v)
	}
	for _, r := range v {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			t.Fatalf("entry %d: %s %q contains %U", i+1, field, v, r)
		}
	}
}
