package appproxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/redact"
)

// What this file guards: the bearer token goes to the Graph origin the
// client was built for and nowhere else (no redirects, no other origin),
// and an answer is used only when it has the shape Graph documents; a
// body that merely decodes (null, {}, trailing bytes) is not an answer.

// Listing budgets: one listing (all pages of one collection) may not
// exceed these in total. A tenant has a handful of connector groups, a few
// connectors each, and at most thousands of applications, about 1 KiB each
// with $select; 32 MiB is far above that and keeps a server that pages
// forever with large pages from growing memory without bound (each page is
// also capped at MaxResponseBytes).
//
// Variables only so that tests under the race detector, where decoding is
// many times slower, can run the same scenario at a smaller scale.
var (
	maxListingBytes = 32 << 20
	maxListingItems = 100_000
)

// errMalformed marks an answer whose shape is not Graph's.
var errMalformed = errors.New("malformed answer from Graph")

// errOffOrigin marks a request the client refused to send because its URL
// is not on the Graph origin: a bug or a hostile link, never retried.
var errOffOrigin = errors.New("refusing to send the token outside the Graph endpoint")

// guardClient returns a copy of hc that follows no redirect (Go's client
// would re-send the Authorization header to the same host over http, and a
// redirected PATCH would be re-sent elsewhere) and whose transport refuses,
// before sending, any request whose scheme or host:port differs from base.
func guardClient(hc *http.Client, base *url.URL) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	if base != nil {
		c.Transport = originGuard{next: rt, scheme: base.Scheme, host: base.Host}
	}
	return &c
}

type originGuard struct {
	next         http.RoundTripper
	scheme, host string
}

func (g originGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.EqualFold(req.URL.Scheme, g.scheme) || !strings.EqualFold(req.URL.Host, g.host) {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, fmt.Errorf("%w: %s://%s is not %s://%s", errOffOrigin,
			redact.Cut(req.URL.Scheme, 16), redact.Cut(req.URL.Host, 100), g.scheme, g.host)
	}
	return g.next.RoundTrip(req)
}

// redirectError is the answer to a 3xx: never followed, always an error
// (exit 1: Graph does not redirect its API, so something in between does).
func redirectError(op string, resp *http.Response) error {
	where := "elsewhere"
	if loc, err := resp.Location(); err == nil {
		// Only the origin: a Location may carry tokens in its query.
		where = loc.Scheme + "://" + loc.Host
	}
	return fmt.Errorf("%s: Graph answered HTTP %d, a redirect to %s; redirects are never followed, so the token and request stay with %s (check --graph-endpoint and any proxy or gateway in between) [request-id %s]",
		op, resp.StatusCode, redact.ServerText(where, 120), resp.Request.URL.Host, requestID(resp.Header, "request-id"))
}

// checkToken refuses a token that cannot be sent as a header value. Go's
// client would refuse it on every attempt and the retries would run out
// the budget; the sign-in is what is wrong (exit 3).
func checkToken(tok string) error {
	if tok == "" {
		return exitcode.Authf("the sign-in returned an empty access token; run `hybridmgmt connect` again")
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] <= 0x20 || tok[i] >= 0x7f {
			return exitcode.Authf("the sign-in returned an access token with control or non-ASCII characters; refusing to use it (run `hybridmgmt connect` again)")
		}
	}
	return nil
}

// validator is implemented by answers that can tell whether they have the
// documented shape.
type validator interface{ validate() error }

// UnmarshalJSON decodes a page strictly: it must be an object with a
// "value" array spelled exactly so. encoding/json matches keys without
// regard to case, so {"value":[...],"VALUE":[]} would otherwise replace
// the real page with an empty one. Members are walked with the standard
// decoder so the (possibly large) value array is decoded once, in place.
func (p *page[T]) UnmarshalJSON(data []byte) error {
	p.size = len(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("%w: a collection page is not a JSON object", errMalformed)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		// An if chain, not a switch: Go's coverage profile does not cover
		// case expressions, so mutation testing could not see the tests
		// reach them.
		if key == "value" {
			if p.hasValue {
				return fmt.Errorf(`%w: "value" appears twice`, errMalformed)
			}
			p.hasValue = true
			// Through a pointer, so that null is seen (it would leave a
			// slice nil, indistinguishable from an empty page).
			var v *[]T
			if err := dec.Decode(&v); err != nil {
				return err
			}
			if v == nil {
				return fmt.Errorf(`%w: "value" is null`, errMalformed)
			}
			p.Value = *v
		} else if key == "@odata.nextLink" {
			if err := dec.Decode(&p.NextLink); err != nil {
				return err
			}
		} else if strings.EqualFold(key, "value") || strings.EqualFold(key, "@odata.nextLink") {
			return fmt.Errorf("%w: member %q differs from %q only in case", errMalformed, redact.Cut(key, 40), strings.ToLower(key))
		} else {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
	}
	if !p.hasValue {
		return fmt.Errorf(`%w: no "value" array`, errMalformed)
	}
	return nil
}

func (p *page[T]) validate() error {
	if !p.hasValue {
		// null decodes into a zero page without calling UnmarshalJSON.
		return fmt.Errorf(`%w: no "value" array`, errMalformed)
	}
	return nil
}

// validate: every application Graph returns has an object id, and the
// cmdlets address it by that id.
func (a *Application) validate() error {
	if a.ID == "" {
		return fmt.Errorf("%w: the application has no id", errMalformed)
	}
	return nil
}
