// Package appproxy is the Microsoft Graph beta client for the App Proxy
// surface the Hybrid Agent lives on: connector groups and connectors, and
// applications' onPremisesPublishing. Every route and fallback here is
// sourced in docs/graph.md; beta is required because these types do not
// exist in v1.0.
//
// It must never import pkg/cmdlets: commands render what it returns (rules in
// pkg/architecture).
package appproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/neterr"
	"github.com/hybridmgmt/hybridmgmt/pkg/redact"
)

// TokenSource is the slice of pkg/auth the client needs.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
	AppOnly() bool
}

// Limits that keep a hostile or broken server from exhausting memory or
// holding the command forever.
const (
	// MaxResponseBytes bounds one response body; Graph pages of
	// applications with $select are a few hundred KiB at most.
	MaxResponseBytes = 16 << 20
	// maxErrorBytes bounds what is read of an error body.
	maxErrorBytes = 64 << 10
	// DefaultRequestTimeout bounds one attempt, headers and body together.
	DefaultRequestTimeout = 60 * time.Second
	// replicationWindow is how long after a create a 404 or 500 on the new
	// object is taken for directory replication and retried (R8).
	replicationWindow = 60 * time.Second
	// replicationRetryDelay paces those retries: Microsoft's own scripts
	// wait seconds, not the exponential backoff of a throttled service.
	replicationRetryDelay = time.Second
)

// maxPages stops a server that pages forever with fresh links. A variable
// only so that a test can check the bound at a scale of a few pages.
var maxPages = 10000

// Options configure a Client; tests inject every dependency.
type Options struct {
	// BaseURL is the Graph beta root, e.g. https://graph.microsoft.com/beta.
	BaseURL    string
	HTTPClient *http.Client
	Tokens     TokenSource
	Cloud      cloud.Cloud
	// RetryBudget bounds the time all retries of one command share.
	RetryBudget time.Duration
	// RequestTimeout bounds one attempt; 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
	Now            func() time.Time
	// Sleep waits between retries; tests replace it to avoid real waits.
	Sleep func(ctx context.Context, d time.Duration) error
	Logf  func(format string, args ...any)
	// Progress tells a person why the command waits (a throttling retry);
	// the factory shows it on a terminal's stderr only. May be nil.
	Progress func(line string)
}

// Client talks to Graph beta (and v1.0 for the one call that needs it).
type Client struct {
	opts     Options
	base     *url.URL
	v1       *url.URL
	deadline time.Time // end of the retry budget, fixed at construction

	created   createdObjects
	createdAt time.Time
}

