package appproxy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// A server that sends headers and then stalls: every attempt ends at
// RequestTimeout, reads are retried as broken connections, and when the
// budget is spent the error says which timeout fired (exit 6).
func TestStalledBodyEndsAtRequestTimeout(t *testing.T) {
	var attempts atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		w.Header().Set("request-id", "req-stall")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"value":[`))
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	gc, _ := cloud.Lookup("Global")
	c := New(Options{
		BaseURL: srv.URL + "/beta", HTTPClient: srv.Client(), Tokens: &fakeTokens{}, Cloud: gc,
		RetryBudget: time.Second, RequestTimeout: time.Second,
		Now: func() time.Time { return now },
		// The fake clock advances by each wait; attempts take real time.
		Sleep: func(ctx context.Context, d time.Duration) error { now = now.Add(d); return ctx.Err() },
	})
	_, err := c.ListConnectorGroups(context.Background())
	require.Error(t, err)
	assert.Equal(t, exitcode.Unavailable, exitcode.Of(err))
	assert.Contains(t, err.Error(), "no complete answer within the 1s request timeout")
	assert.Contains(t, err.Error(), "request-id req-stall")
	assert.Contains(t, err.Error(), "gave up after 2 attempts: the next retry would overrun the 1s retry budget")
	assert.EqualValues(t, 2, attempts.Load(), "one retry fits the budget (first wait ≤ 1 s), a second does not")
}

// The caller's cancellation is reported as such, not as a timeout.
func TestCancelDuringAttemptIsNotATimeout(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	gc, _ := cloud.Lookup("Global")
	c := New(Options{BaseURL: srv.URL + "/beta", HTTPClient: srv.Client(), Tokens: &fakeTokens{}, Cloud: gc, RequestTimeout: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := c.ListConnectorGroups(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.NotContains(t, err.Error(), "request timeout")
}
