package appproxy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/httpstub"
)

// The one line a failed Graph call becomes: each part only when Graph sent
// it, and whichever request ids there are, for Microsoft support.
func TestErrorLineParts(t *testing.T) {
	for _, c := range []struct {
		name string
		e    Error
		want string
	}{
		{"status only", Error{Status: 502}, "Graph returned 502"},
		{"operation", Error{Op: "list connector groups", Status: 502}, "list connector groups: Graph returned 502"},
		{"code", Error{Status: 400, Code: "Invalid_App"}, "Graph returned 400 Invalid_App"},
		{"detail code equal to code", Error{Status: 400, Code: "Invalid_App", DetailCode: "Invalid_App"}, "Graph returned 400 Invalid_App"},
		{"detail code alone", Error{Status: 400, DetailCode: "Invalid_App"}, "Graph returned 400 (Invalid_App)"},
		{"message, first line", Error{Status: 400, Message: "  one\r\ntwo"}, "Graph returned 400: one"},
		{"hint", Error{Status: 403, Hint: "needs a role"}, "Graph returned 403 (needs a role)"},
		{"both ids", Error{Status: 500, RequestID: "r1", ClientRequestID: "c1"}, "Graph returned 500 [request-id r1, client-request-id c1]"},
		{"request id", Error{Status: 500, RequestID: "r1"}, "Graph returned 500 [request-id r1]"},
		{"client request id", Error{Status: 500, ClientRequestID: "c1"}, "Graph returned 500 [client-request-id c1]"},
		{"everything", Error{Op: "op", Status: 403, Code: "A", DetailCode: "B", Message: "m", Hint: "h", RequestID: "r", ClientRequestID: "c"},
			"op: Graph returned 403 A (B): m (h) [request-id r, client-request-id c]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, c.e.Error())
		})
	}
}

// A Graph status decides the exit code and, for 403, the PowerShell
// category (signed in but not allowed is PermissionDenied, not a failed
// sign-in).
func TestGraphStatusKinds(t *testing.T) {
	for _, c := range []struct {
		status   int
		exit     int
		category string
	}{
		{400, exitcode.Unexpected, exitcode.CategoryNotSpecified},
		{401, exitcode.Auth, exitcode.CategoryAuthenticationError},
		{403, exitcode.Auth, exitcode.CategoryPermissionDenied},
		{404, exitcode.NotFound, exitcode.CategoryObjectNotFound},
		{409, exitcode.Unexpected, exitcode.CategoryNotSpecified},
		{429, exitcode.Unavailable, exitcode.CategoryResourceUnavailable},
		{500, exitcode.Unavailable, exitcode.CategoryResourceUnavailable},
		{501, exitcode.Unexpected, exitcode.CategoryNotSpecified},
		{502, exitcode.Unavailable, exitcode.CategoryResourceUnavailable},
		{503, exitcode.Unavailable, exitcode.CategoryResourceUnavailable},
		{504, exitcode.Unavailable, exitcode.CategoryResourceUnavailable},
	} {
		t.Run(strconv.Itoa(c.status), func(t *testing.T) {
			err := fmt.Errorf("wrapped: %w", &Error{Status: c.status})
			assert.Equal(t, c.exit, exitcode.Of(err))
			assert.Equal(t, c.category, exitcode.CategoryOf(err, exitcode.Of(err)))
			assert.Equal(t, c.status == 404, IsNotFound(err))
		})
	}
}

// The machine-readable error line names Graph's code, or details[0].code
// when the App Proxy backend sent an empty code (R9).
func TestErrorDetailsCode(t *testing.T) {
	e := &Error{Code: "Authorization_RequestDenied", DetailCode: "NotAdmin", Hint: "h", RequestID: "r", ClientRequestID: "c"}
	assert.Equal(t, exitcode.Details{Code: "Authorization_RequestDenied", Hint: "h", RequestID: "r", ClientRequestID: "c"}, e.ErrorDetails())
	e.Code = ""
	assert.Equal(t, "NotAdmin", e.ErrorDetails().Code)
}

