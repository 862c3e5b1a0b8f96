package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/neterr"
	"github.com/hybridmgmt/hybridmgmt/pkg/redact"
)

// oauthError is the error body of the Entra token and device code
// endpoints (RFC 6749 §5.2 plus Entra's fields).
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
}

// aadstsRE finds the code Entra puts at the start of error_description
// when an answer lacks error_codes (MSAL's device-code poller keeps only the
// description). Only the code is read, never the text after it.
var aadstsRE = regexp.MustCompile(`^AADSTS(\d+):`)

const mfaHint = "Multi-factor authentication or Conditional Access is required, which username/password sign-in cannot satisfy: use --user-principal-name or --device-code instead of --password-stdin (in PowerShell -UserPrincipalName or -DeviceCode instead of -Credential)."

const reconnectHint = "Run `hybridmgmt connect` (Connect-HybridManagement in PowerShell) to sign in again."

// notSignedInHint is the next step when nothing usable is cached.
const notSignedInHint = "Run `hybridmgmt connect` (Connect-HybridManagement in PowerShell) to sign in, or pass --user-principal-name or app-only credentials."

// aadstsHints are one-sentence next steps for the AADSTS codes users meet
// most, keyed on the code Microsoft documents
// (https://learn.microsoft.com/entra/identity-platform/reference-error-codes),
// never on the description's words. Each becomes the hint of the -o json
// error line (docs/exit-codes.md lists them) and so the PowerShell
// ErrorRecord's RecommendedAction. Our own words only: nothing the server
// sent is repeated in a hint.
var aadstsHints = map[int]string{
	50076:   mfaHint,
	50079:   mfaHint,
	50072:   mfaHint,
	50074:   mfaHint,
	50158:   mfaHint,
	53003:   "Conditional Access blocked this sign-in: ask your administrator which device or location is required, or use --user-principal-name.",
	50126:   "Check the username and password.",
	50034:   "The user was not found: check the UPN and --tenant-id.",
	50053:   "The account is locked after too many attempts: wait, then try again.",
	50057:   "The account is disabled.",
	50055:   "The password has expired: change it in a browser, then try again.",
	7000215: "The client secret is wrong: pass the secret's value (not its id) with --client-secret-stdin or AZURE_CLIENT_SECRET.",
	7000222: "The client secret has expired: create a new one for the app registration.",
	700016:  "Check --client-id (AZURE_CLIENT_ID) and --tenant-id: no application with that id exists in this tenant.",
	90002:   "Check --tenant-id and --cloud: the tenant was not found.",
	900023:  "Check --tenant-id: it must be a tenant GUID or a verified domain.",
	65001:   "Consent is missing: an administrator must grant admin consent for the app's Microsoft Graph permissions (Directory.ReadWrite.All), or connect once as an administrator (docs/auth.md).",
	700027:  "The certificate is not registered on the app registration: upload its public part under Certificates & secrets.",
	7000218: "The app registration does not allow public client flows: enable \"Allow public client flows\" or sign in with --user-principal-name.",
	50011:   "The app registration needs the redirect URI http://localhost under \"Mobile and desktop applications\".",
	700082:  reconnectHint,
	70043:   reconnectHint,
	50173:   reconnectHint,
	50133:   reconnectHint,
	70008:   reconnectHint,
}

// oauthHints are the next steps for RFC 6749 / OpenID Connect error codes
// of an answer that carries no AADSTS code.
var oauthHints = map[string]string{
	"interaction_required": "This sign-in needs a person: run `hybridmgmt connect` (Connect-HybridManagement) interactively, or use --device-code.",
	"login_required":       reconnectHint,
	"consent_required":     aadstsHints[65001],
	"invalid_client":       "Check --client-id and the app's credential (client secret or certificate).",
}

// oauthCodeRE is the shape of an OAuth error code (RFC 6749 §5.2: a short
// ASCII token); anything else is not repeated as a code.
var oauthCodeRE = regexp.MustCompile(`^[a-z_]{1,64}$`)

