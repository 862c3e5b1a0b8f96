package labtenant

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind names one kind of injected failure.
type FaultKind string

// The fault kinds. Every fault is scoped by a path prefix (and optionally a
// method) and a count.
const (
	// FaultLatency delays matching requests by Delay, then answers normally.
	FaultLatency FaultKind = "latency"
	// FaultStatus answers Status (429, 500, 502, 503, 504, ...) in the
	// family's error shape, with Retry-After when RetryAfter is set.
	FaultStatus FaultKind = "status"
	// FaultMalformed answers 200 with a body that is not valid JSON.
	FaultMalformed FaultKind = "malformed"
	// FaultTruncate answers 200 with a complete HTTP message whose JSON
	// stops half-way (the decoder, not the transport, sees the damage).
	FaultTruncate FaultKind = "truncate"
	// FaultDrop declares the full Content-Length, sends half of it, then
	// hijacks and closes the connection (the transport sees the damage).
	FaultDrop FaultKind = "drop"
	// FaultStall sends 200 headers, then nothing until the client gives up,
	// the lab closes, or Delay (if set) passes; then the connection is cut.
	FaultStall FaultKind = "stall"
	// FaultOversize streams SizeMB MiB (default 20) of valid-looking JSON.
	FaultOversize FaultKind = "oversize"
	// FaultNextLinkLoop makes collection pages link to themselves.
	FaultNextLinkLoop FaultKind = "nextlink-loop"
	// FaultRejectExpand answers $expand=members on connector groups with
	// 400 Request_UnsupportedQuery.
	FaultRejectExpand FaultKind = "reject-expand"
	// FaultRejectExpandBlank answers the same request with Status (default
	// 400) and an error envelope whose code is "" and whose message is
	// vague, as the App Proxy backend does (R9: [G-8929]).
	FaultRejectExpandBlank FaultKind = "reject-expand-blank"
	// FaultTokenError fails the token endpoint in the AAD error shape:
	// AADSTS picks a catalogued error (e.g. 50076), else Status (default
	// 500) with server_error / AADSTS50000. Message, when set, replaces
	// the description's text after the AADSTS code, as a server that
	// echoes what it was sent or pads its answers would.
	FaultTokenError FaultKind = "token-error"

	// The kinds below are not Entra's behaviour but what a client meets
	// between it and Entra (a captive portal, a hijacked DNS name, a
	// broken TLS-inspecting proxy) or from a compromised server: the
	// client's own safeguards are what they exercise.

	// FaultRedirect answers Status (a 3xx, default 307) with Location set
	// to Target followed by the request's path and query.
	FaultRedirect FaultKind = "redirect"
	// FaultDiscoveryEndpoints makes the OpenID configuration hand out
	// Endpoint ("authorization", "token", "device"; empty for all three)
	// at Target instead of at the lab, e.g. an http:// origin.
	FaultDiscoveryEndpoints FaultKind = "discovery-endpoints"
	// FaultAccessToken answers a successful token request with Value as
	// the access_token (a CR/LF, a NUL, megabytes).
	FaultAccessToken FaultKind = "access-token"
	// FaultDeviceCode answers a device-code request normally, but with
	// Target (when set) as the verification_uri and Message appended to
	// the message shown to the user.
	FaultDeviceCode FaultKind = "device-code"
)

// discoveryEndpoints maps FaultDiscoveryEndpoints' Endpoint values to the
// OpenID configuration fields they move.
var discoveryEndpoints = map[string][]string{
	"":              {"authorization_endpoint", "token_endpoint", "device_authorization_endpoint"},
	"authorization": {"authorization_endpoint"},
	"token":         {"token_endpoint"},
	"device":        {"device_authorization_endpoint"},
}

var faultKinds = map[FaultKind]bool{
	FaultLatency: true, FaultStatus: true, FaultMalformed: true, FaultTruncate: true,
	FaultDrop: true, FaultStall: true, FaultOversize: true, FaultNextLinkLoop: true,
	FaultRejectExpand: true, FaultRejectExpandBlank: true, FaultTokenError: true,
	FaultRedirect: true, FaultDiscoveryEndpoints: true, FaultAccessToken: true, FaultDeviceCode: true,
}

