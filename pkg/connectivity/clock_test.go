package connectivity

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The skew warning starts past five minutes either way, to the second
// the server's Date header can say.
func TestClockSkewBoundaries(t *testing.T) {
	// Whole seconds, as a Date header has; near the real time, as the
	// certificates' validity is checked at the injected clock too.
	date := time.Now().UTC().Truncate(time.Second)
	ca := newCA(t, "Test Root CA")
	port := tlsServer(t, ca.valid(t, "login.test"), 0, 0, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Date", date.Format(http.TimeFormat))
		w.WriteHeader(http.StatusOK)
	}))
	e := Endpoint{Category: "c", Name: "login", Host: "login.test", Port: port, Check: CheckHTTPS}
	for _, tc := range []struct {
		skew   time.Duration
		status Status
		detail string
	}{
		{0, Passed, "this machine's clock is 0 s ahead of login.test's Date header"},
		{5 * time.Minute, Passed, "this machine's clock is 300 s ahead of login.test's Date header"},
		{-5 * time.Minute, Passed, "this machine's clock is 300 s behind login.test's Date header"},
		{5*time.Minute + time.Second, Warning, "this machine's clock is 301 s ahead of login.test's Date header"},
		{-5*time.Minute - time.Second, Warning, "this machine's clock is 301 s behind login.test's Date header"},
	} {
		p := testProber(ca.pool(), "login.test")
		local := date.Add(tc.skew)
		p.Now = func() time.Time { return local }
		r := byName(t, run(t, p, longTimeout, e), "Clock skew")
		assert.Equal(t, tc.status, r.Status, "%s", tc.skew)
		assert.Equal(t, tc.detail, r.Detail, "%s", tc.skew)
		if tc.status == Warning {
			assert.Equal(t, CauseClockSkew, r.Cause)
			assert.Equal(t, "clock skew of 5m1s is more than 5m0s", r.Error)
		}
	}
}
