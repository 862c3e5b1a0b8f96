package connectivity

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// maxSkew is where certificate and token validity start to fail
// (Kerberos and Entra tokens tolerate 5 minutes).
const maxSkew = 5 * time.Minute

// clockSkew compares this machine's clock with a login host's Date
// header, falling back to any https entry that answered (with an
// endpoints file, whatever https hosts it lists).
func clockSkew(endpoints []Endpoint, runs []*probeRun) Result {
	res := Result{Category: catMachine, Name: "Clock skew", Check: "clock"}
	var best *probeRun
	for i, r := range runs {
		if r == nil || r.date.IsZero() {
			continue
		}
		login := strings.HasPrefix(strings.ToLower(endpoints[i].Host), "login.")
		if best == nil || (login && !strings.HasPrefix(strings.ToLower(best.e.Host), "login.")) {
			best = r
		}
	}
	if best == nil {
		res.Status = Skipped
		res.Cause = CauseNotRun
		res.Detail = "no HTTPS endpoint answered with a Date header"
		return res
	}
	res.Host, res.Port = best.e.Host, best.e.Port
	// Date has one-second resolution; the local time is taken when the
	// answer arrived.
	skew := best.local.Sub(best.date)
	secs := int64(math.Round(math.Abs(skew.Seconds())))
	dir := "ahead of"
	if skew < 0 {
		dir = "behind"
	}
	res.Detail = fmt.Sprintf("this machine's clock is %d s %s %s's Date header", secs, dir, best.e.Host)
	if skew > maxSkew || skew < -maxSkew {
		res.Status = Warning
		res.Cause = CauseClockSkew
		res.Error = fmt.Sprintf("clock skew of %s is more than %s", (time.Duration(secs) * time.Second).String(), maxSkew)
		res.Remediation = "Synchronise the clock (w32tm /resync; check the domain time hierarchy): certificates and sign-in tokens fail with a skewed clock."
		return res
	}
	res.Status = Passed
	return res
}