// Fault is one injected failure rule.
type Fault struct {
	Kind FaultKind `json:"kind"`
	// Path is a case-insensitive prefix of the request path; empty matches
	// every path (the /_lab/ control routes are never faulted).
	Path string `json:"path,omitempty"`
	// Method limits the rule to one HTTP method; empty matches all.
	Method string `json:"method,omitempty"`
	// Count is how many matching requests the rule affects; 0 or less
	// means every matching request until the faults are replaced.
	Count int `json:"count,omitempty"`
	// Skip lets that many matching requests through untouched first, so a
	// rule can hit the third PATCH of a sequence on one path.
	Skip int `json:"skip,omitempty"`
	// Status is the HTTP status for status, token-error and redirect.
	Status int `json:"status,omitempty"`
	// RetryAfter is sent verbatim as the Retry-After header (status only).
	RetryAfter string `json:"retryAfter,omitempty"`
	// Delay is the latency, or the longest a stall lasts.
	Delay Duration `json:"delay,omitempty"`
	// SizeMB is the oversize body's size in MiB (uncompressed).
	SizeMB int `json:"sizeMB,omitempty"`
	// Gzip sends the oversize body with Content-Encoding: gzip: a small
	// answer on the wire that decompresses to SizeMB (a gzip bomb).
	Gzip bool `json:"gzip,omitempty"`
	// Error and AADSTS shape a token-error answer.
	Error  string `json:"error,omitempty"`
	AADSTS int    `json:"aadsts,omitempty"`
	// Message is a token-error's description text or what a device-code
	// fault appends to the user's message.
	Message string `json:"message,omitempty"`
	// Target is an absolute http(s) URL: where a redirect points, where
	// discovery-endpoints sends the client, a device-code fault's
	// verification_uri.
	Target string `json:"target,omitempty"`
	// Endpoint picks the discovery-endpoints field to move.
	Endpoint string `json:"endpoint,omitempty"`
	// Value is the access-token fault's access_token.
	Value string `json:"value,omitempty"`
	// Fired counts how often the rule has acted (read-only).
	Fired int `json:"fired"`
}

// Validate reports a rule that cannot act.
func (f Fault) Validate() error {
	if !faultKinds[f.Kind] {
		return fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	if f.Path != "" && !strings.HasPrefix(f.Path, "/") {
		return fmt.Errorf("fault path %q must start with /", f.Path)
	}
	if f.Kind == FaultRedirect {
		if f.Status != 0 && (f.Status < 300 || f.Status > 399) {
			return fmt.Errorf("redirect status %d is not a 3xx", f.Status)
		}
	} else if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		return fmt.Errorf("fault status %d is not a 4xx or 5xx", f.Status)
	}
	if (f.Kind == FaultRedirect || f.Kind == FaultDiscoveryEndpoints) && f.Target == "" {
		return fmt.Errorf("%s fault needs a target", f.Kind)
	}
	if f.Target != "" {
		if u, err := url.Parse(f.Target); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("fault target %q is not an absolute http or https URL", f.Target)
		}
	}
	if _, ok := discoveryEndpoints[f.Endpoint]; !ok {
		return fmt.Errorf("fault endpoint %q is not authorization, token or device", f.Endpoint)
	}
	if f.AADSTS != 0 {
		if _, ok := aadCatalogue[f.AADSTS]; !ok {
			return fmt.Errorf("AADSTS%d is not in the lab's catalogue (%s)", f.AADSTS, catalogueCodes())
		}
	}
	if f.Kind == FaultLatency && f.Delay <= 0 {
		return fmt.Errorf("latency fault needs a delay")
	}
	if f.Skip < 0 {
		return fmt.Errorf("fault skip %d is negative", f.Skip)
	}
	if f.SizeMB < 0 || f.SizeMB > 1024 {
		return fmt.Errorf("sizeMB %d is out of range 0..1024", f.SizeMB)
	}
	return nil
}

