package connectivity

import (
	"strings"
	"time"
)

// outcome accumulates one entry's steps: notes become the detail, the
// first failure or every warning becomes the error. A failure is final;
// later warnings cannot downgrade it.
type outcome struct {
	status      Status
	details     []string
	errs        []string
	remediation []string
	// cause is the first failure's, else the first warning's.
	cause Cause
}

func (o *outcome) note(s string) {
	if s != "" {
		o.details = append(o.details, s)
	}
}

func (o *outcome) remedy(s string) {
	if s == "" {
		return
	}
	for _, r := range o.remediation {
		if r == s {
			return
		}
	}
	o.remediation = append(o.remediation, s)
}

func (o *outcome) warn(cause Cause, msg, remedy string) {
	if o.status != Failed {
		o.status = Warning
		if o.cause == "" {
			o.cause = cause
		}
	}
	o.errs = append(o.errs, msg)
	o.remedy(remedy)
}

func (o *outcome) fail(cause Cause, msg, remedy string) {
	if o.status == Failed {
		return
	}
	o.status = Failed
	o.cause = cause
	// The failure is what the user must read first; warnings collected
	// before it stay behind it.
	o.errs = append([]string{msg}, o.errs...)
	o.remedy(remedy)
}

func (o *outcome) failed() bool { return o.status == Failed }

func (o *outcome) result(e Endpoint, d time.Duration) Result {
	st := o.status
	if st == "" {
		st = Passed
	}
	cause := o.cause
	switch st {
	case Failed, Warning:
		o.remedy(e.Advice)
	case Passed:
		cause = ""
	case Skipped:
		if cause == "" {
			cause = CauseNotRun
		}
	}
	return Result{
		Category:    e.Category,
		Name:        e.Name,
		Host:        e.Host,
		Port:        e.Port,
		Check:       string(e.Check),
		Status:      st,
		DurationMs:  d.Milliseconds(),
		Detail:      strings.Join(o.details, "; "),
		Error:       strings.Join(o.errs, "; "),
		Remediation: strings.Join(o.remediation, " "),
		Cause:       cause,
	}
}
