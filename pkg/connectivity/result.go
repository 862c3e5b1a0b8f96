package connectivity

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Status is the outcome of one check.
type Status string

// The four outcomes. Only Failed (and Warning under --strict) fail a run.
const (
	Passed  Status = "Passed"
	Failed  Status = "Failed"
	Warning Status = "Warning"
	Skipped Status = "Skipped"
)

// Result is one row of output: one per endpoint entry, one per machine
// check. Field names are the JSON contract scripts depend on.
type Result struct {
	Category    string `json:"category"`
	Name        string `json:"name"`
	Host        string `json:"host"`
	Port        int    `json:"port"`
	Check       string `json:"check"`
	Status      Status `json:"status"`
	DurationMs  int64  `json:"durationMs"`
	Detail      string `json:"detail"`
	Error       string `json:"error"`
	Remediation string `json:"remediation"`
	// Cause is empty when Passed, else one code of the vocabulary.
	Cause Cause `json:"cause"`
	// Machine is the computer the check ran on, so result sets from
	// several servers can be merged; the command fills it in.
	Machine string `json:"machine"`
}

// SortResults puts results in the documented stable order: category, then
// name. Case-insensitive first so "exch01" and "EXCH02" sit together; the
// exact comparison breaks ties so the order never depends on scheduling.
func SortResults(rs []Result) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if c := compareFold(a.Category, b.Category); c != 0 {
			return c < 0
		}
		if c := compareFold(a.Name, b.Name); c != 0 {
			return c < 0
		}
		if a.Category != b.Category {
			return a.Category < b.Category
		}
		return a.Name < b.Name
	})
}

func compareFold(a, b string) int {
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

// Summary counts results by status.
type Summary struct {
	Passed, Failed, Warnings, Skipped int
	Elapsed                           time.Duration
}

// Summarize counts rs; elapsed is the run's wall time.
func Summarize(rs []Result, elapsed time.Duration) Summary {
	s := Summary{Elapsed: elapsed}
	for _, r := range rs {
		switch r.Status {
		case Passed:
			s.Passed++
		case Failed:
			s.Failed++
		case Warning:
			s.Warnings++
		case Skipped:
			s.Skipped++
		}
	}
	return s
}

// String is the summary line of the contract. Scripts should read -o json;
// this line is for people, so "1 warning" is singular.
func (s Summary) String() string {
	return fmt.Sprintf("%d passed, %d failed, %s, %d skipped in %.1f s",
		s.Passed, s.Failed, Plural(s.Warnings, "warning"), s.Skipped, s.Elapsed.Seconds())
}

// Plural is "1 warning", "2 warnings".
func Plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Failing reports whether the run must exit 5.
func (s Summary) Failing(strict bool) bool {
	return s.Failed > 0 || (strict && s.Warnings > 0)
}
