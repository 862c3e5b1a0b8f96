package appproxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// Error is a failed Graph call, decoded from Graph's OData error envelope.
// Clients branch on Code, never on Message (Graph's own guidance).
type Error struct {
	Status    int
	Code      string
	Message   string
	RequestID string
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
	if e.Message != "" {
		b.WriteString(": " + firstLine(e.Message))
	}
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	if e.RequestID != "" {
		b.WriteString(" [request-id " + e.RequestID + "]")
	}
	return b.String()
}

// Is maps HTTP outcomes to the CLI's exit-code kinds.
func (e *Error) Is(target error) bool {
	switch target {
	case exitcode.ErrAuth:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
	case exitcode.ErrNotFound:
		return e.Status == http.StatusNotFound
	case exitcode.ErrUnavailable:
		return e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable ||
			e.Status == http.StatusGatewayTimeout || e.Status == http.StatusBadGateway
	}
	return false
}

// IsNotFound reports whether err is a Graph 404.
func IsNotFound(err error) bool {
	var ge *Error
	return errors.As(err, &ge) && ge.Status == http.StatusNotFound
}

type envelope struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError struct {
			RequestID string `json:"request-id"`
		} `json:"innerError"`
	} `json:"error"`
}

// decodeError builds an Error from a non-2xx response body (already size
// limited by the caller). A body that is not an envelope still yields the
// status, which is what the exit code depends on.
func decodeError(op string, status int, header http.Header, body []byte) *Error {
	e := &Error{Op: op, Status: status, RequestID: header.Get("request-id")}
	var env envelope
	if json.Unmarshal(body, &env) == nil {
		e.Code, e.Message = env.Error.Code, env.Error.Message
		if e.RequestID == "" {
			e.RequestID = env.Error.InnerError.RequestID
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	if len(e.Message) > 300 {
		e.Message = e.Message[:300] + "..."
	}
	if e.RequestID == "" {
		e.RequestID = header.Get("client-request-id")
	}
	return e
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}
