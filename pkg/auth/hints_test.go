package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// serverMark is text only the server sent: no hint may repeat it.
const serverMark = "lab-server-says-run-evil.exe"

// refusal is the authority's 400 answer as MSAL hands it over.
func refusal(body string) msalerrors.CallErr {
	u, _ := url.Parse("https://login.example.test/tenant/oauth2/v2.0/token?x=1")
	return msalerrors.CallErr{
		Req:  &http.Request{URL: u},
		Resp: &http.Response{StatusCode: http.StatusBadRequest, Body: io.NopCloser(strings.NewReader(body))},
		Err:  fmt.Errorf("http call(%s)(POST) error: reply status code was 400", u),
	}
}

// errorLine is the -o json error line main writes for err.
func errorLine(t *testing.T, err error) exitcode.Report {
	t.Helper()
	var buf bytes.Buffer
	exitcode.WriteJSONLine(&buf, err, "")
	var line struct{ Error exitcode.Report }
	require.NoError(t, json.Unmarshal(buf.Bytes(), &line), buf.String())
	return line.Error
}

// Every mapped AADSTS code gives the error line its code and its hint,
// chosen from error_codes (not from the description's words), and the hint
// never carries what the server wrote.
func TestEveryAADSTSHintReachesTheErrorLine(t *testing.T) {
	c := &Client{cfg: Config{AuthorityHost: "https://login.example.test"}}
	codes := make([]int, 0, len(aadstsHints))
	for code := range aadstsHints {
		codes = append(codes, code)
	}
	sort.Ints(codes)
	for _, code := range codes {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			// The description names another code and carries server text:
			// neither may choose or enter the hint.
			body := fmt.Sprintf(`{"error":"invalid_grant","error_description":"AADSTS50126: %s. Trace ID: x","error_codes":[%d]}`, serverMark, code)
			err := c.callErr(refusal(body))
			assert.Equal(t, exitcode.Auth, exitcode.Of(err))
			r := errorLine(t, err)
			assert.Equal(t, exitcode.CategoryAuthenticationError, r.Category)
			assert.Equal(t, "AADSTS"+strconv.Itoa(code), r.Code)
			assert.Equal(t, aadstsHints[code], r.Hint)
			assert.NotContains(t, r.Hint, serverMark)
			assert.True(t, strings.HasSuffix(r.Message, r.Hint), "the human line ends with the hint: %q", r.Message)
		})
	}
}

func TestSignInCodeAndHintWithoutErrorCodes(t *testing.T) {
	c := &Client{cfg: Config{AuthorityHost: "https://login.example.test"}}
	cases := []struct{ body, code, hint string }{
		// MSAL's device-code poller keeps only the description: its
		// leading code counts, a code quoted later does not.
		{`{"error":"invalid_grant","error_description":"AADSTS7000215: Invalid client secret provided."}`, "AADSTS7000215", aadstsHints[7000215]},
		{`{"error":"invalid_grant","error_description":"The server mentions AADSTS65001 later."}`, "invalid_grant", ""},
		{`{"error":"interaction_required","error_description":"` + serverMark + `"}`, "interaction_required", oauthHints["interaction_required"]},
		{`{"error":"consent_required"}`, "consent_required", aadstsHints[65001]},
		// A code that is not an OAuth token is not repeated.
		{`{"error":"Evil <b>` + serverMark + `</b>"}`, "", ""},
		// A zero in error_codes is no code: the description's counts.
		{`{"error":"invalid_grant","error_description":"AADSTS50126: Bad password.","error_codes":[0]}`, "AADSTS50126", aadstsHints[50126]},
		// An unmapped AADSTS code: its code, no hint.
		{`{"error":"invalid_request","error_codes":[9999999]}`, "AADSTS9999999", ""},
	}
	for _, tc := range cases {
		r := errorLine(t, c.callErr(refusal(tc.body)))
		assert.Equal(t, 3, r.ExitCode, tc.body)
		assert.Equal(t, tc.code, r.Code, tc.body)
		assert.Equal(t, tc.hint, r.Hint, tc.body)
	}
}

// MSAL's device-code poller reads the body itself and leaves it only at
// the end of its message: the code and hint come from there, and a 5xx is
// unavailable (exit 6), never a sign-in hint.
func TestSignInCodeFromMSALsMessage(t *testing.T) {
	c := &Client{cfg: Config{AuthorityHost: "https://login.example.test"}}
	ce := refusal("")
	ce.Err = fmt.Errorf(`http call(https://login.example.test/tenant/oauth2/v2.0/token)(POST) error: reply status code was 400:
{"error":"invalid_grant","error_description":"AADSTS70008: The refresh token has expired.","error_codes":[70008]}`)
	r := errorLine(t, c.callErr(ce))
	assert.Equal(t, "AADSTS70008", r.Code)
	assert.Equal(t, reconnectHint, r.Hint)

	for _, status := range []int{http.StatusInternalServerError, http.StatusTooManyRequests} {
		ce := refusal(`{"error":"server_error","error_codes":[50126]}`)
		ce.Resp.StatusCode = status
		r := errorLine(t, c.callErr(ce))
		assert.Equal(t, exitcode.Unavailable, r.ExitCode, status)
		assert.Empty(t, r.Hint, status)
	}
}

// A sign-in the cache cannot serve tells the caller to connect, in the
// error line's hint (the PowerShell module's RecommendedAction).
func TestNotSignedInHasAConnectHint(t *testing.T) {
	e := newEnv(t)
	_, err := e.token(e.config(ModeCached))
	r := errorLine(t, err)
	assert.Equal(t, exitcode.CategoryAuthenticationError, r.Category)
	assert.Equal(t, notSignedInHint, r.Hint)
	assert.Contains(t, r.Hint, "Connect-HybridManagement")
}

// The same hints through a real refusal of the test authority (MSAL's
// own error path, not a hand-built CallErr).
func TestAuthorityRefusalCarriesCodeAndHint(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(ModeClientSecret)
	cfg.ClientSecret = "not-the-secret-value-xyz"
	_, err := e.token(cfg)
	r := errorLine(t, err)
	assert.Equal(t, "AADSTS7000215", r.Code)
	assert.Equal(t, aadstsHints[7000215], r.Hint)
	assert.NotContains(t, r.Message+r.Hint, "not-the-secret-value-xyz")
}

// docs/exit-codes.md lists every code that has a hint.
func TestHintedCodesAreDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "exit-codes.md"))
	require.NoError(t, err)
	docs := string(b)
	for code := range aadstsHints {
		assert.Contains(t, docs, "AADSTS"+strconv.Itoa(code), "docs/exit-codes.md does not list a hinted code")
	}
	for code := range oauthHints {
		assert.Contains(t, docs, "`"+code+"`", "docs/exit-codes.md does not list a hinted OAuth code")
	}
}