// New builds a client. The retry budget starts now: it is per command.
func New(o Options) *Client {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	if o.RetryBudget <= 0 {
		o.RetryBudget = 30 * time.Second
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	base, _ := url.Parse(strings.TrimRight(o.BaseURL, "/"))
	// Both roots share one origin, the one the token may go to.
	o.HTTPClient = guardClient(o.HTTPClient, base)
	v1 := *base
	// The v1.0 root sits beside beta under the same host (or override).
	v1.Path = strings.TrimSuffix(base.Path, "/beta") + "/v1.0"
	v1.RawPath = ""
	return &Client{opts: o, base: base, v1: &v1, deadline: o.Now().Add(o.RetryBudget)}
}

// AppOnly reports whether the client holds application (not user) tokens.
func (c *Client) AppOnly() bool { return c.opts.Tokens.AppOnly() }

func (c *Client) logf(format string, args ...any) {
	if c.opts.Logf != nil {
		c.opts.Logf(format, args...)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// request describes one Graph call.
type request struct {
	op     string // for messages: "list connector groups"
	method string
	url    string // absolute
	body   any    // JSON-encoded when non-nil
	// retryable says whether 5xx may be retried: true for reads and
	// idempotent writes (PATCH/PUT/DELETE), false for POST creates, where a
	// lost response may already have created something.
	retryable bool
	// hint403 names the role or permission a 403 means is missing.
	hint403 string
	// target is the object id or appId the call addresses, so a call on
	// an object this client just created can wait out replication.
	target string
	// goneIsDone makes a 404 on a retry success: the DELETE whose answer
	// was lost had already been applied.
	goneIsDone bool
}

// path builds an absolute URL under the beta root from an escaped path and
// a query.
func (c *Client) path(p string, q url.Values) string { return joinPath(c.base, p, q) }

func joinPath(base *url.URL, p string, q url.Values) string {
	// p arrives escaped (callers PathEscape ids), so it is the raw path;
	// keeping it as RawPath stops url from escaping "(appId='…')" or an
	// escaped id a second time.
	u := *base
	u.RawPath = strings.TrimRight(base.EscapedPath(), "/") + p
	u.Path = u.RawPath
	if unescaped, err := url.PathUnescape(u.RawPath); err == nil {
		u.Path = unescaped
	}
	if q != nil {
		// Graph expects literal $ in OData options; url.Values escapes it
		// as %24, which Graph also accepts.
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// v1Path builds an absolute URL under the v1.0 root from an escaped path.
func (c *Client) v1Path(p string) string { return joinPath(c.v1, p, nil) }

// do performs r with retries and decodes a 2xx JSON body into out (nil
// discards it).
func (c *Client) do(ctx context.Context, r request, out any) error {
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("%s: encoding request: %w", r.op, err)
		}
	}
	for attempt := 1; ; attempt++ {
		retryAfter, retry, err := c.attempt(ctx, r, payload, out)
		if err == nil {
			return nil
		}
		if attempt > 1 && r.goneIsDone && IsNotFound(err) && !c.replicating(r.target) {
			c.logf("%s: gone on attempt %d; an earlier attempt whose answer was lost did it", r.op, attempt)
			return nil
		}
		if !retry {
			return err
		}
		wait := backoff(attempt, retryAfter)
		if ne, ok := neterr.As(err); ok && ne.Fast() {
			// Nothing listens, or the name does not resolve: two quick
			// retries cover a restarting proxy or a resolver hiccup; a
			// dead proxy must not hold an admin for the whole budget.
			if attempt > 2 {
				return err
			}
			wait = time.Duration(attempt) * 250 * time.Millisecond
		}
		if c.opts.Now().Add(wait).After(c.deadline) {
			gaveUp := fmt.Sprintf("gave up after %d attempt%s: the next retry would overrun the %s retry budget",
				attempt, plural(attempt), c.opts.RetryBudget)
			c.logf("%s: %s", r.op, gaveUp)
			var ge *Error
			if errors.As(err, &ge) {
				// Still a *Error (and exit 6) for errors.As, with the
				// reason the retries stopped.
				return fmt.Errorf("%w (%s)", err, gaveUp)
			}
			return exitcode.Wrap(exitcode.ErrUnavailable, fmt.Errorf("%w (%s)", err, gaveUp))
		}
		c.logf("%s: attempt %d failed (%v); retrying in %s", r.op, attempt, err, wait)
		if c.opts.Progress != nil && wait >= time.Second {
			c.opts.Progress(retryProgress(err, wait))
		}
		if err := c.opts.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s: %w", r.op, err)
		}
	}
}

// retryProgress is the line a person sees while a retry waits.
func retryProgress(err error, wait time.Duration) string {
	secs := int(wait.Round(time.Second) / time.Second)
	// Ifs, not a switch: Go's coverage profile does not cover case
	// expressions, so mutation testing could not see the tests reach them.
	var ge *Error
	if !errors.As(err, &ge) {
		return fmt.Sprintf("Graph did not answer; retrying in %d s", secs)
	}
	if ge.Status == http.StatusTooManyRequests {
		return fmt.Sprintf("Graph is throttling; retrying in %d s", secs)
	}
	return fmt.Sprintf("Graph answered %d; retrying in %d s", ge.Status, secs)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// backoff honours Retry-After (seconds) when the server sent one, else
// grows exponentially with jitter from 1 s, capped at 30 s.
func backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return retryAfter
	}
	d := time.Second << min(attempt-1, 5)
	d = min(d, 30*time.Second)
	return d/2 + rand.N(d/2+1)
}

// attempt makes one HTTP request. It reports whether the failure is worth
// retrying and any server-requested delay.
func (c *Client) attempt(ctx context.Context, r request, payload []byte, out any) (retryAfter time.Duration, retry bool, err error) {
	token, err := c.opts.Tokens.Token(ctx)
	if err != nil {
		return 0, false, err
	}
	if err := checkToken(token); err != nil {
		return 0, false, err
	}
	actx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(actx, r.method, r.url, body)
	if err != nil {
		return 0, false, fmt.Errorf("%s: %w", r.op, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	// A fresh id per request, printed beside Graph's request-id on errors:
	// Microsoft support asks for both.
	clientRequestID := uuid.NewString()
	req.Header.Set("client-request-id", clientRequestID)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.logf("%s %s", r.method, redactURL(r.url))
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, false, fmt.Errorf("%s: %w", r.op, ctx.Err())
		}
		if errors.Is(err, errOffOrigin) {
			return 0, false, fmt.Errorf("%s: %w", r.op, errOffOrigin)
		}
		if ne, ok := neterr.As(err); ok {
			// Already in plain words (a dead proxy, DNS, TLS trust); a
			// retry cannot fix an untrusted certificate.
			return 0, r.retryable && !ne.Permanent(), fmt.Errorf("%s: %w", r.op, ne)
		}
		// Transport failures (reset, timeout, proxy refused) are retried
		// for idempotent calls; a POST may have reached the server.
		return 0, r.retryable, exitcode.Wrap(exitcode.ErrUnavailable, fmt.Errorf("%s: %w", r.op, boundedError{c.timedOut(actx, err)}))
	}
	defer resp.Body.Close()
	c.logf("%s -> %d request-id=%s client-request-id=%s", r.op, resp.StatusCode, requestID(resp.Header, "request-id"), clientRequestID)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return 0, false, redirectError(r.op, resp)
	}

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out == nil || resp.StatusCode == http.StatusNoContent {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBytes))
			return 0, false, nil
		}
		if err := decodeBody(resp.Body, out); err != nil {
			if ctx.Err() != nil {
				return 0, false, fmt.Errorf("%s: %w", r.op, ctx.Err())
			}
			// A body cut short by the attempt's own timeout can read as a
			// clean EOF (Go's HTTP/1.1 transport sometimes reports one when
			// the deadline fires mid-body), so the deadline, not the
			// decoder's "unexpected EOF", says what happened.
			if errors.Is(err, errTransport) || actx.Err() != nil {
				return 0, r.retryable, exitcode.Wrap(exitcode.ErrUnavailable, fmt.Errorf("%s: reading response (request-id %s): %w",
					r.op, requestID(resp.Header, "request-id"), c.timedOut(actx, err)))
			}
			return 0, false, fmt.Errorf("%s: malformed answer from Graph (request-id %s): %w", r.op, requestID(resp.Header, "request-id"), err)
		}
		// The decoder stops at the end of the JSON value, before the body's
		// EOF (a chunked body's last chunk, trailing whitespace). Reading
		// to EOF lets the transport reuse the connection; closing an
		// unfinished HTTP/1.1 body drops it, and every page then paid a new
		// TCP and TLS handshake.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBytes))
		return 0, false, nil
	}

	errBody, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
	ge := decodeError(r.op, resp.StatusCode, resp.Header, errBody)
	ge.ClientRequestID = clientRequestID
	// Application_NotFound is the publishing path's "not published", a
	// real answer about an object that exists: not replication.
	if c.replicating(r.target) && !strings.EqualFold(ge.Code, "Application_NotFound") &&
		(resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusInternalServerError) {
		// A just-created object is not everywhere yet (R8): the create
		// answered, so the object exists; wait and ask again.
		c.logf("%s: %d on an object created %s ago; waiting for directory replication", r.op, resp.StatusCode, c.opts.Now().Sub(c.createdAt).Round(time.Second))
		return replicationRetryDelay, true, ge
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		ge.Hint = "the token was rejected; run `hybridmgmt connect` again"
	case http.StatusForbidden:
		ge.Hint = r.hint403
	case http.StatusTooManyRequests:
		// Throttled requests were not processed: safe to retry any method.
		return parseRetryAfter(resp.Header.Get("Retry-After"), c.opts.Now()), true, ge
	case http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusGatewayTimeout, http.StatusBadGateway:
		// The App Proxy backend's 500s are transient on idempotent calls
		// (R9); a POST is never repeated.
		return parseRetryAfter(resp.Header.Get("Retry-After"), c.opts.Now()), r.retryable, ge
	}
	return 0, false, ge
}