// ParseFault reads the compact form used by `hybridlab serve --fault`:
// kind[,key=value]... with keys path, method, count, skip, status,
// retry-after, delay, size-mb, gzip, error, aadsts, message, target,
// endpoint, value. Example:
//
//	status,path=/beta/applications,count=2,status=429,retry-after=1
func ParseFault(spec string) (Fault, error) {
	parts := strings.Split(spec, ",")
	f := Fault{Kind: FaultKind(strings.TrimSpace(parts[0]))}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok {
			return Fault{}, fmt.Errorf("fault %q: %q is not key=value", spec, p)
		}
		var err error
		switch strings.ToLower(strings.ReplaceAll(k, "-", "")) {
		case "path":
			f.Path = v
		case "method":
			f.Method = strings.ToUpper(v)
		case "count":
			f.Count, err = strconv.Atoi(v)
		case "skip":
			f.Skip, err = strconv.Atoi(v)
		case "status":
			f.Status, err = strconv.Atoi(v)
		case "retryafter":
			f.RetryAfter = v
		case "delay":
			var d time.Duration
			d, err = parseDuration(v)
			f.Delay = Duration(d)
		case "sizemb":
			f.SizeMB, err = strconv.Atoi(v)
		case "error":
			f.Error = v
		case "aadsts":
			f.AADSTS, err = strconv.Atoi(strings.TrimPrefix(strings.ToUpper(v), "AADSTS"))
		case "gzip":
			f.Gzip, err = strconv.ParseBool(v)
		case "message":
			f.Message = v
		case "target":
			f.Target = v
		case "endpoint":
			f.Endpoint = v
		case "value":
			f.Value = v
		default:
			return Fault{}, fmt.Errorf("fault %q: unknown key %q", spec, k)
		}
		if err != nil {
			return Fault{}, fmt.Errorf("fault %q: %s: %w", spec, k, err)
		}
	}
	if err := f.Validate(); err != nil {
		return Fault{}, err
	}
	return f, nil
}

// faultSet holds the active rules. Rules are consulted in order; a rule
// whose count is used up stays listed (with its Fired count) but no longer
// matches, so tests can read back what fired.
type faultSet struct {
	mu    sync.Mutex
	rules []*faultRule
}

type faultRule struct {
	Fault
	left    int // remaining uses when Count > 0
	skipped int // matching requests let through so far
}

func (fs *faultSet) set(faults []Fault) error {
	rules := make([]*faultRule, 0, len(faults))
	for _, f := range faults {
		if err := f.Validate(); err != nil {
			return err
		}
		f.Fired = 0
		rules = append(rules, &faultRule{Fault: f, left: f.Count})
	}
	fs.mu.Lock()
	fs.rules = rules
	fs.mu.Unlock()
	return nil
}

func (fs *faultSet) add(f Fault) error {
	if err := f.Validate(); err != nil {
		return err
	}
	f.Fired = 0
	fs.mu.Lock()
	fs.rules = append(fs.rules, &faultRule{Fault: f, left: f.Count})
	fs.mu.Unlock()
	return nil
}

func (fs *faultSet) list() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Fault, 0, len(fs.rules))
	for _, r := range fs.rules {
		f := r.Fault
		if f.Count > 0 {
			f.Count = r.left
		}
		out = append(out, f)
	}
	return out
}

func (r *faultRule) matches(req *http.Request) bool {
	if r.Count > 0 && r.left <= 0 {
		return false
	}
	if r.Method != "" && !strings.EqualFold(r.Method, req.Method) {
		return false
	}
	if !strings.HasPrefix(strings.ToLower(req.URL.Path), strings.ToLower(r.Path)) {
		return false
	}
	// A match inside the skip window is let through and counted; the
	// caller holds the set's lock.
	if r.skipped < r.Skip {
		r.skipped++
		return false
	}
	return true
}

func (r *faultRule) consume() Fault {
	if r.Count > 0 {
		r.left--
	}
	r.Fired++
	return r.Fault
}

// take consumes and returns the first live rule of the given kind that
// matches the request.
func (fs *faultSet) take(kind FaultKind, req *http.Request) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, r := range fs.rules {
		if r.Kind == kind && r.matches(req) {
			return r.consume(), true
		}
	}
	return Fault{}, false
}

// generic answers for the kinds that replace any response, in rule order.
// Latency rules are all applied (summed) and do not stop the search.
func (fs *faultSet) takeGeneric(req *http.Request, tokenEndpoint bool) (delay time.Duration, f Fault, ok bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, r := range fs.rules {
		// The kind is checked before matches, which counts skips: a rule
		// of another kind must not see this request.
		switch r.Kind {
		case FaultLatency:
			if r.matches(req) {
				delay += time.Duration(r.consume().Delay)
			}
		case FaultStatus, FaultMalformed, FaultTruncate, FaultDrop, FaultStall, FaultOversize, FaultRedirect:
			if !ok && r.matches(req) {
				f, ok = r.consume(), true
			}
		case FaultTokenError:
			if tokenEndpoint && !ok && r.matches(req) {
				f, ok = r.consume(), true
			}
		}
	}
	return delay, f, ok
}