// signInFailed is a failed sign-in (exit 3, AuthenticationError) whose
// -o json error line carries code (the AADSTS or OAuth error code) and
// hint; the human line ends with the hint too.
func signInFailed(msg, code, hint string) error {
	if hint != "" {
		msg += " " + hint
	}
	return exitcode.WithDetails(exitcode.Wrap(exitcode.ErrAuth, errors.New(msg)), exitcode.Details{Code: code, Hint: hint})
}

// detailsOf are the code and hint a sign-in error carries.
func detailsOf(err error) exitcode.Details {
	var d exitcode.Detailer
	if errors.As(err, &d) {
		return d.ErrorDetails()
	}
	return exitcode.Details{}
}

// wrapErr turns an MSAL or transport error into one line of the right
// exit-code kind: AADSTS and OAuth errors are ErrAuth, unreachable or
// failing (5xx, 429) authorities are ErrUnavailable, cancellation passes
// through unchanged. Secrets from the Config are redacted.
func (c *Client) wrapErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if ne, ok := neterr.As(err); ok {
		// The transport said it in plain words; MSAL's wrapping only adds
		// the request line.
		return ne
	}
	if errors.Is(err, exitcode.ErrAuth) || errors.Is(err, exitcode.ErrUsage) || errors.Is(err, exitcode.ErrUnavailable) {
		return err // already ours
	}
	if errors.Is(err, errAppSecretNeeded) {
		return exitcode.WithDetails(exitcode.Wrap(exitcode.ErrAuth, errAppSecretNeeded),
			exitcode.Details{Hint: "Pass the client secret again (--client-secret-stdin, -ClientSecret or AZURE_CLIENT_SECRET), or run `hybridmgmt connect` (Connect-HybridManagement) again."})
	}
	var refused *refusedError
	if errors.As(err, &refused) {
		// Our own transport stopped it (redirect, non-https URL, oversized
		// answer): retrying cannot help, so not exit 6 (transport.go).
		return exitcode.Wrap(exitcode.ErrAuth, fmt.Errorf("sign-in failed: %s", c.bound(refused.msg)))
	}
	var ce msalerrors.CallErr
	if errors.As(err, &ce) {
		return c.callErr(ce)
	}
	if msg, ok := networkCause(err); ok {
		return exitcode.Wrap(exitcode.ErrUnavailable, fmt.Errorf("cannot reach the sign-in service %s: %s", c.host(), c.bound(msg)))
	}
	return exitcode.Wrap(exitcode.ErrAuth, fmt.Errorf("sign-in failed: %s", c.bound(err.Error())))
}

// maxSignInText bounds server-influenced text in a sign-in error (MSAL's
// messages quote the answer's body): the error stays one short line.
const maxSignInText = 400

// bound redacts (secrets of this Config, tokens, credentials in forms
// and JSON) and then bounds s to one line.
func (c *Client) bound(s string) string {
	return redact.ServerText(s, maxSignInText, c.secrets...)
}

// callErr classifies an HTTP error answer of the authority.
func (c *Client) callErr(ce msalerrors.CallErr) error {
	status := 0
	if ce.Resp != nil {
		status = ce.Resp.StatusCode
	}
	oe, parsed := parseOAuthError(ce)
	detail := ""
	if parsed {
		detail = c.bound(describe(oe))
	}
	if status >= 500 || status == 429 {
		msg := fmt.Sprintf("the sign-in service %s is unavailable (HTTP %d)", c.host(), status)
		if detail != "" {
			msg += ": " + detail
		}
		return exitcode.Wrap(exitcode.ErrUnavailable, errors.New(oneLine(c.redact(msg))))
	}
	if detail == "" {
		detail = fmt.Sprintf("HTTP %d from %s", status, c.endpointOf(ce))
	}
	code, hint := codeAndHint(oe)
	return signInFailed(oneLine(c.redact("sign-in failed: "+detail)), code, hint)
}

// codeAndHint names the answer's error by its AADSTS code (else its OAuth
// error code) and picks the hint for it.
func codeAndHint(oe oauthError) (code, hint string) {
	if n := aadstsCode(oe); n != 0 {
		return "AADSTS" + strconv.Itoa(n), aadstsHints[n]
	}
	if oauthCodeRE.MatchString(oe.Error) {
		return oe.Error, oauthHints[oe.Error]
	}
	return "", ""
}

