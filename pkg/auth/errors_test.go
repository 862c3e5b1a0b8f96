package auth

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// testClient is a Client with just what error mapping needs.
func testClient(secrets ...string) *Client {
	return &Client{cfg: Config{AuthorityHost: "https://login.example/"}, secrets: secrets}
}

func callErr(status int, body string) msalerrors.CallErr {
	req, _ := http.NewRequest(http.MethodPost, "https://login.example/t/oauth2/v2.0/token?x=secret#frag", nil)
	return msalerrors.CallErr{
		Req:  req,
		Resp: &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(body))},
		Err:  fmt.Errorf("http call(%s)(POST) error: reply status code was %d", req.URL, status),
	}
}

// The status decides the kind: 5xx and 429 are an unavailable service
// (exit 6, a retry may help), everything else a failed sign-in (exit 3).
func TestCallErrKindByStatus(t *testing.T) {
	const body = `{"error":"invalid_grant","error_description":"AADSTS50126: Error validating credentials. Trace ID: x","error_codes":[50126]}`
	for status, kind := range map[int]error{400: exitcode.ErrAuth, 428: exitcode.ErrAuth, 429: exitcode.ErrUnavailable, 499: exitcode.ErrAuth, 500: exitcode.ErrUnavailable, 503: exitcode.ErrUnavailable} {
		err := testClient().callErr(callErr(status, body))
		require.ErrorIs(t, err, kind, "%d: %v", status, err)
		if kind == exitcode.ErrUnavailable {
			assert.Equal(t, fmt.Sprintf("the sign-in service https://login.example is unavailable (HTTP %d): AADSTS50126: Error validating credentials.", status), err.Error())
		} else {
			assert.Equal(t, "sign-in failed: AADSTS50126: Error validating credentials. Check the username and password.", err.Error())
		}
	}
}

func TestCallErrWithoutAnOAuthBody(t *testing.T) {
	err := testClient().callErr(callErr(404, "<html>not found</html>"))
	require.ErrorIs(t, err, exitcode.ErrAuth)
	assert.Equal(t, "sign-in failed: HTTP 404 from https://login.example/t/oauth2/v2.0/token", err.Error(), "the URL without its query")

	err = testClient().callErr(callErr(502, ""))
	require.ErrorIs(t, err, exitcode.ErrUnavailable)
	assert.Equal(t, "the sign-in service https://login.example is unavailable (HTTP 502)", err.Error())

	// No request or response known: the authority host names it.
	err = testClient().callErr(msalerrors.CallErr{Err: errors.New("boom")})
	assert.Equal(t, "sign-in failed: HTTP 0 from https://login.example", err.Error())
}

// MSAL's device code poller reads the body itself; the JSON is then at the
// end of its message.
func TestParseOAuthErrorFromMSALsMessage(t *testing.T) {
	ce := msalerrors.CallErr{Err: errors.New(`http call(https://x/token)(POST) error: reply status code was 400:` + "\n" +
		`{"error":"expired_token","error_description":"AADSTS70019: Verification code expired. Trace ID: t"}`)}
	oe, ok := parseOAuthError(ce)
	require.True(t, ok)
	assert.Equal(t, "expired_token", oe.Error)

	oe, ok = parseOAuthError(msalerrors.CallErr{Err: errors.New(`{"error":"invalid_grant"}`)})
	require.True(t, ok, "the message is only the body")
	assert.Equal(t, "invalid_grant", oe.Error)

	for _, msg := range []string{"no json here", `prefix {"other":1}`, `{not json`} {
		_, ok := parseOAuthError(msalerrors.CallErr{Err: errors.New(msg)})
		assert.False(t, ok, msg)
	}
	_, ok = parseOAuthError(msalerrors.CallErr{Resp: &http.Response{Body: io.NopCloser(strings.NewReader(`{"x":1}`))}})
	assert.False(t, ok, "JSON without error fields is not an OAuth error")
	oe, ok = parseOAuthError(msalerrors.CallErr{Resp: &http.Response{Body: io.NopCloser(strings.NewReader(`{"error_description":"only text"}`))}})
	require.True(t, ok)
	assert.Equal(t, "only text", oe.ErrorDescription)
}

func TestDescribeShapes(t *testing.T) {
	assert.Equal(t, "invalid_client", describe(oauthError{Error: "invalid_client"}), "no description: the error code")
	assert.Equal(t, "Something odd.", describe(oauthError{ErrorDescription: "Something odd. Trace."}), "no error code: the description")
	assert.Equal(t, "AADSTS50126: Bad.", describe(oauthError{Error: "invalid_grant", ErrorDescription: "AADSTS50126: Bad. More."}))
	assert.Equal(t, "AADSTS700082: Expired.", describe(oauthError{Error: "invalid_grant", ErrorDescription: "Expired.", ErrorCodes: []int{700082, 1}}), "the first of error_codes")
	assert.Equal(t, "", describe(oauthError{}))

	assert.Equal(t, 1, aadstsCode(oauthError{ErrorDescription: "AADSTS50126: y", ErrorCodes: []int{1}}), "error_codes, the structured field, wins")
	assert.Equal(t, 50126, aadstsCode(oauthError{ErrorDescription: "AADSTS50126: y", ErrorCodes: []int{0}}), "a zero code falls back to the description")
	assert.Zero(t, aadstsCode(oauthError{ErrorDescription: "x AADSTS50126: y"}), "only a code at the start of the description counts")
	assert.Equal(t, 7, aadstsCode(oauthError{ErrorCodes: []int{7}}))
	assert.Zero(t, aadstsCode(oauthError{ErrorCodes: []int{}}))
}

