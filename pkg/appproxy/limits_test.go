package appproxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/httpstub"
	"github.com/hybridmgmt/hybridmgmt/pkg/neterr"
)

// A person at a terminal is told why the command waits when the wait is a
// second or more; the sub-second retries of a refused connection pass
// silently.
func TestRetryProgressFromOneSecond(t *testing.T) {
	h := newHarness(t, 30*time.Second)
	var lines []string
	h.client.opts.Progress = func(line string) { lines = append(lines, line) }
	h.reg.Register("throttled", httpstub.REST("GET", groupsPath),
		httpstub.WithHeader("Retry-After", "1", httpstub.GraphError(429, "TooManyRequests", "slow down")))
	h.reg.Register("ok", httpstub.REST("GET", groupsPath), httpstub.JSON(200, `{"value":[]}`))
	_, err := h.client.ListConnectorGroups(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{time.Second}, h.waits)
	assert.Equal(t, []string{"Graph is throttling; retrying in 1 s"}, lines)
}

// Nothing listening (or a name that does not resolve) gets two quick
// retries, 250 ms and 500 ms, then exit 6: a dead proxy or Graph endpoint
// must not hold an admin for the whole retry budget.
func TestRefusedConnectionGetsTwoQuickRetries(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := l.Addr().String()
	require.NoError(t, l.Close())

	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	var waits []time.Duration
	var lines []string
	gc, _ := cloud.Lookup("Global")
	c := New(Options{
		BaseURL:     "https://" + dead + "/beta",
		HTTPClient:  &http.Client{Transport: &neterr.Transport{Base: &http.Transport{}}},
		Tokens:      &fakeTokens{},
		Cloud:       gc,
		RetryBudget: 30 * time.Second,
		Now:         func() time.Time { return now },
		Sleep: func(ctx context.Context, d time.Duration) error {
			waits = append(waits, d)
			now = now.Add(d)
			return nil
		},
		Progress: func(line string) { lines = append(lines, line) },
	})
	_, err = c.ListConnectorGroups(context.Background())
	require.Error(t, err)
	assert.Equal(t, exitcode.Unavailable, exitcode.Of(err))
	assert.Contains(t, err.Error(), "connection refused")
	assert.Equal(t, []time.Duration{250 * time.Millisecond, 500 * time.Millisecond}, waits)
	assert.Empty(t, lines)
}

// Without Retry-After the wait doubles from 1 s up to 30 s, each drawn from
// the upper half of its step so that clients retrying together spread out.
func TestBackoffRange(t *testing.T) {
	assert.Equal(t, 7*time.Second, backoff(3, 7*time.Second), "Retry-After wins")
	for _, c := range []struct {
		attempt int
		step    time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {4, 8 * time.Second}, {5, 16 * time.Second}, {6, 30 * time.Second}, {7, 30 * time.Second}, {50, 30 * time.Second}} {
		var low, high bool
		for i := 0; i < 400; i++ {
			w := backoff(c.attempt, 0)
			require.GreaterOrEqual(t, w, c.step/2, "attempt %d", c.attempt)
			require.LessOrEqual(t, w, c.step, "attempt %d", c.attempt)
			low = low || w < c.step*3/4
			high = high || w > c.step*3/4
		}
		assert.True(t, low && high, "attempt %d: the waits are spread over [%s, %s]", c.attempt, c.step/2, c.step)
	}
}

