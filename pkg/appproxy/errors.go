package appproxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/redact"
)

// Error is a failed Graph call, decoded from Graph's OData error envelope.
// Clients branch on Code, never on Message (Graph's own guidance).
type Error struct {
	Status    int
	Code      string
	Message   string
	RequestID string
	// ClientRequestID is the id this client sent; support asks for both.
	ClientRequestID string
	// DetailCode is details[0].code, often more telling than Code (R9).
	DetailCode string
	// Hint says what the user can do, e.g. which role is missing.
	Hint string
	// Op names the operation ("list connector groups").
	Op string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "Graph returned %d", e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.DetailCode != "" && e.DetailCode != e.Code {
		b.WriteString(" (" + e.DetailCode + ")")
	}
	if e.Message != "" {
		b.WriteString(": " + firstLine(e.Message))
	}
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	// An if chain, not a switch: Go's coverage profile does not cover case
	// expressions, so mutation testing could not see these tests reach them.
	if e.RequestID != "" && e.ClientRequestID != "" {
		b.WriteString(" [request-id " + e.RequestID + ", client-request-id " + e.ClientRequestID + "]")
	} else if e.RequestID != "" {
		b.WriteString(" [request-id " + e.RequestID + "]")
	} else if e.ClientRequestID != "" {
		b.WriteString(" [client-request-id " + e.ClientRequestID + "]")
	}
	return b.String()
}

// Is maps HTTP outcomes to the CLI's exit-code kinds.
func (e *Error) Is(target error) bool {
	switch target {
	case exitcode.ErrAuth:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
	case exitcode.ErrPermissionDenied:
		return e.Status == http.StatusForbidden
	case exitcode.ErrNotFound:
		return e.Status == http.StatusNotFound
	case exitcode.ErrUnavailable:
		return e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable || e.Status == http.StatusInternalServerError ||
			e.Status == http.StatusGatewayTimeout || e.Status == http.StatusBadGateway
	}
	return false
}

// ErrorDetails gives the machine-readable error line (-o json) Graph's code,
// the hint and both request ids.
func (e *Error) ErrorDetails() exitcode.Details {
	code := e.Code
	if code == "" {
		code = e.DetailCode
	}
	return exitcode.Details{Code: code, Hint: e.Hint, RequestID: e.RequestID, ClientRequestID: e.ClientRequestID}
}

// IsNotFound reports whether err is a Graph 404.
func IsNotFound(err error) bool {
	var ge *Error
	return errors.As(err, &ge) && ge.Status == http.StatusNotFound
}

type envelope struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Code string `json:"code"`
		} `json:"details"`
		InnerError struct {
			RequestID string `json:"request-id"`
		} `json:"innerError"`
	} `json:"error"`
}

// decodeError builds an Error from a non-2xx response body (already size
// limited by the caller). A body that is not an envelope still yields the
// status, which is what the exit code depends on. Every server string is
// bounded: the error becomes one line on the user's terminal.
func decodeError(op string, status int, header http.Header, body []byte) *Error {
	e := &Error{Op: op, Status: status, RequestID: requestID(header, "request-id")}
	var env envelope
	if json.Unmarshal(body, &env) == nil {
		// Bounded below, after redaction: cutting first could leave the
		// start of a credential that redaction no longer recognises.
		e.Code, e.Message = env.Error.Code, env.Error.Message
		if len(env.Error.Details) > 0 {
			e.DetailCode = redact.ServerText(sanitizeID(env.Error.Details[0].Code), maxCodeBytes)
		}
		if e.RequestID == "" {
			e.RequestID = sanitizeID(env.Error.InnerError.RequestID)
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	// Server text is redacted like our logs (a server that reflects the
	// Authorization header must not put the token on stderr) and bounded.
	e.Code = redact.ServerText(e.Code, maxCodeBytes)
	e.Message = redact.ServerText(firstLine(e.Message), maxMessageBytes)
	if e.RequestID == "" {
		e.RequestID = requestID(header, "client-request-id")
	}
	return e
}

// Bounds on server strings kept in errors.
const (
	maxMessageBytes = 300
	maxCodeBytes    = 100
	maxIDBytes      = 100
)

// cut shortens s to at most n bytes without splitting a UTF-8 sequence,
// marking the cut with "...".
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// maxTransportErrBytes bounds the text of a transport error.
const maxTransportErrBytes = 512

// boundedError keeps a transport error's chain (errors.Is and As still see
// timeouts and resets) but bounds its text: Go's HTTP client copies
// malformed server bytes into its errors ("malformed MIME header line: ..."
// holds a header line of up to 10 MiB, not necessarily UTF-8).
type boundedError struct{ err error }

func (e boundedError) Error() string {
	return redact.ServerText(e.err.Error(), maxTransportErrBytes)
}

func (e boundedError) Unwrap() error { return e.err }

// requestID reads a request-id header for messages and logs.
func requestID(h http.Header, name string) string {
	return sanitizeID(h.Get(name))
}

// sanitizeID keeps what a request id is made of (printable ASCII, no
// spaces) and bounds it: header values may carry any byte.
func sanitizeID(s string) string {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		clean = s[i] > 0x20 && s[i] < 0x7f
	}
	if !clean {
		s = strings.Map(func(r rune) rune {
			if r > 0x20 && r < 0x7f {
				return r
			}
			return -1
		}, s)
	}
	return cut(s, maxIDBytes)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}
