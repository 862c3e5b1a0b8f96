package connectivity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/redact"
	"github.com/hybridmgmt/hybridmgmt/pkg/validate"
)

// Limits for --endpoints-file: far above any real list, low enough that a
// wrong file (a log, a dump) is refused before it costs anything.
const (
	MaxEndpointsFileSize = 1 << 20
	maxFileEntries       = 1000
	maxFieldLength       = 256
)

// fileEntry is the documented JSON shape of one entry.
type fileEntry struct {
	Name            *string         `json:"name"`
	Host            *string         `json:"host"`
	Port            json.RawMessage `json:"port"`
	Check           *string         `json:"check"`
	Category        *string         `json:"category"`
	ExpectedIssuers []string        `json:"expectedIssuers"`
}

// ParseEndpointsFile decodes an --endpoints-file: a JSON array of
// {"name","host","port","check","category","expectedIssuers"}. Every error
// is a usage error (exit 2) and names the offending entry (1-based index
// and, when readable, its name) so a long file can be fixed without
// guessing.
func ParseEndpointsFile(data []byte) ([]Endpoint, error) {
	es, err := parseEndpointsFile(data)
	if err != nil {
		return nil, exitcode.Wrap(exitcode.ErrUsage, err)
	}
	return es, nil
}

func parseEndpointsFile(data []byte) ([]Endpoint, error) {
	if len(data) > MaxEndpointsFileSize {
		return nil, fmt.Errorf("the file is larger than %d bytes", MaxEndpointsFileSize)
	}
	// Windows PowerShell 5.1's Out-File and Set-Content -Encoding UTF8
	// write a byte-order mark; JSON parsers refuse it, people do not.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("not a JSON array of endpoint objects: %s", redact.Cut(err.Error(), 200))
	}
	if len(raw) == 0 {
		return nil, errors.New("the file lists no endpoints")
	}
	if len(raw) > maxFileEntries {
		return nil, fmt.Errorf("the file lists %d endpoints; at most %d are accepted", len(raw), maxFileEntries)
	}
	out := make([]Endpoint, 0, len(raw))
	seen := map[string]int{}
	for i, r := range raw {
		e, err := parseEntry(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", entryLabel(i, r), err)
		}
		key := strings.ToLower(e.Category) + "\x00" + strings.ToLower(e.Name)
		if j, dup := seen[key]; dup {
			return nil, fmt.Errorf("%s: the name %q is already used in category %q by entry %d; names must be unique per category", entryLabel(i, r), e.Name, e.Category, j+1)
		}
		seen[key] = i
		out = append(out, e)
	}
	return out, nil
}

// entryLabel names an entry for errors, quoting its name only when it is
// printable text.
func entryLabel(i int, r json.RawMessage) string {
	var probe struct {
		Name string `json:"name"`
	}
	label := fmt.Sprintf("entry %d", i+1)
	if json.Unmarshal(r, &probe) == nil && probe.Name != "" && checkText(probe.Name) == nil {
		label += fmt.Sprintf(" (%q)", probe.Name)
	}
	return label
}

func parseEntry(r json.RawMessage) (Endpoint, error) {
	// encoding/json takes the last of duplicate keys and matches keys
	// without regard to case, so {"host":"a","Host":"b"} would silently
	// probe b: refuse what a reader of the file would read differently.
	if err := checkKeys(r); err != nil {
		return Endpoint{}, err
	}
	var fe fileEntry
	dec := json.NewDecoder(bytes.NewReader(r))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fe); err != nil {
		return Endpoint{}, fmt.Errorf("not a valid endpoint object: %s", redact.Cut(strings.TrimPrefix(err.Error(), "json: "), 200))
	}
	var e Endpoint
	var err error
	if e.Name, err = requiredText("name", fe.Name); err != nil {
		return Endpoint{}, err
	}
	if e.Category, err = requiredText("category", fe.Category); err != nil {
		return Endpoint{}, err
	}
	if fe.Host == nil {
		return Endpoint{}, errors.New(`"host" is required`)
	}
	if e.Host, err = validate.Host(`"host"`, *fe.Host, true); err != nil {
		return Endpoint{}, err
	}
	if e.Port, err = parsePort(fe.Port); err != nil {
		return Endpoint{}, err
	}
	if fe.Check == nil {
		return Endpoint{}, errors.New(`"check" is required (tcp, tls or https)`)
	}
	switch c := Check(*fe.Check); c {
	case CheckTCP, CheckTLS, CheckHTTPS:
		e.Check = c
	default:
		return Endpoint{}, fmt.Errorf(`"check" %s is not one of tcp, tls, https`, quoteField(*fe.Check))
	}
	for _, iss := range fe.ExpectedIssuers {
		if err := checkText(iss); err != nil {
			return Endpoint{}, fmt.Errorf(`"expectedIssuers" entry %s: %w`, quoteField(iss), err)
		}
		e.ExpectedIssuers = append(e.ExpectedIssuers, strings.TrimSpace(iss))
	}
	if len(e.ExpectedIssuers) > 0 && e.Check == CheckTCP {
		return Endpoint{}, errors.New(`"expectedIssuers" needs "check" tls or https (a tcp check sees no certificate)`)
	}
	e.Source = "--endpoints-file"
	return e, nil
}

