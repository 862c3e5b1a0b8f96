// Package httpstub is a URL-routed HTTP stub registry for tests, after the
// GitHub CLI's httpmock: each stub answers one matching request, and Verify
// fails the test on stubs never used and on any request nobody expected.
package httpstub

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Matcher decides whether a stub answers a request.
type Matcher func(r *http.Request) bool

// Responder writes the answer.
type Responder func(w http.ResponseWriter, r *http.Request)

type stub struct {
	desc    string
	match   Matcher
	respond Responder
	used    bool
}

// Registry is an http.Handler serving registered stubs.
type Registry struct {
	mu         sync.Mutex
	stubs      []*stub
	unexpected []string
	// Requests records every request in order ("METHOD path?query").
	Requests []string
	// Bodies records request bodies in order.
	Bodies []string
}

// Register adds a stub answering one request that matches.
func (reg *Registry) Register(desc string, m Matcher, resp Responder) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	reg.stubs = append(reg.stubs, &stub{desc: desc, match: m, respond: resp})
}

// ServeHTTP answers with the first unused matching stub.
func (reg *Registry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	reg.mu.Lock()
	line := r.Method + " " + r.URL.RequestURI()
	reg.Requests = append(reg.Requests, line)
	reg.Bodies = append(reg.Bodies, string(body))
	var found *stub
	for _, s := range reg.stubs {
		if !s.used && s.match(r) {
			s.used = true
			found = s
			break
		}
	}
	if found == nil {
		reg.unexpected = append(reg.unexpected, line)
	}
	reg.mu.Unlock()
	if found == nil {
		http.Error(w, "httpstub: no stub for "+line, http.StatusNotImplemented)
		return
	}
	found.respond(w, r)
}

// Verify fails t for unused stubs and unexpected requests.
func (reg *Registry) Verify(t testing.TB) {
	t.Helper()
	reg.mu.Lock()
	defer reg.mu.Unlock()
	for _, s := range reg.stubs {
		if !s.used {
			t.Errorf("httpstub: stub never used: %s", s.desc)
		}
	}
	for _, u := range reg.unexpected {
		t.Errorf("httpstub: unexpected request: %s", u)
	}
}

// Count returns how many requests were received.
func (reg *Registry) Count() int {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	return len(reg.Requests)
}

// NewTLSServer serves reg over TLS on 127.0.0.1 and closes it with t.
func NewTLSServer(t testing.TB, reg *Registry) *httptest.Server {
	srv := httptest.NewTLSServer(reg)
	t.Cleanup(srv.Close)
	return srv
}

// REST matches method and an exact path (query ignored).
func REST(method, path string) Matcher {
	return func(r *http.Request) bool {
		return r.Method == method && r.URL.EscapedPath() == path
	}
}

// Query narrows m to requests whose query contains every key=value pair.
func Query(m Matcher, kv ...string) Matcher {
	return func(r *http.Request) bool {
		if !m(r) {
			return false
		}
		q := r.URL.Query()
		for i := 0; i+1 < len(kv); i += 2 {
			if q.Get(kv[i]) != kv[i+1] {
				return false
			}
		}
		return true
	}
}

// JSON answers with status and a JSON body.
func JSON(status int, body string) Responder {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("request-id", "req-"+strings.ToLower(r.Method))
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// Status answers with status and no body.
func Status(status int) Responder {
	return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }
}

// GraphError answers with Graph's OData error envelope.
func GraphError(status int, code, message string) Responder {
	return JSON(status, fmt.Sprintf(`{"error":{"code":%q,"message":%q,"innerError":{"date":"2026-11-24T10:00:00","request-id":"11111111-2222-3333-4444-555555555555","client-request-id":"11111111-2222-3333-4444-555555555555"}}}`, code, message))
}

// WithHeader adds a response header before delegating.
func WithHeader(k, v string, next Responder) Responder {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(k, v)
		next(w, r)
	}
}
