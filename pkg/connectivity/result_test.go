package connectivity

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Results sort by category then name without regard to case, and the
// exact text breaks ties, so the order never depends on scheduling.
func TestSortResultsFoldsCase(t *testing.T) {
	rs := []Result{
		{Category: "Exchange", Name: "exch02"},
		{Category: "exchange", Name: "EXCH01"},
		{Category: "Exchange", Name: "EXCH01"},
		{Category: "Exchange", Name: "exch01"},
	}
	SortResults(rs)
	var got []string
	for _, r := range rs {
		got = append(got, r.Category+"/"+r.Name)
	}
	assert.Equal(t, []string{"Exchange/EXCH01", "Exchange/exch01", "exchange/EXCH01", "Exchange/exch02"}, got)
}

// --strict fails a run on warnings only when there are some.
func TestStrictNeedsAWarning(t *testing.T) {
	s := Summarize([]Result{{Status: Passed}, {Status: Skipped}}, 0)
	assert.False(t, s.Failing(true))
	assert.False(t, s.Failing(false))
}

// A plan without a timeout gets the default one, not an expired one.
func TestZeroTimeoutMeansTheDefault(t *testing.T) {
	port := httpServer(t, nil)
	p := testProber(nil, "a.test")
	rs := p.Run(t.Context(), Plan{Parallel: 1, SkipMachine: "x", Endpoints: []Endpoint{{Category: "c", Name: "a", Host: "a.test", Port: port, Check: CheckTCP}}})
	r := byName(t, rs, "a")
	assert.Equal(t, Passed, r.Status, r.Error)
}