// graphErrorClient answers one GET of the connector groups with status,
// headers and body exactly as given (httpstub.JSON would add a request-id).
func graphErrorClient(t *testing.T, status int, header map[string]string, body string) *harness {
	t.Helper()
	h := newHarness(t, time.Second)
	h.reg.Register("error", httpstub.REST("GET", groupsPath), func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	})
	return h
}

// envelopeJSON is Graph's error envelope; details, when given, is
// details[0].code.
func envelopeJSON(code, message, requestID string, details ...string) string {
	type detail struct {
		Code string `json:"code"`
	}
	var env struct {
		Error struct {
			Code       string            `json:"code"`
			Message    string            `json:"message"`
			Details    []detail          `json:"details,omitempty"`
			InnerError map[string]string `json:"innerError"`
		} `json:"error"`
	}
	env.Error.Code, env.Error.Message = code, message
	env.Error.InnerError = map[string]string{"request-id": requestID}
	for _, d := range details {
		env.Error.Details = append(env.Error.Details, detail{d})
	}
	b, _ := json.Marshal(env)
	return string(b)
}

func graphErr(t *testing.T, h *harness) *Error {
	t.Helper()
	_, err := h.client.ListConnectorGroups(context.Background())
	require.Error(t, err)
	var ge *Error
	require.ErrorAs(t, err, &ge)
	return ge
}

// Server text in an error is bounded at exactly its limit: a code of 100
// bytes and a message of 300 bytes arrive whole, one byte more is cut there
// and marked.
func TestServerErrorTextBoundedAtExactLimits(t *testing.T) {
	code100 := strings.Repeat("C", 100)
	msg300 := strings.Repeat("m", 300)
	for _, c := range []struct {
		name, code, message string
		wantCode, wantMsg   string
	}{
		{"at the limits", code100, msg300, code100, msg300},
		{"one byte over", code100 + "X", msg300 + "Y", code100 + "...", msg300 + "..."},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := graphErrorClient(t, 409, map[string]string{"request-id": "r1"}, envelopeJSON(c.code, c.message, ""))
			ge := graphErr(t, h)
			assert.Equal(t, c.wantCode, ge.Code)
			assert.Equal(t, c.wantMsg, ge.Message)
		})
	}
}

// A body that is not Graph's envelope (a gateway's HTML page) still gives
// the status and its text, never an empty message; a message keeps only
// its first line (the error is one line on the terminal).
func TestServerErrorMessageFallbacks(t *testing.T) {
	for _, c := range []struct {
		name, body string
		status     int
		want       string
		exit       int
	}{
		{"html page", "<html><body>bad gateway</body></html>", 502, "Bad Gateway", exitcode.Unavailable},
		{"empty message", envelopeJSON("X", "", ""), 409, "Conflict", exitcode.Unexpected},
		{"message kept", envelopeJSON("X", "the app is soft-deleted", ""), 409, "the app is soft-deleted", exitcode.Unexpected},
		{"first line", envelopeJSON("X", "  line one \nline two\r\nline three", ""), 409, "line one", exitcode.Unexpected},
	} {
		t.Run(c.name, func(t *testing.T) {
			// A retry budget too short for any wait: one attempt, even for 502.
			h := newHarness(t, time.Nanosecond)
			h.reg.Register("error", httpstub.REST("GET", groupsPath), func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(c.body))
			})
			_, err := h.client.ListConnectorGroups(context.Background())
			require.Error(t, err)
			var ge *Error
			require.ErrorAs(t, err, &ge)
			assert.Equal(t, c.want, ge.Message)
			assert.Equal(t, c.status, ge.Status)
			assert.Equal(t, c.exit, exitcode.Of(err))
			assert.Contains(t, err.Error(), ": "+c.want)
		})
	}
}

