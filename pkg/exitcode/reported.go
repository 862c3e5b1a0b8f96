package exitcode

import "errors"

// reportedError is an error the command has already told the user about
// on stderr, in the shape its contract fixes; main must not add its own
// "hybridmgmt: …" line after it. The exit code still comes from err.
type reportedError struct{ err error }

func (e *reportedError) Error() string { return e.err.Error() }
func (e *reportedError) Unwrap() error { return e.err }

// Reported marks err as already shown to the user.
func Reported(err error) error {
	if err == nil {
		return nil
	}
	return &reportedError{err: err}
}

// IsReported tells main to print nothing more for err.
func IsReported(err error) bool {
	var r *reportedError
	return errors.As(err, &r)
}
