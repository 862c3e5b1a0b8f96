package appproxy

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/memwatch"
)

// Hostile Graph servers on 127.0.0.1: what they answer must never move the
// token elsewhere, grow memory without bound, or pass for a good answer.

type staticTokens struct {
	tok   string
	calls atomic.Int32
}

func (s *staticTokens) Token(context.Context) (string, error) { s.calls.Add(1); return s.tok, nil }
func (s *staticTokens) AppOnly() bool                         { return false }

// fakeJWT is shaped like a real access token (header.payload.signature).
const fakeJWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.c2lnbmF0dXJlLXNlY3JldA"

func hostileClient(t *testing.T, h http.Handler, tok string) (*Client, *staticTokens) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	gc, _ := cloud.Lookup("Global")
	ts := &staticTokens{tok: tok}
	return New(Options{
		BaseURL:    srv.URL + "/beta",
		HTTPClient: srv.Client(), Tokens: ts, Cloud: gc, RetryBudget: 2 * time.Second,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() },
	}), ts
}

// witness counts requests and the Authorization headers it saw.
type witness struct {
	hits   atomic.Int32
	tokens atomic.Int32
}

func (w *witness) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w.hits.Add(1)
	if r.Header.Get("Authorization") != "" {
		w.tokens.Add(1)
	}
	rw.Header().Set("Content-Type", "application/json")
	_, _ = rw.Write([]byte(`{"value":[]}`))
}

func TestRedirectsAreNeverFollowed(t *testing.T) {
	plain := &witness{}
	plainSrv := httptest.NewServer(plain) // http://, same host, another port
	defer plainSrv.Close()
	other := &witness{}
	otherSrv := httptest.NewTLSServer(other) // https, another port
	defer otherSrv.Close()

	for _, target := range []struct{ name, url string }{{"http same host", plainSrv.URL}, {"https other port", otherSrv.URL}} {
		for _, code := range []int{301, 302, 307, 308} {
			t.Run(fmt.Sprintf("%s %d", target.name, code), func(t *testing.T) {
				c, _ := hostileClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, target.url+r.URL.RequestURI(), code)
				}), fakeJWT)
				_, err := c.ListConnectorGroups(context.Background())
				require.Error(t, err)
				assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
				assert.Contains(t, err.Error(), "redirect")
				assert.NotContains(t, err.Error(), fakeJWT)

				// A redirected PATCH must not be re-sent either.
				err = c.UpdatePublishing(context.Background(), "11111111-1111-1111-1111-111111111111", PublishingPatch{InternalURL: "https://mail.contoso.com/"})
				require.Error(t, err)
				assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
			})
		}
	}
	assert.Zero(t, plain.hits.Load(), "a request reached the http:// target")
	assert.Zero(t, other.hits.Load(), "a request reached the other https origin")
}

func TestOffOriginRequestIsRefusedBeforeSending(t *testing.T) {
	other := &witness{}
	otherSrv := httptest.NewTLSServer(other)
	defer otherSrv.Close()
	c, _ := hostileClient(t, http.NotFoundHandler(), fakeJWT)
	err := c.do(context.Background(), request{op: "probe", method: http.MethodGet, url: otherSrv.URL + "/beta/x", retryable: true}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "outside the Graph endpoint")
	assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
	assert.Zero(t, other.hits.Load())
}

func TestServerTextIsRedactedAndBounded(t *testing.T) {
	// The server reflects the Authorization header into its error message,
	// and pads it to 60 KiB (bodies past 64 KiB are not read at all).
	c, _ := hostileClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		msg := "you sent " + r.Header.Get("Authorization") + " and " + fakeJWT + " " + strings.Repeat("x", 60<<10)
		_, _ = fmt.Fprintf(w, `{"error":{"code":"Bad %s","message":%q}}`, r.Header.Get("Authorization"), msg)
	}), fakeJWT)
	_, err := c.ListConnectorGroups(context.Background())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), fakeJWT)
	assert.NotContains(t, err.Error(), "eyJ")
	assert.Contains(t, err.Error(), "[REDACTED]")
	assert.Less(t, len(err.Error()), 1024)
}

func TestMalformedBodiesAreErrors(t *testing.T) {
	for name, body := range map[string]string{
		"trailing garbage":   `{"value":[]}garbage`,
		"second value":       `{"value":[]}{"value":[]}`,
		"empty object":       `{}`,
		"null":               `null`,
		"null value":         `{"value":null}`,
		"case-variant VALUE": `{"value":[{"id":"g1","name":"real"}],"VALUE":[]}`,
		"only VALUE":         `{"VALUE":[{"id":"g1"}]}`,
		"array":              `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := hostileClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(body))
			}), "tok")
			groups, err := c.ListConnectorGroups(context.Background())
			require.Error(t, err, "accepted %s as %v", body, groups)
			assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
			assert.Contains(t, err.Error(), "malformed answer")
		})
	}
	for name, body := range map[string]string{"empty object": `{}`, "null": `null`, "trailing": `{"id":"a"} x`} {
		t.Run("application "+name, func(t *testing.T) {
			c, _ := hostileClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(body))
			}), "tok")
			_, err := c.GetApplication(context.Background(), "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7")
			require.Error(t, err)
			assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
			assert.Contains(t, err.Error(), "malformed answer")
		})
	}
}

func TestListingHasATotalBudget(t *testing.T) {
	// Endless pages of 12 MB, each under the per-page cap, with fresh links.
	pageBytes := 12 << 20
	if raceEnabled {
		// Decoding is many times slower under the race detector: the same
		// scenario at a quarter of the scale keeps the suite fast.
		saved := maxListingBytes
		maxListingBytes, pageBytes = saved/4, pageBytes/4
		t.Cleanup(func() { maxListingBytes = saved })
	}
	filler := strings.Repeat("a", pageBytes)
	var pages atomic.Int32
	c, _ := hostileClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := pages.Add(1)
		if n > 200 {
			http.Error(w, "test server: too many pages", http.StatusGone)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"@odata.nextLink":"https://%s/beta/applications?$skiptoken=%d","value":[{"id":"a%d","displayName":"%s"}]}`, r.Host, n, n, filler)
	}), "tok")
	w := memwatch.Start()
	_, err := c.ListHybridApplications(context.Background())
	peak := w.Stop()
	t.Logf("pages served: %d, peak heap growth: %.1f MiB", pages.Load(), float64(peak)/(1<<20))
	require.Error(t, err)
	assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
	assert.Contains(t, err.Error(), "exceeds")
	assert.LessOrEqual(t, pages.Load(), int32(4))
	assert.Less(t, peak, uint64(200<<20), "peak memory must stay under 200 MB")
}

func TestUnusableTokenFailsOnceWithoutRetries(t *testing.T) {
	w := &witness{}
	for _, tok := range []string{"abc\r\nX-Evil: 1", "abc\ndef", "tok\x00", "tök"} {
		c, ts := hostileClient(t, w, tok)
		_, err := c.ListConnectorGroups(context.Background())
		require.Error(t, err)
		assert.Equal(t, exitcode.Auth, exitcode.Of(err), "%q", tok)
		assert.Equal(t, int32(1), ts.calls.Load(), "retried with %q", tok)
	}
	assert.Zero(t, w.hits.Load())
}