// The listing budgets hold at exactly their limits: a listing of exactly
// maxListingItems items or maxListingBytes bytes is returned whole, one
// more is refused rather than printed in part.
func TestListingBudgetsAtExactLimits(t *testing.T) {
	savedItems, savedBytes := maxListingItems, maxListingBytes
	t.Cleanup(func() { maxListingItems, maxListingBytes = savedItems, savedBytes })

	// Two pages; the second carries `second` groups.
	run := func(t *testing.T, second int, items, bytes func(p1, p2 int) int) ([]ConnectorGroup, error) {
		h := newHarness(t, time.Second)
		p1 := `{"value":[{"id":"g1"},{"id":"g2"}],"@odata.nextLink":"https://` + h.client.base.Host + groupsPath + `?$skiptoken=2"}`
		groups := make([]string, second)
		for i := range groups {
			groups[i] = fmt.Sprintf(`{"id":"h%d"}`, i)
		}
		p2 := `{"value":[` + strings.Join(groups, ",") + `]}`
		maxListingItems, maxListingBytes = items(len(p1), len(p2)), bytes(len(p1), len(p2))
		h.reg.Register("page 1", httpstub.Query(httpstub.REST("GET", groupsPath), "$expand", "members"), httpstub.JSON(200, p1))
		h.reg.Register("page 2", httpstub.Query(httpstub.REST("GET", groupsPath), "$skiptoken", "2"), httpstub.JSON(200, p2))
		return h.client.ListConnectorGroups(context.Background())
	}
	plenty := func(int, int) int { return 1 << 30 }
	exactBytes := func(p1, p2 int) int { return p1 + p2 }
	oneByteShort := func(p1, p2 int) int { return p1 + p2 - 1 }
	three := func(int, int) int { return 3 }

	groups, err := run(t, 1, three, plenty)
	require.NoError(t, err, "three items under a limit of three")
	assert.Len(t, groups, 3)

	_, err = run(t, 2, three, plenty)
	require.Error(t, err, "four items under a limit of three")
	assert.Contains(t, err.Error(), "exceeds")
	assert.Contains(t, err.Error(), "after 2 pages")
	assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))

	groups, err = run(t, 1, plenty, exactBytes)
	require.NoError(t, err, "a listing of exactly the byte budget")
	assert.Len(t, groups, 3)

	_, err = run(t, 1, plenty, oneByteShort)
	require.Error(t, err, "a listing one byte over the byte budget")
	assert.Contains(t, err.Error(), "exceeds")
}

