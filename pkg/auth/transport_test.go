package auth

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// roundTripFunc answers requests in-process, counting them.
type roundTripFunc struct {
	calls *int
	f     func(*http.Request) *http.Response
}

func (r roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) {
	*r.calls++
	return r.f(req), nil
}

func answer(status int, header http.Header, body string) func(*http.Request) *http.Response {
	return func(*http.Request) *http.Response {
		if header == nil {
			header = http.Header{}
		}
		return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(strings.NewReader(body))}
	}
}

func TestCappedBodyAcceptsExactlyTheLimit(t *testing.T) {
	exact := &cappedBody{rc: io.NopCloser(strings.NewReader(strings.Repeat("a", MaxSignInResponse))), left: MaxSignInResponse, from: "https://login.example"}
	b, err := io.ReadAll(exact)
	require.NoError(t, err, "an answer of exactly the limit is whole")
	assert.Len(t, b, MaxSignInResponse)

	over := &cappedBody{rc: io.NopCloser(strings.NewReader(strings.Repeat("a", MaxSignInResponse+1))), left: MaxSignInResponse, from: "https://login.example"}
	b, err = io.ReadAll(over)
	require.ErrorIs(t, err, errSignInRefused)
	assert.Equal(t, "the sign-in service https://login.example sent an answer larger than 1024 KiB (after decompression); refusing it", err.Error())
	assert.Len(t, b, MaxSignInResponse, "nothing past the limit is handed on")

	// One read with a buffer larger than what is left stops at the limit.
	small := &cappedBody{rc: io.NopCloser(strings.NewReader("abcdef")), left: 4}
	p := make([]byte, 16)
	n, err := small.Read(p)
	require.NoError(t, err)
	assert.Equal(t, "abcd", string(p[:n]))
	assert.Equal(t, int64(0), small.left)
}

func TestSignInTransportRefusesEveryRedirectStatusOnly(t *testing.T) {
	for status, refused := range map[int]bool{200: false, 299: false, 300: true, 302: true, 399: true, 400: false, 503: false} {
		calls := 0
		c := signInClient(&http.Client{Transport: roundTripFunc{&calls, answer(status, http.Header{"Location": {"http://evil.example:8080/x?code=1"}}, "{}")}})
		resp, err := c.Get("https://login.example/t/oauth2/v2.0/token")
		assert.Equal(t, 1, calls, "%d: the caller's transport carries the request", status)
		if !refused {
			require.NoError(t, err, "%d", status)
			resp.Body.Close()
			assert.Equal(t, status, resp.StatusCode)
			continue
		}
		require.ErrorIs(t, err, errSignInRefused, "%d", status)
		assert.Contains(t, err.Error(), "the sign-in service https://login.example answered HTTP ")
		assert.Contains(t, err.Error(), "a redirect to http://evil.example:8080; redirects are never followed", "the target's origin, never its query")
	}

	calls := 0
	c := signInClient(&http.Client{Transport: roundTripFunc{&calls, answer(307, nil, "")}})
	_, err := c.Get("https://login.example/x")
	require.ErrorIs(t, err, errSignInRefused)
	assert.Contains(t, err.Error(), "a redirect to elsewhere", "no Location: nothing to name")
}

// closeRecorder notes whether the request body was closed.
type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestSignInTransportRefusesPlainHTTPBeforeSending(t *testing.T) {
	calls := 0
	c := signInClient(&http.Client{Transport: roundTripFunc{&calls, answer(200, nil, "{}")}})
	body := &closeRecorder{Reader: strings.NewReader("password=x")}
	req, err := http.NewRequest(http.MethodPost, "http://login.example/t/oauth2/v2.0/token", body)
	require.NoError(t, err)
	_, err = c.Do(req)
	require.ErrorIs(t, err, errSignInRefused)
	assert.Contains(t, err.Error(), "refusing to send a sign-in request to http://login.example: only https")
	assert.Zero(t, calls, "nothing was sent")
	assert.True(t, body.closed)

	// HTTPS in any case is https.
	_, err = c.Get("HTTPS://login.example/x")
	require.NoError(t, err)
	assert.Equal(t, 1, calls)
}

func TestSignInClientNeverFollowsRedirects(t *testing.T) {
	c := signInClient(nil)
	assert.NotNil(t, c.Transport)
	req, err := http.NewRequest(http.MethodGet, "https://elsewhere.example/x", nil)
	require.NoError(t, err)
	err = c.CheckRedirect(req, nil)
	require.ErrorIs(t, err, errSignInRefused)
	assert.Equal(t, "the sign-in service redirected to https://elsewhere.example; redirects are never followed", err.Error())
	var refused *refusedError
	assert.True(t, errors.As(err, &refused))
}
