package labtenant

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Request is one request the lab received (the /_lab/ control routes are
// not recorded). It carries no secret: no body, no headers, and query
// values that could carry a credential are replaced by REDACTED.
type Request struct {
	Seq       int       `json:"seq"`
	Time      time.Time `json:"time"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Query     string    `json:"query,omitempty"`
	GrantType string    `json:"grantType,omitempty"`
	ClientID  string    `json:"clientId,omitempty"`
	Status    int       `json:"status"` // 0 while the request is in flight
	Family    string    `json:"family"` // "authority" or "graph"
}

// IsTokenRequest reports a POST to a token endpoint.
func (r Request) IsTokenRequest() bool {
	return r.Method == http.MethodPost && strings.HasSuffix(strings.ToLower(r.Path), "/oauth2/v2.0/token")
}

const maxKeptRequests = 10000

type statsStore struct {
	mu    sync.Mutex
	next  int
	reqs  []Request
	index map[int]int // seq -> position in reqs
}

var sensitiveQuery = map[string]bool{
	"code": true, "access_token": true, "refresh_token": true, "id_token": true,
	"client_secret": true, "client_assertion": true, "password": true,
	"assertion": true, "device_code": true, "code_verifier": true,
}

func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "(unparsable)"
	}
	for k := range q {
		if sensitiveQuery[strings.ToLower(k)] {
			q[k] = []string{"REDACTED"}
		}
	}
	return strings.ReplaceAll(q.Encode(), "%24", "$")
}

func (st *statsStore) begin(now time.Time, r *http.Request, fam family, grantType, clientID string) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.next++
	name := "authority"
	if fam == familyGraph {
		name = "graph"
	}
	if st.index == nil {
		st.index = map[int]int{}
	}
	if len(st.reqs) >= maxKeptRequests {
		// Drop the oldest half at once; counts past this are approximate
		// only for runs nobody should be counting.
		drop := len(st.reqs) / 2
		for _, old := range st.reqs[:drop] {
			delete(st.index, old.Seq)
		}
		st.reqs = append([]Request(nil), st.reqs[drop:]...)
		for i, rq := range st.reqs {
			st.index[rq.Seq] = i
		}
	}
	st.reqs = append(st.reqs, Request{
		Seq: st.next, Time: now.UTC(), Method: r.Method, Path: r.URL.Path,
		Query: redactQuery(r.URL.RawQuery), GrantType: grantType, ClientID: clientID, Family: name,
	})
	st.index[st.next] = len(st.reqs) - 1
	return st.next
}

func (st *statsStore) finish(seq, status int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if i, ok := st.index[seq]; ok {
		st.reqs[i].Status = status
	}
}

func (st *statsStore) list() []Request {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]Request(nil), st.reqs...)
}

func (st *statsStore) reset() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.reqs, st.index = nil, map[int]int{}
}

// Requests returns the requests received since the last reset, oldest first.
func (s *Server) Requests() []Request { return s.stats.list() }

// CountTokenRequests counts token-endpoint POSTs since the last reset.
func (s *Server) CountTokenRequests() int {
	n := 0
	for _, r := range s.stats.list() {
		if r.IsTokenRequest() {
			n++
		}
	}
	return n
}

// CountRequests counts requests whose path starts with prefix
// (case-insensitive); "" counts everything.
func (s *Server) CountRequests(prefix string) int {
	n := 0
	lp := strings.ToLower(prefix)
	for _, r := range s.stats.list() {
		if strings.HasPrefix(strings.ToLower(r.Path), lp) {
			n++
		}
	}
	return n
}

// ResetStats forgets the recorded requests.
func (s *Server) ResetStats() { s.stats.reset() }