// The access token goes into a header as is: printable ASCII from '!' to
// '~' is sent, a space, DEL or anything outside ASCII is refused before any
// request (exit 3, sign in again).
func TestTokenCharacterBoundaries(t *testing.T) {
	var sent []string
	srv := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent = append(sent, r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"value":[]}`))
	})
	c, _ := hostileClient(t, srv, "!az~")
	_, err := c.ListConnectorGroups(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"Bearer !az~"}, sent)

	for _, tok := range []string{"a b", "a\x7fb", "a\x80b", " ", "\x7f"} {
		c, ts := hostileClient(t, srv, tok)
		_, err := c.ListConnectorGroups(context.Background())
		require.Error(t, err, "%q", tok)
		assert.Equal(t, exitcode.Auth, exitcode.Of(err), "%q", tok)
		assert.Equal(t, int32(1), ts.calls.Load(), "%q: asked once, not retried", tok)
	}
	assert.Len(t, sent, 1, "no request carried a refused token")
}

// An error body is read up to 64 KiB: an envelope of exactly 64 KiB still
// gives Graph's code, a longer one is cut there and gives the status alone
// (with the same exit code), never a read without bound.
func TestErrorBodyReadUpTo64KiB(t *testing.T) {
	const limit = 64 << 10
	for _, c := range []struct {
		name     string
		size     int
		wantCode string
	}{{"exactly 64 KiB", limit, "Big_Envelope"}, {"one byte more", limit + 1, ""}} {
		t.Run(c.name, func(t *testing.T) {
			head, tail := `{"error":{"code":"Big_Envelope","message":"`, `"}}`
			body := head + strings.Repeat("x", c.size-len(head)-len(tail)) + tail
			require.Len(t, body, c.size)
			ge := graphErr(t, graphErrorClient(t, 409, nil, body))
			assert.Equal(t, c.wantCode, ge.Code)
			assert.Equal(t, 409, ge.Status)
		})
	}
}

// No retry budget given is the default of 30 s, used to the last second:
// three waits of 10 s fit, a fourth would not.
func TestDefaultRetryBudgetIs30Seconds(t *testing.T) {
	h := newHarness(t, 0)
	for i := 0; i < 4; i++ {
		h.reg.Register("throttled", httpstub.REST("GET", groupsPath),
			httpstub.WithHeader("Retry-After", "10", httpstub.GraphError(429, "TooManyRequests", "slow down")))
	}
	_, err := h.client.ListConnectorGroups(context.Background())
	require.Error(t, err)
	assert.Equal(t, exitcode.Unavailable, exitcode.Of(err))
	assert.Equal(t, []time.Duration{10 * time.Second, 10 * time.Second, 10 * time.Second}, h.waits)
	assert.Contains(t, err.Error(), "gave up after 4 attempts: the next retry would overrun the 30s retry budget")
}

// A request with a body says it is JSON; a read has no body and no
// Content-Type. Every request asks for JSON.
func TestContentTypeOnlyWithABody(t *testing.T) {
	h := newHarness(t, time.Second)
	var got []string
	record := func(next httpstub.Responder) httpstub.Responder {
		return func(w http.ResponseWriter, r *http.Request) {
			got = append(got, r.Method+" "+r.Header.Get("Content-Type")+" accepts "+r.Header.Get("Accept"))
			next(w, r)
		}
	}
	h.reg.Register("patch", httpstub.REST("PATCH", "/beta/applications/o1"), record(httpstub.Status(204)))
	h.reg.Register("get", httpstub.REST("GET", "/beta/applications/o1/connectorGroup"), record(httpstub.JSON(200, `{"id":"g1"}`)))
	h.reg.Register("delete", httpstub.REST("DELETE", "/beta/applications/o1"), record(httpstub.Status(204)))
	require.NoError(t, h.client.Unpublish(context.Background(), "o1"))
	_, err := h.client.GetApplicationConnectorGroup(context.Background(), "o1")
	require.NoError(t, err)
	require.NoError(t, h.client.DeleteApplication(context.Background(), "o1"))
	assert.Equal(t, []string{"PATCH application/json accepts application/json", "GET  accepts application/json", "DELETE  accepts application/json"}, got)
}

// Every 3xx, 300 to 399, is a redirect that is never followed (exit 1,
// the message says so), and the Location shows only its origin.
func TestEveryThreeHundredIsARedirect(t *testing.T) {
	for _, status := range []int{300, 399} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			h := newHarness(t, time.Second)
			h.reg.Register("3xx", httpstub.REST("GET", groupsPath), httpstub.WithHeader("Location", "https://elsewhere.example/x?token=1", httpstub.JSON(status, `{"value":[]}`)))
			_, err := h.client.ListConnectorGroups(context.Background())
			require.Error(t, err)
			assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
			assert.Contains(t, err.Error(), fmt.Sprintf("Graph answered HTTP %d, a redirect to https://elsewhere.example; redirects are never followed", status))
			assert.NotContains(t, err.Error(), "token=1")
		})
	}
}

// A syntax error found before the body has been read to its end is a
// malformed answer (exit 1, not retried), not a broken connection.
func TestEarlySyntaxErrorIsMalformedNotTransport(t *testing.T) {
	h := newHarness(t, 30*time.Second)
	body := `{"value":[}` + strings.Repeat(" ", 256<<10)
	h.reg.Register("bad", httpstub.REST("GET", groupsPath), httpstub.JSON(200, body))
	_, err := h.client.ListConnectorGroups(context.Background())
	require.Error(t, err)
	assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
	assert.Contains(t, err.Error(), "malformed answer from Graph")
	assert.Equal(t, 1, h.reg.Count(), "not retried")
	assert.Empty(t, h.waits)
}

// A connection that breaks in the middle of a body is a transport failure:
// a read is retried (and here succeeds), never reported as a malformed
// answer.
func TestBodyCutByTheConnectionIsRetried(t *testing.T) {
	h := newHarness(t, 30*time.Second)
	h.reg.Register("cut", httpstub.REST("GET", groupsPath), func(w http.ResponseWriter, r *http.Request) {
		// Fewer bytes than declared: the server closes the connection.
		w.Header().Set("Content-Length", "4096")
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"value":[{"id":"g1","name":"`))
	})
	h.reg.Register("ok", httpstub.REST("GET", groupsPath), httpstub.JSON(200, `{"value":[{"id":"g1","name":"A"}]}`))
	groups, err := h.client.ListConnectorGroups(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []ConnectorGroup{{ID: "g1", Name: "A"}}, groups)
	assert.Len(t, h.waits, 1)
}