var errTransport = errors.New("connection failed while reading the body")

// timedOut replaces Go's "context deadline exceeded" with what happened
// when the attempt's own timeout (not the caller) ended it.
func (c *Client) timedOut(actx context.Context, err error) error {
	if errors.Is(actx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no complete answer within the %s request timeout", c.opts.RequestTimeout)
	}
	return err
}

// decodeBody streams a JSON body into out through a size limit, so a huge
// or endless body fails instead of being buffered. The body must be one
// JSON value of the documented shape (validator) and nothing after it: a
// body with trailing bytes is not the answer it starts like.
func decodeBody(body io.Reader, out any) error {
	lr := &limitedReader{r: body, n: MaxResponseBytes}
	dec := json.NewDecoder(lr)
	fail := func(err error) error {
		if lr.exceeded {
			return fmt.Errorf("response larger than %d MiB", MaxResponseBytes>>20)
		}
		if lr.readErr != nil && !errors.Is(lr.readErr, io.EOF) {
			return fmt.Errorf("%w: %v", errTransport, lr.readErr)
		}
		if errors.Is(err, errMalformed) {
			return exitcode.Wrap(exitcode.ErrMalformed, errors.New(redact.ServerText(strings.TrimPrefix(err.Error(), errMalformed.Error()+": "), maxMessageBytes)))
		}
		// encoding/json quotes the offending literal ("cannot unmarshal
		// number 1111..."), which the server controls: keep it short.
		return exitcode.Wrap(exitcode.ErrMalformed, errors.New(redact.ServerText(err.Error(), maxMessageBytes)))
	}
	if err := dec.Decode(out); err != nil {
		return fail(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil || lr.exceeded || (lr.readErr != nil && !errors.Is(lr.readErr, io.EOF)) {
			err = fmt.Errorf("%w: data after the JSON value", errMalformed)
		}
		return fail(err)
	}
	if v, ok := out.(validator); ok {
		if err := v.validate(); err != nil {
			return fail(err)
		}
	}
	return nil
}

type limitedReader struct {
	r        io.Reader
	n        int64
	exceeded bool
	readErr  error
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// A body may end exactly at the limit: only a byte beyond it
		// makes the answer too large.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			l.exceeded = true
			return 0, io.ErrUnexpectedEOF
		}
		if err != nil {
			l.readErr = err
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if err != nil {
		l.readErr = err
	}
	return n, err
}

// parseRetryAfter reads Retry-After as seconds or as an HTTP date, which
// is measured from now (the client's clock, so tests can fix it).
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		// Cap before multiplying: a huge value would overflow Duration.
		return time.Duration(min(s, 300)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, 5*time.Minute)
		}
	}
	return 0
}

