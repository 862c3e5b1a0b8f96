// Package validate checks every user-supplied value before any network call.
// Each function returns a normalised value or an exit-2 error that names the
// flag and says what is accepted; the rejected value is quoted only when it
// cannot be a secret.
package validate

import (
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// Limits on free-form input. A URL of Exchange's kind never nears 2 KiB; a
// longer value is a mistake or an attack.
const (
	MaxURILength  = 2048
	MaxNameLength = 256
	MaxUPNLength  = 256
)

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// quote shows a rejected value safely: control characters escaped, and cut
// so an oversized value cannot flood the terminal.
func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return strconv.QuoteToASCII(s)
}

// checkText rejects empty, oversized, invalid UTF-8 and control-character
// values, the failure modes shared by every free-form flag.
func checkText(flag, s string, max int) error {
	if s == "" {
		return exitcode.Usagef("%s must not be empty", flag)
	}
	if len(s) > max {
		return exitcode.Usagef("%s is too long (%d bytes; at most %d)", flag, len(s), max)
	}
	if !utf8.ValidString(s) {
		return exitcode.Usagef("%s is not valid UTF-8", flag)
	}
	for _, r := range s {
		if unicode.IsControl(r) || isInvisibleControl(r) {
			return exitcode.Usagef("%s contains a control character: %s", flag, quote(s))
		}
	}
	return nil
}

// isInvisibleControl matches format characters that reorder or hide text
// (bidi overrides, line separators): harmless-looking values that display
// differently from what they are.
//
// One expression, not a switch: Go's coverage profile does not cover case
// expressions, so the mutation tool would count them as untested.
func isInvisibleControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' ||
		r == '\u200e' || r == '\u200f' || r == '\u2028' || r == '\u2029' || r == '\u061c'
}

// GUID validates an id such as --app-id and returns it in lower case.
func GUID(flag, s string) (string, error) {
	if err := checkText(flag, s, MaxNameLength); err != nil {
		return "", err
	}
	if !guidRE.MatchString(s) {
		return "", exitcode.Usagef("%s %s is not a GUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", flag, quote(s))
	}
	return strings.ToLower(s), nil
}