// checkKeys refuses an entry object with a key given twice, in any mix
// of case, and keys that differ from the documented ones only in case.
func checkKeys(r json.RawMessage) error {
	dec := json.NewDecoder(bytes.NewReader(r))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("not a valid endpoint object: expected a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("not a valid endpoint object: %s", redact.Cut(strings.TrimPrefix(err.Error(), "json: "), 200))
		}
		key, _ := tok.(string)
		lower := strings.ToLower(key)
		if seen[lower] {
			return fmt.Errorf("the key %s appears more than once (keys are compared without regard to case)", quoteField(key))
		}
		seen[lower] = true
		if known, ok := knownKeys[lower]; ok && known != key {
			return fmt.Errorf("the key %s must be spelled %q", quoteField(key), known)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return fmt.Errorf("not a valid endpoint object: %s", redact.Cut(strings.TrimPrefix(err.Error(), "json: "), 200))
		}
	}
	return nil
}

// knownKeys are the documented keys by their lower-case form.
var knownKeys = map[string]string{
	"name": "name", "host": "host", "port": "port", "check": "check",
	"category": "category", "expectedissuers": "expectedIssuers",
}

func requiredText(field string, v *string) (string, error) {
	if v == nil {
		return "", fmt.Errorf("%q is required", field)
	}
	s := strings.TrimSpace(*v)
	if err := checkText(s); err != nil {
		return "", fmt.Errorf("%q: %w", field, err)
	}
	return s, nil
}

// checkText refuses what would print badly or deceptively in a table.
func checkText(s string) error {
	// ifs rather than a switch: Go's coverage profile, which the mutation
	// tests read, does not see case expressions (docs/testing.md).
	if strings.TrimSpace(s) == "" {
		return errors.New("must not be empty")
	}
	if len(s) > maxFieldLength {
		return fmt.Errorf("is longer than %d bytes", maxFieldLength)
	}
	if !utf8.ValidString(s) {
		return errors.New("is not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return errors.New("contains a control or formatting character")
		}
	}
	return nil
}

func parsePort(raw json.RawMessage) (int, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, errors.New(`"port" is required (1-65535)`)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf(`"port" %s is not an integer (1-65535)`, showRaw(s))
	}
	if n < 1 || n > 65535 {
		return 0, fmt.Errorf(`"port" %d is out of range (1-65535)`, n)
	}
	return n, nil
}

// Values quoted in errors are cut to this many bytes: a 1 MiB "check"
// must not become a 1 MiB error line.
const maxShown = 64

// quoteField quotes a string value for an error, escaping everything but
// printable ASCII (no control, bidi or invalid bytes reach the terminal).
func quoteField(v string) string {
	return strconv.QuoteToASCII(redact.Cut(v, maxShown))
}

// showRaw shows raw JSON text as it is when it is short printable ASCII,
// else quoted and cut.
func showRaw(raw string) string {
	if len(raw) <= maxShown {
		plain := true
		for i := 0; i < len(raw); i++ {
			plain = plain && raw[i] >= 0x20 && raw[i] < 0x7f
		}
		if plain {
			return raw
		}
	}
	return quoteField(raw)
}
