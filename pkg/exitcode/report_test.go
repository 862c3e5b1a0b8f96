package exitcode_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// detailed stands in for a service error such as pkg/appproxy's *Error.
type detailed struct {
	msg string
	d   exitcode.Details
	is  error
}

func (e *detailed) Error() string                  { return e.msg }
func (e *detailed) ErrorDetails() exitcode.Details { return e.d }
func (e *detailed) Is(target error) bool           { return e.is != nil && errors.Is(e.is, target) }

// The JSON error line for every exit code, both categories of 3, 5 and 1.
func TestJSONErrorLine(t *testing.T) {
	graph403 := &detailed{
		msg: "list connectors: Graph returned 403 Authorization_RequestDenied",
		d:   exitcode.Details{Code: "Authorization_RequestDenied", Hint: "needs the Application Administrator role", RequestID: "r-1", ClientRequestID: "c-1"},
		is:  exitcode.ErrPermissionDenied,
	}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"unexpected", errors.New("create stopped halfway"),
			`{"error":{"exitCode":1,"category":"NotSpecified","message":"create stopped halfway"}}`},
		{"malformed answer", fmt.Errorf("get app: %w", exitcode.Malformedf("malformed answer from Graph: no id")),
			`{"error":{"exitCode":1,"category":"InvalidData","message":"get app: malformed answer from Graph: no id"}}`},
		{"interrupted", context.Canceled,
			`{"error":{"exitCode":1,"category":"NotSpecified","message":"context canceled"}}`},
		{"usage", exitcode.Usagef("--app-id %q is not a GUID", "x"),
			`{"error":{"exitCode":2,"category":"InvalidArgument","message":"--app-id \"x\" is not a GUID"}}`},
		{"sign-in failed", exitcode.Authf("sign-in failed: AADSTS50126"),
			`{"error":{"exitCode":3,"category":"AuthenticationError","message":"sign-in failed: AADSTS50126"}}`},
		{"graph 403", fmt.Errorf("get agents: %w", graph403),
			`{"error":{"exitCode":3,"category":"PermissionDenied","code":"Authorization_RequestDenied","message":"get agents: list connectors: Graph returned 403 Authorization_RequestDenied","hint":"needs the Application Administrator role","requestId":"r-1","clientRequestId":"c-1"}}`},
		{"app-only on a delegated-only API", exitcode.PermissionDeniedf("get-hybridagent needs a signed-in user"),
			`{"error":{"exitCode":3,"category":"PermissionDenied","message":"get-hybridagent needs a signed-in user"}}`},
		{"graph 403 from pkg/appproxy", &appproxy.Error{Status: 403, DetailCode: "Authorization_RequestDenied", Message: "Insufficient privileges", Hint: "role", RequestID: "r", ClientRequestID: "c"},
			`{"error":{"exitCode":3,"category":"PermissionDenied","code":"Authorization_RequestDenied","message":"Graph returned 403 (Authorization_RequestDenied): Insufficient privileges (role) [request-id r, client-request-id c]","hint":"role","requestId":"r","clientRequestId":"c"}}`},
		{"graph 401 from pkg/appproxy", &appproxy.Error{Status: 401, Code: "InvalidAuthenticationToken"},
			`{"error":{"exitCode":3,"category":"AuthenticationError","code":"InvalidAuthenticationToken","message":"Graph returned 401 InvalidAuthenticationToken"}}`},
		{"not found", exitcode.NotFoundf("application 1 not found"),
			`{"error":{"exitCode":4,"category":"ObjectNotFound","message":"application 1 not found"}}`},
		{"checks failed", exitcode.Wrap(exitcode.ErrChecksFailed, errors.New("2 checks failed")),
			`{"error":{"exitCode":5,"category":"ConnectionError","message":"2 checks failed"}}`},
		{"health gate", exitcode.HealthGatef("1 active agent, --min-active 2"),
			`{"error":{"exitCode":5,"category":"InvalidResult","message":"1 active agent, --min-active 2"}}`},
		{"unavailable", exitcode.Wrap(exitcode.ErrUnavailable, &detailed{msg: "Graph returned 503", d: exitcode.Details{RequestID: "r-2"}}),
			`{"error":{"exitCode":6,"category":"ResourceUnavailable","message":"Graph returned 503","requestId":"r-2"}}`},
		{"interrupted by Ctrl-C", exitcode.Wrap(exitcode.ErrInterrupted, context.Canceled),
			`{"error":{"exitCode":130,"category":"OperationStopped","message":"context canceled"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			exitcode.WriteJSONLine(&b, c.err, "")
			assert.Equal(t, c.want+"\n", b.String())
			var back map[string]map[string]any
			require.NoError(t, json.Unmarshal(b.Bytes(), &back))
			assert.Equal(t, float64(exitcode.Of(c.err)), back["error"]["exitCode"])
		})
	}
}

// Every exit code has a category, and each category is an ErrorCategory the
// module can cast; the refinements keep their parent's exit code.
func TestCategoriesTable(t *testing.T) {
	codes := map[int]bool{}
	for _, r := range exitcode.Categories {
		assert.False(t, codes[r.ExitCode], "exit code %d listed twice", r.ExitCode)
		codes[r.ExitCode] = true
		assert.NotEmpty(t, r.Default)
		assert.Equal(t, r.Alternative == "", r.When == nil, "exit code %d: an alternative needs its kind", r.ExitCode)
		if r.When != nil {
			assert.Equal(t, r.ExitCode, exitcode.Of(exitcode.Wrap(r.When, errors.New("x"))), "kind of %s", r.Alternative)
		}
	}
	for _, code := range []int{exitcode.Unexpected, exitcode.Usage, exitcode.Auth, exitcode.NotFound, exitcode.ChecksFailed, exitcode.Unavailable, exitcode.Interrupted} {
		assert.True(t, codes[code], "exit code %d has no category", code)
	}
	assert.Equal(t, exitcode.CategoryNotSpecified, exitcode.CategoryOf(errors.New("x"), 99))
}

// The message given (the escaped human line) wins; fields stay on one line
// and lose terminal controls.
func TestReportMessageAndCleaning(t *testing.T) {
	err := &detailed{msg: "raw", d: exitcode.Details{Code: "A\x1b[31mB", Hint: "line1\nline2\u202e"}}
	r := exitcode.NewReport(err, "shown")
	assert.Equal(t, "shown", r.Message)
	assert.Equal(t, "A[31mB", r.Code)
	assert.Equal(t, "line1 line2", r.Hint)
	assert.False(t, strings.ContainsAny(r.Hint, "\n\r"))
	assert.Equal(t, "failed with exit code 1", exitcode.NewReport(errors.New(""), "").Message)
}

// Each kind of character clean handles, alone between two letters.
func TestReportCleansEachControl(t *testing.T) {
	for in, want := range map[string]string{
		"a\nb": "a b", "a\rb": "a b", "a\tb": "a b", // line breaks and tabs become spaces
		"a\x1bb": "ab", "a\x7fb": "ab", "a\u0085b": "ab", // C0, DEL, C1
		"a\u202eb": "ab", "a\u2066b": "ab", "a\u200fb": "ab", // bidi override, isolate, mark
		"a\u2028b": "ab", "a\u2029b": "ab", // line and paragraph separators
		"a é b": "a é b", // everything else stays
	} {
		err := &detailed{msg: "raw", d: exitcode.Details{Hint: in}}
		assert.Equal(t, want, exitcode.NewReport(err, "shown").Hint, "%q", in)
	}
}

// WithDetails adds a code and hint to the line and keeps the kind (and so
// the exit code and category) and the message.
func TestWithDetails(t *testing.T) {
	err := exitcode.WithDetails(fmt.Errorf("get agents: %w", exitcode.Authf("not signed in.")), exitcode.Details{Code: "AADSTS700082", Hint: "Run connect."})
	var buf bytes.Buffer
	exitcode.WriteJSONLine(&buf, err, "")
	assert.Equal(t, `{"error":{"exitCode":3,"category":"AuthenticationError","code":"AADSTS700082","message":"get agents: not signed in.","hint":"Run connect."}}`+"\n", buf.String())
	assert.Nil(t, exitcode.WithDetails(nil, exitcode.Details{Hint: "x"}))
	assert.ErrorIs(t, exitcode.WithDetails(exitcode.PermissionDeniedf("no role"), exitcode.Details{}), exitcode.ErrPermissionDenied)
}
