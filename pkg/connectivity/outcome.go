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
	// stage is the step running now (dns, tcp, proxy, tls, http); a
	// failure remembers its stage so that only advice for that step is
	// given, and warnStages collects the steps that warned.
	stage      string
	failStage  string
	warnStages []string
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
	if o.status != Failed && o.cause == "" {
		o.cause = cause
	}
	o.errs = append(o.errs, msg)
	if o.status == Failed {
		return // the failure's advice is what to act on
	}
	o.status = Warning
	o.warnStages = append(o.warnStages, o.stage)
	o.remedy(remedy)
}

func (o *outcome) fail(cause Cause, msg, remedy string) {
	if o.status == Failed {
		return
	}
	o.status = Failed
	o.cause = cause
	o.failStage = o.stage
	// The failure is what the user must read first; warnings collected
	// before it stay behind it. Only the failed step gets advice: what an
	// earlier step warned about is not what stops this check.
	o.errs = append([]string{msg}, o.errs...)
	o.remediation = nil
	o.remedy(remedy)
}

// adviceApplies says whether an entry's own advice fits the step that went
// wrong: EWS advice does not help a certificate the machine does not trust.
func (o *outcome) adviceApplies(e Endpoint) bool {
	want := e.AdviceStage
	if want == "" {
		want = e.Check.mainStage()
	}
	if want == "any" {
		return true
	}
	if o.status == Failed {
		return o.failStage == want || o.failStage == ""
	}
	for _, s := range o.warnStages {
		if s == want || s == "" {
			return true
		}
	}
	return false
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
		if !o.adviceApplies(e) {
			break
		}
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