// Graph's request id reaches the error from the response header, else from
// the envelope, else the echoed client-request-id: whatever support can
// look up. Only what an id is made of is kept (printable ASCII without
// spaces), bounded at exactly 100 bytes.
func TestRequestIDsSurfacedAndSanitized(t *testing.T) {
	id100 := strings.Repeat("7", 100)
	for _, c := range []struct {
		name     string
		header   map[string]string
		innerID  string
		detail   string
		wantID   string
		wantCode string
	}{
		{"header wins", map[string]string{"request-id": "hdr-1"}, "inner-1", "", "hdr-1", ""},
		{"envelope", nil, "inner-1", "", "inner-1", ""},
		{"echoed client id", map[string]string{"client-request-id": "echo-1"}, "", "", "echo-1", ""},
		{"nothing", nil, "", "", "", ""},
		{"foreign bytes dropped", nil, "a b\tc\u007fd~!é\u0085\u2028e", "", "abcd~!e", ""},
		{"only a space is dropped", nil, "a b", "", "ab", ""},
		{"only DEL is dropped", nil, "a\u007fb", "", "ab", ""},
		{"only blanks is no id", map[string]string{"client-request-id": "echo-2"}, " \t ", "", "echo-2", ""},
		{"exactly 100 bytes", nil, id100, "", id100, ""},
		{"101 bytes", nil, id100 + "8", "", id100 + "...", ""},
		{"detail code sanitized", nil, "", "Not Admin\u007f", "", "NotAdmin"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var details []string
			if c.detail != "" {
				details = []string{c.detail}
			}
			ge := graphErr(t, graphErrorClient(t, 409, c.header, envelopeJSON("X", "m", c.innerID, details...)))
			assert.Equal(t, c.wantID, ge.RequestID)
			assert.Equal(t, c.wantCode, ge.DetailCode)
			// The id this client sent is always there, as sent.
			assert.Regexp(t, `^[0-9a-f-]{36}$`, ge.ClientRequestID)
			if c.wantID != "" {
				assert.Contains(t, ge.Error(), "[request-id "+c.wantID+", client-request-id "+ge.ClientRequestID+"]")
			} else {
				assert.Contains(t, ge.Error(), " [client-request-id "+ge.ClientRequestID+"]")
			}
		})
	}
}

// A connector group's name in an operation is cut at 64 bytes without
// splitting a character: the error line stays valid UTF-8.
func TestGroupNameInOperationIsCutWhole(t *testing.T) {
	for _, c := range []struct{ name, name64 string }{
		{"exactly 64 bytes", strings.Repeat("g", 64)},
		{"a character across the cut", strings.Repeat("g", 63) + "é"},
		{"a four-byte character across the cut", strings.Repeat("g", 62) + "😀"},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := c.name64
			if len(want) > 64 {
				want = strings.TrimRightFunc(want, func(r rune) bool { return r >= 0x80 }) + "..."
			}
			h := newHarness(t, time.Second)
			h.reg.Register("expand rejected", httpstub.Query(httpstub.REST("GET", groupsPath), "$expand", "members"),
				httpstub.GraphError(400, "Request_UnsupportedQuery", "Unsupported query"))
			h.reg.Register("groups", func(r *http.Request) bool {
				return r.Method == "GET" && r.URL.Path == groupsPath && r.URL.RawQuery == ""
			}, httpstub.JSON(200, fmt.Sprintf(`{"value":[{"id":"g1","name":%q}]}`, c.name64)))
			h.reg.Register("members", httpstub.REST("GET", groupsPath+"/g1/members"),
				httpstub.GraphError(403, "Authorization_RequestDenied", "denied"))
			_, err := h.client.ListConnectorGroups(context.Background())
			require.Error(t, err)
			assert.True(t, utf8.ValidString(err.Error()))
			assert.True(t, strings.HasPrefix(err.Error(), "list members of connector group "+want+": Graph returned 403"), err.Error())
		})
	}
}

// An error code is redacted before it is bounded: a token that straddles
// the bound must not leave its recognisable start behind.
func TestErrorCodeRedactedBeforeItIsCut(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
	code := strings.Repeat("x", maxCodeBytes-20) + " " + jwt
	ge := decodeError("read", 400, http.Header{}, []byte(`{"error":{"code":"`+code+`","message":"m"}}`))
	assert.NotContains(t, ge.Code, "eyJhbGci", "a cut JWT is no longer recognised as one")
	assert.LessOrEqual(t, len(ge.Code), maxCodeBytes+len("…"))
}
