// Package exitcode is the one place where errors become process exit codes.
//
// Packages never pick numbers themselves: they wrap one of the sentinel kinds
// below (or implement Is for them), and Of maps the kind to the documented code.
package exitcode

import (
	"context"
	"errors"
	"fmt"
)

// The documented exit codes (README, docs/exit-codes.md and the PowerShell
// module's ErrorCategory mapping depend on these numbers).
const (
	OK           = 0
	Unexpected   = 1
	Usage        = 2
	Auth         = 3
	NotFound     = 4
	ChecksFailed = 5
	Unavailable  = 6
	// Interrupted is the shell's convention for SIGINT (128 + 2).
	Interrupted = 130
)

// Kinds of failure. Wrap them with %w or return errors whose Is method
// matches them.
var (
	ErrUsage        = errors.New("invalid input")
	ErrAuth         = errors.New("authentication or authorization failed")
	ErrNotFound     = errors.New("not found")
	ErrChecksFailed = errors.New("connectivity checks failed")
	ErrUnavailable  = errors.New("service unavailable")
	ErrInterrupted  = errors.New("interrupted")
)

// Of returns the exit code for err; nil is OK.
func Of(err error) int {
	// nil is an if of its own rather than a case: Go's coverage profile
	// does not cover switch case expressions, so the mutation tool could
	// not see that TestOf exercises it (docs/testing.md).
	if err == nil {
		return OK
	}
	switch {
	case errors.Is(err, ErrInterrupted):
		// First: an interrupted run may also carry the kind of what it
		// was doing (a retry's unavailable error).
		return Interrupted
	case errors.Is(err, ErrUsage):
		return Usage
	case errors.Is(err, ErrAuth):
		return Auth
	case errors.Is(err, ErrNotFound):
		return NotFound
	case errors.Is(err, ErrChecksFailed):
		return ChecksFailed
	case errors.Is(err, ErrUnavailable):
		return Unavailable
	case errors.Is(err, context.Canceled):
		return Unexpected
	default:
		return Unexpected
	}
}

// kindError carries a kind next to a human message without repeating the
// kind's generic text in the message the user sees.
type kindError struct {
	kind error
	err  error
}

func (e *kindError) Error() string { return e.err.Error() }
func (e *kindError) Unwrap() []error {
	return []error{e.err, e.kind}
}

// Wrap marks err as being of kind, keeping err's own message.
func Wrap(kind, err error) error {
	if err == nil {
		return nil
	}
	return &kindError{kind: kind, err: err}
}

// Usagef builds an invalid-input error (exit 2).
func Usagef(format string, args ...any) error {
	return Wrap(ErrUsage, fmt.Errorf(format, args...))
}

// Authf builds an authentication/authorization error (exit 3).
func Authf(format string, args ...any) error {
	return Wrap(ErrAuth, fmt.Errorf(format, args...))
}

// NotFoundf builds a not-found error (exit 4).
func NotFoundf(format string, args ...any) error {
	return Wrap(ErrNotFound, fmt.Errorf(format, args...))
}