// What follows the JSON value is named as the decoder found it: a stray
// character is quoted (bounded), a second value is "data after the JSON
// value".
func TestTrailingDataIsNamed(t *testing.T) {
	pad := strings.Repeat(" ", 256<<10) // read before the body's end
	for _, c := range []struct{ name, body, want string }{
		{"stray character", `{"value":[]}}` + pad, "invalid character '}' looking for beginning of value"},
		{"second value", `{"value":[]} {"value":[]}` + pad, "data after the JSON value"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, time.Second)
			h.reg.Register("bad", httpstub.REST("GET", groupsPath), httpstub.JSON(200, c.body))
			_, err := h.client.ListConnectorGroups(context.Background())
			require.Error(t, err)
			assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
			assert.Equal(t, "list connector groups: malformed answer from Graph (request-id req-get): "+c.want, err.Error())
		})
	}
}

// The page cap holds at exactly its value: a listing of maxPages pages is
// returned, one more page is refused.
func TestPageCapAtItsExactValue(t *testing.T) {
	saved := maxPages
	maxPages = 3
	t.Cleanup(func() { maxPages = saved })
	for _, c := range []struct {
		pages int
		ok    bool
	}{{3, true}, {4, false}} {
		t.Run(fmt.Sprint(c.pages), func(t *testing.T) {
			h := newHarness(t, time.Second)
			for i := 1; i <= c.pages && i <= 3; i++ {
				body := fmt.Sprintf(`{"value":[{"id":"g%d"}]}`, i)
				if i < c.pages {
					body = fmt.Sprintf(`{"value":[{"id":"g%d"}],"@odata.nextLink":"https://%s%s?$skiptoken=%d"}`, i, h.client.base.Host, groupsPath, i)
				}
				h.reg.Register(fmt.Sprint("page ", i), httpstub.REST("GET", groupsPath), httpstub.JSON(200, body))
			}
			groups, err := h.client.ListConnectorGroups(context.Background())
			if c.ok {
				require.NoError(t, err)
				assert.Len(t, groups, 3)
				return
			}
			require.Error(t, err)
			assert.Equal(t, "list connector groups: more than 3 pages; giving up", err.Error())
			assert.Equal(t, 3, h.reg.Count(), "the fourth page is not asked for")
		})
	}
}

// A body of exactly MaxResponseBytes is an answer; one byte more is not.
func TestResponseLimitIsInclusive(t *testing.T) {
	body := func(n int) []byte {
		b := append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), n-len(`{"x":""}`))...)
		return append(b, `"}`...)
	}
	var out struct{ X string }
	require.NoError(t, decodeBody(bytes.NewReader(body(MaxResponseBytes)), &out))
	assert.Len(t, out.X, MaxResponseBytes-len(`{"x":""}`))

	err := decodeBody(bytes.NewReader(body(MaxResponseBytes+1)), &out)
	require.Error(t, err)
	assert.Equal(t, "response larger than 16 MiB", err.Error())

	// Trailing white space up to the limit is still the same answer.
	padded := append([]byte(`{"x":"a"}`), bytes.Repeat([]byte(" "), MaxResponseBytes-len(`{"x":"a"}`))...)
	require.NoError(t, decodeBody(bytes.NewReader(padded), &out))

	// A connection that drops just after the limit is a transport failure
	// (retried), not a malformed answer: the read past the limit keeps its
	// error too.
	reset := io.MultiReader(bytes.NewReader(padded), iotest.ErrReader(syscall.ECONNRESET))
	err = decodeBody(reset, &out)
	require.ErrorIs(t, err, errTransport)
	assert.ErrorContains(t, err, "connection reset")
}