// hybridRouteRE matches the published route's host in every cloud
// (msappproxy.net, .us, .cn): <guid>.resource.mailboxmigration.his.msappproxy.<tld>.
var hybridRouteRE = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.resource\.mailboxmigration\.his\.msappproxy\.[a-z]{2,3}\.?$`)

// AppID validates --app-id in the forms Exchange shows an admin and returns
// the lower-case GUID: a GUID in any case, with or without braces (as
// PowerShell and the registry print it), the route host
// <guid>.resource.mailboxmigration.his.msappproxy.net, or a URL on that host
// such as Get-OrganizationRelationship's TargetSharingEpr
// (https://<guid>.resource.../EWS/Exchange.asmx). Surrounding whitespace from
// a paste is trimmed.
func AppID(flag, s string) (string, error) {
	s = strings.TrimSpace(s)
	if err := checkText(flag, s, MaxURILength); err != nil {
		return "", err
	}
	if g := strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}"); len(g) == len(s)-2 && guidRE.MatchString(g) {
		return strings.ToLower(g), nil
	}
	if guidRE.MatchString(s) {
		return strings.ToLower(s), nil
	}
	host := strings.ToLower(s)
	if strings.Contains(host, "://") {
		u, err := url.Parse(host)
		if err != nil || u.User != nil || (u.Scheme != "https" && u.Scheme != "http") {
			return "", appIDError(flag, s)
		}
		host = u.Hostname()
	}
	if m := hybridRouteRE.FindStringSubmatch(host); m != nil {
		return m[1], nil
	}
	return "", appIDError(flag, s)
}

func appIDError(flag, s string) error {
	if strings.Contains(s, "@") {
		// A URL with user info may carry a password: never repeat it.
		return exitcode.Usagef("%s is not an application id and must not contain a user name or password", flag)
	}
	return exitcode.Usagef("%s %s is not an application id: give the GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), the route host <guid>.resource.mailboxmigration.his.msappproxy.net or the TargetSharingEpr URL", flag, quote(s))
}

// lookupProfile is IDNA's lookup profile: it maps (case-folds, normalises) and
// rejects what a DNS lookup would, e.g. disallowed code points and bad bidi.
var lookupProfile = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.BidiRule(), idna.StrictDomainName(true))

var labelRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// Hostname validates a DNS name (IDN allowed) and returns its ASCII (punycode)
// lower-case form. IP literals are not hostnames.
func Hostname(flag, s string) (string, error) {
	if err := checkText(flag, s, MaxNameLength); err != nil {
		return "", err
	}
	ascii, err := lookupProfile.ToASCII(strings.TrimSuffix(s, "."))
	if err != nil {
		return "", exitcode.Usagef("%s %s is not a valid host name: %v", flag, quote(s), err)
	}
	if len(ascii) > 253 {
		return "", exitcode.Usagef("%s %s is longer than DNS allows (253)", flag, quote(s))
	}
	labels := strings.Split(ascii, ".")
	for _, l := range labels {
		if !labelRE.MatchString(l) {
			return "", exitcode.Usagef("%s %s is not a valid host name", flag, quote(s))
		}
	}
	// A name whose last label is a number (decimal, or hex with 0x) is an
	// IPv4 address to URL parsers and resolvers (https://0x7f000001 is
	// 127.0.0.1, as are 2130706433 and 127.1), so it is refused like any
	// IP literal.
	if last := labels[len(labels)-1]; allDigits(last) || isHexNumber(last) {
		return "", exitcode.Usagef("%s %s is not a valid host name (a numeric last label makes it an IP address)", flag, quote(s))
	}
	return ascii, nil
}

// isHexNumber reports "0x" followed by hex digits (or nothing), the
// WHATWG URL standard's hexadecimal IPv4 part.
func isHexNumber(s string) bool {
	rest, ok := strings.CutPrefix(s, "0x")
	if !ok {
		return false
	}
	for _, r := range rest {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Host validates a host name or, when allowIP, an IP literal (IPv6 with or
// without brackets). It returns the normalised host without brackets.
func Host(flag, s string, allowIP bool) (string, error) {
	s = strings.TrimSpace(s) // pasted from a console or a spreadsheet
	if err := checkText(flag, s, MaxNameLength); err != nil {
		return "", err
	}
	bare := strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	if ip := net.ParseIP(bare); ip != nil {
		if !allowIP {
			return "", exitcode.Usagef("%s %s is an IP address: use the server's DNS name (the Exchange certificate names it, not its address)", flag, quote(s))
		}
		return ip.String(), nil
	}
	return Hostname(flag, s)
}

func port(flag, p string) (int, error) {
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return 0, exitcode.Usagef("%s has an invalid port %s (1-65535)", flag, quote(p))
	}
	return n, nil
}

// refuseCredentials rejects any '@' in a URL-shaped value without echoing
// it. None of these options accepts a path, query or fragment, so an '@' can
// only be (part of) user:password@, and a value too malformed to parse may
// still carry a password: no later message may repeat it.
func refuseCredentials(flag, s string) error {
	if strings.Contains(s, "@") {
		return exitcode.Usagef("%s must not contain a user name or password (no '@')", flag)
	}
	return nil
}

// parseURL parses s and rejects what no option here accepts: credentials,
// queries and fragments. Credentials are refused before anything echoes s.
func parseURL(flag, s string) (*url.URL, error) {
	if err := refuseCredentials(flag, s); err != nil {
		return nil, err
	}
	if err := checkText(flag, s, MaxURILength); err != nil {
		return nil, err
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, exitcode.Usagef("%s %s is not a valid URL", flag, quote(s))
	}
	if u.User != nil {
		return nil, exitcode.Usagef("%s must not contain a user name or password", flag)
	}
	if u.RawQuery != "" || u.ForceQuery {
		return nil, exitcode.Usagef("%s %s must not contain a query string", flag, quote(s))
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return nil, exitcode.Usagef("%s %s must not contain a fragment", flag, quote(s))
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, exitcode.Usagef("%s %s is not an absolute URL with a host", flag, quote(s))
	}
	return u, nil
}

// TargetURI validates the on-premises target of the hybrid route
// (--target-uri): an absolute https URI or a bare FQDN (optionally with a
// port), normalised to https://host[:port]/. The route publishes the whole
// server, so a path is refused.
func TargetURI(flag, s string) (string, error) {
	s = strings.TrimSpace(s) // pasted from a console or a spreadsheet
	if err := refuseCredentials(flag, s); err != nil {
		return "", err
	}
	if err := checkText(flag, s, MaxURILength); err != nil {
		return "", err
	}
	raw := s
	if !strings.Contains(s, "://") {
		if strings.ContainsAny(s, "/?#") {
			return "", exitcode.Usagef("%s %s is neither an https URI nor a host name", flag, quote(s))
		}
		raw = "https://" + s + "/"
	}
	u, err := parseURL(flag, raw)
	if err != nil {
		return "", err
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return "", exitcode.Usagef("%s %s must use https (the agent connects to Exchange over TLS)", flag, quote(s))
	}
	if u.Path != "" && u.Path != "/" {
		return "", exitcode.Usagef("%s %s must not contain a path: give the server or load balancer, e.g. https://mail.contoso.com", flag, quote(s))
	}
	host, err := Host(flag, u.Hostname(), false)
	if err != nil {
		return "", err
	}
	out := "https://" + host
	if p := u.Port(); p != "" {
		n, err := port(flag, p)
		if err != nil {
			return "", err
		}
		if n != 443 {
			out += ":" + strconv.Itoa(n)
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return "", exitcode.Usagef("%s %s has an empty port", flag, quote(s))
	}
	return out + "/", nil
}

// EndpointRoot validates an override root such as --graph-endpoint or
// --authority-host: https, a host or IP literal, an optional port, nothing
// else. It returns scheme://host[:port] without a trailing slash.
func EndpointRoot(flag, s string) (string, error) {
	u, err := parseURL(flag, s)
	if err != nil {
		return "", err
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return "", exitcode.Usagef("%s %s must use https", flag, quote(s))
	}
	if u.Path != "" && u.Path != "/" {
		return "", exitcode.Usagef("%s %s must be a root (scheme://host[:port]); the tenant and /beta are appended", flag, quote(s))
	}
	return hostPortURL(flag, "https", u)
}

// ProxyURL validates --proxy: http(s)://host[:port], IP literals allowed, no
// credentials (the Hybrid Agent supports only unauthenticated proxies, and a
// password in argv would be visible to every local user).
func ProxyURL(flag, s string) (string, error) {
	if err := refuseCredentials(flag, s); err != nil {
		return "", err
	}
	if !strings.Contains(s, "://") && s != "" {
		s = "http://" + s
	}
	u, err := parseURL(flag, s)
	if err != nil {
		return "", err
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", exitcode.Usagef("%s %s must be an http:// or https:// proxy", flag, quote(s))
	}
	if u.Path != "" && u.Path != "/" {
		return "", exitcode.Usagef("%s %s must not contain a path", flag, quote(s))
	}
	return hostPortURL(flag, scheme, u)
}

func hostPortURL(flag, scheme string, u *url.URL) (string, error) {
	host, err := Host(flag, u.Hostname(), true)
	if err != nil {
		return "", err
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	out := scheme + "://" + host
	if p := u.Port(); p != "" {
		n, err := port(flag, p)
		if err != nil {
			return "", err
		}
		out += ":" + strconv.Itoa(n)
	} else if strings.HasSuffix(u.Host, ":") {
		return "", exitcode.Usagef("%s has an empty port", flag)
	}
	return out, nil
}

// UPN validates a user principal name and returns it with its domain
// normalised; the domain is what the original module used as the tenant.
func UPN(flag, s string) (upn, domain string, err error) {
	if err := checkText(flag, s, MaxUPNLength); err != nil {
		return "", "", err
	}
	at := strings.LastIndex(s, "@")
	if at <= 0 || at == len(s)-1 || strings.Count(s, "@") != 1 || strings.ContainsAny(s, " \"<>()[],;:\\") {
		return "", "", exitcode.Usagef("%s %s is not a user principal name (user@domain)", flag, quote(s))
	}
	domain, err = Hostname(flag, s[at+1:])
	if err != nil {
		return "", "", err
	}
	if !strings.Contains(domain, ".") {
		return "", "", exitcode.Usagef("%s %s needs a fully qualified domain", flag, quote(s))
	}
	upn = s[:at] + "@" + domain
	if len(upn) > MaxUPNLength {
		// The punycode domain can be longer than the Unicode one.
		return "", "", exitcode.Usagef("%s is too long once its domain is in ASCII (%d bytes; at most %d)", flag, len(upn), MaxUPNLength)
	}
	return upn, domain, nil
}

// Tenant validates --tenant-id: a GUID or a verified domain name.
func Tenant(flag, s string) (string, error) {
	if guidRE.MatchString(s) {
		return strings.ToLower(s), nil
	}
	if err := checkText(flag, s, MaxNameLength); err != nil {
		return "", err
	}
	switch strings.ToLower(s) {
	case "organizations", "common", "consumers":
		return "", exitcode.Usagef("%s %s is not a tenant: give the tenant id or a verified domain", flag, quote(s))
	}
	h, err := Hostname(flag, s)
	if err != nil {
		return "", exitcode.Usagef("%s %s is neither a tenant GUID nor a domain name", flag, quote(s))
	}
	return h, nil
}

// Name validates a free-form display name such as --connector-group.
func Name(flag, s string) (string, error) {
	if err := checkText(flag, s, MaxNameLength); err != nil {
		return "", err
	}
	if strings.TrimSpace(s) != s {
		return "", exitcode.Usagef("%s %s has leading or trailing spaces", flag, quote(s))
	}
	return s, nil
}
