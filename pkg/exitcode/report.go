package exitcode

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// Refinements of the kinds above: each is also its parent kind for Of (it
// wraps it), and only changes the category a failure is reported with.
var (
	// ErrPermissionDenied: signed in, but not allowed (Graph 403, app-only
	// credentials on a delegated-only API, a missing scope or role). Exit 3.
	ErrPermissionDenied = fmt.Errorf("permission denied: %w", ErrAuth)
	// ErrHealthGate: a health gate (get-hybridagent --min-active) failed,
	// as opposed to a connectivity check. Exit 5.
	ErrHealthGate = fmt.Errorf("health gate failed: %w", ErrChecksFailed)
	// ErrMalformed: the service answered, but not with what it documents.
	// Exit 1.
	ErrMalformed = errors.New("malformed answer")
)

// Category names are System.Management.Automation.ErrorCategory values: the
// PowerShell module puts them on its ErrorRecords as they are.
const (
	CategoryNotSpecified        = "NotSpecified"
	CategoryInvalidData         = "InvalidData"
	CategoryInvalidArgument     = "InvalidArgument"
	CategoryAuthenticationError = "AuthenticationError"
	CategoryPermissionDenied    = "PermissionDenied"
	CategoryObjectNotFound      = "ObjectNotFound"
	CategoryConnectionError     = "ConnectionError"
	CategoryInvalidResult       = "InvalidResult"
	CategoryResourceUnavailable = "ResourceUnavailable"
	CategoryOperationStopped    = "OperationStopped"
)

// CategoryRule is one row of the exit code -> category table: the default
// category of an exit code, and the refinement (with the kind that selects
// it) where the code has one. The PowerShell module's table is generated
// from Categories (cmd/genpsmodule).
type CategoryRule struct {
	ExitCode    int
	Default     string
	Alternative string // "" when the code has one category
	When        error  // the kind that selects Alternative
}

// Categories is the one table of exit codes and their ErrorCategory names
// (docs/exit-codes.md). A new exit code needs a row here (and in the docs
// table); cmd/genpsmodule then carries it into the PowerShell module.
var Categories = []CategoryRule{
	{Unexpected, CategoryNotSpecified, CategoryInvalidData, ErrMalformed},
	{Usage, CategoryInvalidArgument, "", nil},
	{Auth, CategoryAuthenticationError, CategoryPermissionDenied, ErrPermissionDenied},
	{NotFound, CategoryObjectNotFound, "", nil},
	{ChecksFailed, CategoryConnectionError, CategoryInvalidResult, ErrHealthGate},
	{Unavailable, CategoryResourceUnavailable, "", nil},
	{Interrupted, CategoryOperationStopped, "", nil},
}

// CategoryOf returns the ErrorCategory name for a failed command's error
// and exit code; an exit code the table lacks is NotSpecified.
func CategoryOf(err error, code int) string {
	for _, r := range Categories {
		if r.ExitCode != code {
			continue
		}
		if r.When != nil && errors.Is(err, r.When) {
			return r.Alternative
		}
		return r.Default
	}
	return CategoryNotSpecified
}

// Details are the facts an error may carry beyond its message. Errors from
// a service implement Detailer (pkg/appproxy's *Error does).
type Details struct {
	Code            string
	Hint            string
	RequestID       string
	ClientRequestID string
}

// Detailer is implemented by errors that carry Details.
type Detailer interface {
	ErrorDetails() Details
}

// Report is the machine-readable form of a failure: with -o json it is the
// last line on stderr, {"error":{...}} (docs/exit-codes.md). Empty fields
// are left out; message is always there.
type Report struct {
	ExitCode        int    `json:"exitCode"`
	Category        string `json:"category"`
	Code            string `json:"code,omitempty"`
	Message         string `json:"message"`
	Hint            string `json:"hint,omitempty"`
	RequestID       string `json:"requestId,omitempty"`
	ClientRequestID string `json:"clientRequestId,omitempty"`
}

// NewReport classifies err. message is the text the human line shows
// (already escaped for a terminal); "" uses err's own text.
func NewReport(err error, message string) Report {
	code := Of(err)
	if message == "" && err != nil {
		message = err.Error()
	}
	r := Report{ExitCode: code, Category: CategoryOf(err, code), Message: clean(message)}
	var d Detailer
	if errors.As(err, &d) {
		det := d.ErrorDetails()
		r.Code, r.Hint = clean(det.Code), clean(det.Hint)
		r.RequestID, r.ClientRequestID = clean(det.RequestID), clean(det.ClientRequestID)
	}
	if r.Message == "" {
		r.Message = fmt.Sprintf("failed with exit code %d", code)
	}
	return r
}

// WriteJSONLine writes err's Report as one line {"error":{...}} to w.
func WriteJSONLine(w io.Writer, err error, message string) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(struct {
		Error Report `json:"error"`
	}{NewReport(err, message)})
}

// clean keeps a field on one line and free of terminal controls: JSON
// escapes them anyway, but a reader that prints a field must not be able to
// be steered by server text (bidi overrides included).
func clean(s string) string {
	// ifs, not a switch: coverage (so mutation testing) sees an if's
	// condition, not a case's.
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, s))
}

// detailedError is an error with Details it did not carry itself.
type detailedError struct {
	err error
	d   Details
}

func (e *detailedError) Error() string         { return e.err.Error() }
func (e *detailedError) Unwrap() error         { return e.err }
func (e *detailedError) ErrorDetails() Details { return e.d }

// WithDetails gives err's error line a code and a hint (sign-in failures:
// the AADSTS code and what to do about it). err keeps its message and kind.
func WithDetails(err error, d Details) error {
	if err == nil {
		return nil
	}
	return &detailedError{err: err, d: d}
}