func TestFirstSentence(t *testing.T) {
	for in, want := range map[string]string{
		"One. Two.":                  "One.",
		"  One.\r\nTrace ID: x":      "One.",
		"Line one\nline two":         "Line one",
		"No full stop":               "No full stop",
		"v1.2 is fine. Next":         "v1.2 is fine.",
		"\nLeading newline. Trimmed": "Leading newline.",
		"":                           "",
		". Then more":                ".",
	} {
		assert.Equal(t, want, firstSentence(in), "%q", in)
	}
}

// timeoutErr is a net.Error that is neither an OpError nor a url.Error.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o\ntimeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestNetworkCause(t *testing.T) {
	dns := &net.DNSError{Err: "no such host", Name: "login.example", IsNotFound: true}
	op := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	cases := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("wrapped: %w", x509.UnknownAuthorityError{}), "TLS certificate not trusted (x509: certificate signed by unknown authority); check --proxy and the system's CA trust"},
		{fmt.Errorf("wrapped: %w", dns), "lookup login.example: no such host"},
		{fmt.Errorf("wrapped: %w", op), "dial tcp: connection refused"},
		{&url.Error{Op: "Post", URL: "https://x", Err: errors.New("weird\nfailure")}, "weird failure"},
		{fmt.Errorf("wrapped: %w", timeoutErr{}), "i/o timeout"},
		{fmt.Errorf("msal: %w", context.DeadlineExceeded), "no answer in time"},
		{&url.Error{Op: "Post", URL: "https://x", Err: context.DeadlineExceeded}, "no answer in time"},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), "connection closed early"},
		{io.EOF, "connection closed early"},
	}
	for _, c := range cases {
		got, ok := networkCause(c.err)
		assert.True(t, ok, "%v", c.err)
		assert.Equal(t, c.want, got)
		assert.True(t, isOAuthOrNetwork(c.err))
	}
	_, ok := networkCause(errors.New("something else"))
	assert.False(t, ok)
	assert.False(t, isOAuthOrNetwork(errors.New("no token found")))
	assert.True(t, isOAuthOrNetwork(fmt.Errorf("w: %w", msalerrors.CallErr{Err: errors.New("x")})))
	assert.Equal(t, "inner", innermost(fmt.Errorf("a: %w", fmt.Errorf("b: %w", errors.New("inner")))))
}

func TestWrapErrKinds(t *testing.T) {
	c := testClient("hunter2")
	ctx := context.Background()
	assert.NoError(t, c.wrapErr(ctx, nil))

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	assert.Equal(t, context.Canceled, c.wrapErr(canceled, errors.New("anything")), "cancellation passes through unchanged")

	usage := exitcode.Usagef("bad")
	assert.Equal(t, usage, c.wrapErr(ctx, usage), "already ours")
	unavailable := exitcode.Wrap(exitcode.ErrUnavailable, errors.New("down"))
	assert.Equal(t, unavailable, c.wrapErr(ctx, unavailable))

	err := c.wrapErr(ctx, fmt.Errorf("msal: %w", errAppSecretNeeded))
	require.ErrorIs(t, err, exitcode.ErrAuth)
	assert.ErrorIs(t, err, errAppSecretNeeded)

	err = c.wrapErr(ctx, fmt.Errorf("msal: %w", &refusedError{msg: "no redirects for hunter2"}))
	require.ErrorIs(t, err, exitcode.ErrAuth)
	assert.Equal(t, "sign-in failed: no redirects for [REDACTED]", err.Error())

	err = c.wrapErr(ctx, fmt.Errorf("post: %w", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("refused")}))
	require.ErrorIs(t, err, exitcode.ErrUnavailable)
	assert.Equal(t, "cannot reach the sign-in service https://login.example: dial tcp: refused", err.Error())

	err = c.wrapErr(ctx, errors.New("strange failure with hunter2\nsecond line"))
	require.ErrorIs(t, err, exitcode.ErrAuth)
	assert.Equal(t, "sign-in failed: strange failure with [REDACTED] second line", err.Error())

	err = c.wrapErr(ctx, callErr(400, `{"error":"invalid_grant","error_description":"AADSTS50126: x"}`))
	require.ErrorIs(t, err, exitcode.ErrAuth)
	assert.Contains(t, err.Error(), "AADSTS50126")
}