// parseOAuthError finds the JSON error body: in the response when nobody
// has read it, else in MSAL's message, which ends with the body (MSAL's
// device code poller consumes the response body).
func parseOAuthError(ce msalerrors.CallErr) (oauthError, bool) {
	var oe oauthError
	if ce.Resp != nil && ce.Resp.Body != nil {
		if b, err := io.ReadAll(io.LimitReader(ce.Resp.Body, 64<<10)); err == nil && len(b) > 0 {
			if json.Unmarshal(b, &oe) == nil && (oe.Error != "" || oe.ErrorDescription != "") {
				return oe, true
			}
		}
	}
	if ce.Err != nil {
		msg := ce.Err.Error()
		if i := strings.Index(msg, "{"); i >= 0 {
			if json.Unmarshal([]byte(msg[i:]), &oe) == nil && (oe.Error != "" || oe.ErrorDescription != "") {
				return oe, true
			}
		}
	}
	return oauthError{}, false
}

// describe is "AADSTS50126: <first sentence>" or "<error>: <first sentence>".
func describe(oe oauthError) string {
	d := firstSentence(oe.ErrorDescription)
	if code := aadstsCode(oe); code != 0 && !strings.Contains(d, "AADSTS") {
		d = "AADSTS" + strconv.Itoa(code) + ": " + d
	}
	if d == "" {
		return oe.Error
	}
	if strings.HasPrefix(d, "AADSTS") || oe.Error == "" {
		return d
	}
	return oe.Error + ": " + d
}

// aadstsCode is the answer's AADSTS code: error_codes, Entra's structured
// field, else the code that starts error_description.
func aadstsCode(oe oauthError) int {
	if len(oe.ErrorCodes) > 0 && oe.ErrorCodes[0] > 0 {
		return oe.ErrorCodes[0]
	}
	if m := aadstsRE.FindStringSubmatch(strings.TrimSpace(oe.ErrorDescription)); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// firstSentence keeps the first line of an Entra error description (the
// rest is Trace ID, Correlation ID, Timestamp) and of that the first
// sentence.
func firstSentence(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	return strings.TrimSpace(s)
}

// networkCause reports whether err is a transport failure (connection,
// DNS, TLS, timeout) and gives its innermost useful text.
func networkCause(err error) (string, bool) {
	var (
		opErr   *net.OpError
		dnsErr  *net.DNSError
		unkCA   x509.UnknownAuthorityError
		hostErr x509.HostnameError
		certErr *tls.CertificateVerificationError
		urlErr  *url.Error
		netErr  net.Error
	)
	switch {
	case errors.As(err, &certErr), errors.As(err, &unkCA), errors.As(err, &hostErr):
		return "TLS certificate not trusted (" + oneLine(innermost(err)) + "); check --proxy and the system's CA trust", true
	case errors.As(err, &dnsErr):
		return dnsErr.Error(), true
	case errors.As(err, &opErr):
		return opErr.Error(), true
	case errors.Is(err, context.DeadlineExceeded):
		// MSAL's own 30 s bound per request (the caller's ctx is alive).
		// Before the url.Error and net.Error cases: the client wraps it in
		// a url.Error, and it is a net.Error itself.
		return "no answer in time", true
	case errors.As(err, &urlErr):
		return oneLine(urlErr.Err.Error()), true
	case errors.As(err, &netErr):
		return oneLine(netErr.Error()), true
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return "connection closed early", true
	}
	return "", false
}

func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// isOAuthOrNetwork reports whether a silent failure came from the
// authority's answer or the network, rather than from an empty cache.
func isOAuthOrNetwork(err error) bool {
	var ce msalerrors.CallErr
	if errors.As(err, &ce) {
		return true
	}
	_, ok := networkCause(err)
	return ok
}

// host is the authority's scheme://host for messages.
func (c *Client) host() string { return strings.TrimRight(c.cfg.AuthorityHost, "/") }

// endpointOf names the URL of a failed call without its query.
func (c *Client) endpointOf(ce msalerrors.CallErr) string {
	if ce.Req != nil && ce.Req.URL != nil {
		u := *ce.Req.URL
		u.RawQuery, u.Fragment, u.User = "", "", nil
		return u.String()
	}
	return c.host()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
