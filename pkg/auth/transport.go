package auth

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hybridmgmt/hybridmgmt/pkg/redact"
)

// The sign-in transport. MSAL sends passwords, client secrets, assertions,
// codes and refresh tokens through the *http.Client we hand it, to
// whatever URLs the authority's discovery document names, and reads every
// answer with io.ReadAll after Go's transport has transparently un-gzipped
// it. So the client we hand MSAL refuses, before anything is sent, any
// URL that is not https; it never follows a redirect (Go's client would
// re-send a 307/308's body, the credentials, to the new location); and it
// reads every answer through a limit that applies after decompression.

// MaxSignInResponse bounds one sign-in answer (discovery document, token
// response, error) after decompression. Real answers are a few KiB; a
// token response with large tokens stays far below it.
const MaxSignInResponse = 1 << 20

// MaxTokenBytes bounds an access or refresh token we use and store. Entra's
// tokens are a few KiB (more with many group claims).
const MaxTokenBytes = 64 << 10

// errSignInRefused marks a sign-in stopped by our own rules (a redirect, a
// non-https URL, an oversized answer). Retrying cannot help, so it is an
// authentication failure (exit 3), not an unavailable service (exit 6).
var errSignInRefused = errors.New("sign-in refused")

type refusedError struct{ msg string }

func (e *refusedError) Error() string { return e.msg }
func (e *refusedError) Is(target error) bool {
	return target == errSignInRefused
}

// signInClient wraps hc (nil: Go's defaults) in the rules above.
func signInClient(hc *http.Client) *http.Client {
	if hc == nil {
		hc = &http.Client{}
	}
	c := *hc
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = signInTransport{next: next}
	// The transport already refuses 3xx answers; this keeps a redirect from
	// being followed even if a caller swaps the transport.
	c.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		return &refusedError{msg: "the sign-in service redirected to " + origin(req) + "; redirects are never followed"}
	}
	return &c
}

type signInTransport struct{ next http.RoundTripper }

func (t signInTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.EqualFold(req.URL.Scheme, "https") {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, &refusedError{msg: "refusing to send a sign-in request to " + origin(req) + ": only https is used for sign-in, whatever the authority's discovery document says"}
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		_ = resp.Body.Close()
		where := "elsewhere"
		if loc, err := resp.Location(); err == nil {
			where = loc.Scheme + "://" + loc.Host
		}
		return nil, &refusedError{msg: fmt.Sprintf("the sign-in service %s answered HTTP %d, a redirect to %s; redirects are never followed, so no credential is sent there",
			origin(req), resp.StatusCode, redact.ServerText(where, 120))}
	}
	resp.Body = &cappedBody{rc: resp.Body, left: MaxSignInResponse, from: origin(req)}
	return resp, nil
}

// origin is scheme://host[:port] of req, bounded for messages.
func origin(req *http.Request) string {
	return redact.ServerText(req.URL.Scheme+"://"+req.URL.Host, 200)
}

// cappedBody fails the read that would pass the limit, so MSAL's
// io.ReadAll stops with our error instead of buffering gigabytes.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
	from string
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One more byte tells a body of exactly the limit from a longer one.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n == 0 {
			return 0, err // io.EOF: the body was exactly the limit
		}
		return 0, &refusedError{msg: fmt.Sprintf("the sign-in service %s sent an answer larger than %d KiB (after decompression); refusing it", b.from, MaxSignInResponse>>10)}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