// redactURL drops the query: $skiptoken values are opaque server state and
// have no place in logs.
func redactURL(s string) string {
	if i := strings.IndexByte(s, '?'); i >= 0 {
		return s[:i] + "?…"
	}
	return s
}

// page is one page of a Graph collection.
type page[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"@odata.nextLink"`
	// Set by UnmarshalJSON (strict.go): whether "value" was there, and the
	// page's size in bytes for the listing's budget.
	hasValue bool
	size     int
}

// listAll follows @odata.nextLink verbatim until it stops appearing. A link
// to another origin is refused (the bearer token must not leave Graph) and a
// link seen before is an error rather than silently partial output.
func listAll[T any](ctx context.Context, c *Client, r request) ([]T, error) {
	var all []T
	seen := map[string]bool{r.url: true}
	total := 0
	for n := 0; ; n++ {
		if n >= maxPages {
			return nil, fmt.Errorf("%s: more than %d pages; giving up", r.op, maxPages)
		}
		var p page[T]
		if err := c.do(ctx, r, &p); err != nil {
			return nil, err
		}
		// Each page is bounded on its own; the budget bounds their sum, so
		// endless large pages fail instead of filling memory.
		total += p.size
		if total > maxListingBytes || len(all)+len(p.Value) > maxListingItems {
			return nil, fmt.Errorf("%s: Graph's answer exceeds %d MiB or %d items after %d pages, far beyond any tenant's; giving up rather than printing part of it",
				r.op, maxListingBytes>>20, maxListingItems, n+1)
		}
		all = append(all, p.Value...)
		if p.NextLink == "" {
			return all, nil
		}
		if seen[p.NextLink] {
			return nil, fmt.Errorf("%s: Graph returned a paging link it had already returned; refusing partial results", r.op)
		}
		seen[p.NextLink] = true
		next, err := url.Parse(p.NextLink)
		if err != nil || next.Scheme != c.base.Scheme || next.Host != c.base.Host {
			return nil, fmt.Errorf("%s: Graph returned a paging link outside %s; refusing to follow it", r.op, c.base.Host)
		}
		r.url = p.NextLink
	}
}
