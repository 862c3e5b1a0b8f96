package appproxy

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// Seeds shared by the Graph decoding targets: real shapes, near misses and
// hostile values. Further seeds (and any regression inputs found by
// fuzzing) are in testdata/fuzz/<FuzzName>/.
var graphSeeds = []string{
	`{"value":[{"id":"o1","appId":"a1","displayName":"Hybrid","onPremisesPublishing":{"externalUrl":"https://6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net:443/","internalUrl":"https://exch01.contoso.local/"}}]}`,
	`{"value":[{"id":"o2","appId":"a2","displayName":"Intranet","onPremisesPublishing":{"externalUrl":"https://intranet-contoso.msappproxy.net/"}},{"id":"o3","onPremisesPublishing":null}]}`,
	`{"value":[{"id":"o4","onPremisesPublishing":{"externalUrl":"PowerShellDeleteApplication","internalUrl":"PowerShellDeleteApplication"}}]}`,
	`{"value":[{"id":"o5","onPremisesPublishing":{"externalUrl":42,"internalUrl":["x"]}}]}`,
	`{"value":[{"id":"o6","onPremisesPublishing":{"externalUrl":"https://A.RESOURCE.mailboxmigration.his.msappproxy.net.evil.example/"}}]}`,
	`{"value":[],"@odata.nextLink":"https://evil.example/beta/applications?$skiptoken=x"}`,
	`{"value":[],"@odata.nextLink":"::not a url"}`,
	`{"value":[{"id":"g1","name":"Default group for Exchange Online","connectorGroupType":"applicationProxy","region":"nam","isDefault":false,"members":[{"id":"c1","machineName":"EXCH-AGENT01.contoso.local","externalIp":"203.0.113.10","status":"active","version":"1.5.3437.0"}]}]}`,
	`{"value":[{"id":"g2","name":"evil\u001b]0;pwned\u0007\u202e","members":null}]}`,
	`{"application":{"id":"o7","appId":"a7","displayName":"New"},"servicePrincipal":{"id":"sp7"}}`,
	`{"application":{}}`,
	`{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist.\r\nsecond line","innerError":{"request-id":"r1"}}}`,
	`{"error":{"code":"Request_UnsupportedQuery","message":"Expand is not supported"}}`,
	`{"error":"not an object"}`,
	`{"value":[{"id":`, `{"value":"x"}`, `null`, `[]`, `{}`, ``, `{"value":[{"isDefault":1e999}]}`,
	`{"value":[{"id":"` + strings.Repeat("é", 200) + `"}]}`,
	`{"error":{"code":"X","message":"x` + strings.Repeat("ü", 200) + `"}}`,
}

// longSeeds are regression seeds for server strings that used to reach the
// error line unbounded (a number literal quoted by encoding/json, the error
// code, the request id). Only the fast decode target gets them: minimizing
// inputs grown from 5 KB seeds stalls the slower client target.
var longSeeds = []string{
	`{"value":[{"isDefault":` + strings.Repeat("1", 5000) + `}]}`,
	`{"error":{"code":"` + strings.Repeat("C", 5000) + `","message":"m"}}`,
	`{"error":{"code":"c","message":"m","innerError":{"request-id":"` + strings.Repeat("r\u001b", 1000) + `"}}}`,
}

// checkApp asserts that an Application's helpers agree with its data.
func checkApp(t *testing.T, a *Application) {
	t.Helper()
	ext := a.ExternalURL()
	if raw, ok := a.Publishing["externalUrl"].(string); raw != ext || !ok && ext != "" {
		t.Fatalf("ExternalURL() = %q, publishing has %#v", ext, a.Publishing["externalUrl"])
	}
	if want := ext != "" && ext != UnpublishSentinel; a.Published() != want {
		t.Fatalf("Published() = %v for externalUrl %q", a.Published(), ext)
	}
	if in, _ := a.Publishing["internalUrl"].(string); a.InternalURL() != in {
		t.Fatalf("InternalURL() = %q, publishing has %#v", a.InternalURL(), a.Publishing["internalUrl"])
	}
	for _, c := range []cloud.Cloud{globalCloud} {
		guid, ok := HybridRouteGUID(ext, c.HybridRouteSuffix)
		if !ok {
			continue
		}
		if !a.Published() {
			t.Fatalf("a hybrid route %q that is not published", ext)
		}
		if !routeGUIDRE.MatchString(guid) || !strings.HasPrefix(strings.ToLower(ext), "https://") {
			t.Fatalf("HybridRouteGUID(%q) = %q", ext, guid)
		}
		if g2, ok := HybridRouteGUID(HybridRouteURL(guid, c.HybridRouteSuffix), c.HybridRouteSuffix); !ok || g2 != guid {
			t.Fatalf("HybridRouteURL(%q) does not round-trip: %q, %v", guid, g2, ok)
		}
	}
}

var globalCloud, _ = cloud.Lookup("Global")

// FuzzDecodeGraph runs arbitrary bodies through the decoding the client
// uses for every 2xx answer (decodeBody, into each response type) and for
// every error answer (decodeError): never a panic, decoded applications'
// helpers are consistent, and error text stays bounded valid UTF-8.
func FuzzDecodeGraph(f *testing.F) {
	for _, s := range append(graphSeeds, longSeeds...) {
		f.Add([]byte(s), 400)
	}
	f.Add([]byte(`{"error":{"code":"TooManyRequests"}}`), 429)
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		var apps page[Application]
		if err := decodeBody(bytes.NewReader(body), &apps); err == nil {
			for i := range apps.Value {
				checkApp(t, &apps.Value[i])
			}
		} else {
			checkErrText(t, err)
		}
		var app Application
		if err := decodeBody(bytes.NewReader(body), &app); err == nil {
			checkApp(t, &app)
		}
		var groups page[ConnectorGroup]
		_ = decodeBody(bytes.NewReader(body), &groups)
		var members page[Connector]
		_ = decodeBody(bytes.NewReader(body), &members)
		var res instantiateResult
		if err := decodeBody(bytes.NewReader(body), &res); err == nil {
			a := res.Application
			checkApp(t, &Application{ID: a.ID, AppID: a.AppID, DisplayName: a.DisplayName})
		}

		ge := decodeError("list applications", status, http.Header{"Request-Id": {string(body)}}, body)
		if ge.Status != status {
			t.Fatalf("status %d became %d", status, ge.Status)
		}
		checkErrText(t, ge)
		_ = expandRejected(ge)
		if d := parseRetryAfter(string(body), time.Now()); d < 0 || d > 5*time.Minute {
			t.Fatalf("parseRetryAfter(%q) = %s", body, d)
		}
	})
}

// checkErrText bounds what an error can put on the user's stderr line.
func checkErrText(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if !utf8.ValidString(msg) {
		t.Fatalf("error is not valid UTF-8: %q", msg)
	}
	if len(msg) > 2048 {
		t.Fatalf("error of %d bytes: %.400q...", len(msg), msg)
	}
}

// fuzzServer is an in-process Graph whose every answer is the current fuzz
// input. Fuzz inputs run one at a time per worker process; the mutex is for
// the server's goroutines.
type fuzzServer struct {
	mu     sync.Mutex
	status int
	reqID  string
	body   []byte
}

func (s *fuzzServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	status, reqID, body := s.status, s.reqID, s.body
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("request-id", reqID)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// FuzzClientResponses answers every request of the real client with the
// fuzzed status, request-id header and body, through an httptest server:
// no panic, errors map to a documented non-usage exit code with bounded
// text, and what the client returns as success is consistent (listed
// applications are published hybrid routes, a created app has an id).
func FuzzClientResponses(f *testing.F) {
	for _, s := range graphSeeds {
		f.Add(uint16(200), "req-1", []byte(s))
	}
	f.Add(uint16(404), "req-2", []byte(`{"error":{"code":"Request_ResourceNotFound","message":"gone"}}`))
	f.Add(uint16(400), "req-3", []byte(`{"error":{"code":"Request_UnsupportedQuery","message":"$expand"}}`))
	f.Add(uint16(403), "", []byte(`{"error":{"code":"Authorization_RequestDenied","message":"\u001b[2Jdenied"}}`))
	f.Add(uint16(429), "req-4", []byte(``))
	f.Add(uint16(503), "req-5", []byte(`<html>busy</html>`))
	f.Add(uint16(204), "req-6", []byte(``))
	f.Add(uint16(301), "req-7", []byte(``))

	srv := &fuzzServer{}
	hs := httptest.NewServer(srv)
	f.Cleanup(hs.Close)
	client := func() *Client {
		return New(Options{
			BaseURL:     hs.URL + "/beta",
			HTTPClient:  hs.Client(),
			Tokens:      &fakeTokens{},
			Cloud:       globalCloud,
			RetryBudget: time.Nanosecond, // no retries: each input is one answer
			Sleep:       func(ctx context.Context, d time.Duration) error { return ctx.Err() },
		})
	}
	f.Fuzz(func(t *testing.T, status uint16, reqID string, body []byte) {
		srv.mu.Lock()
		srv.status = 200 + int(status)%400
		srv.reqID = reqID
		srv.body = body
		srv.mu.Unlock()
		ctx := context.Background()
		c := client()

		checkCallErr := func(op string, err error) {
			t.Helper()
			switch code := exitcode.Of(err); code {
			case exitcode.Unexpected, exitcode.Auth, exitcode.NotFound, exitcode.Unavailable:
			default:
				t.Fatalf("%s: exit code %d for %v", op, code, err)
			}
			checkErrText(t, err)
		}

		listing, err := c.ListHybridApplications(ctx)
		if err != nil {
			checkCallErr("ListHybridApplications", err)
		} else {
			for i := range listing.Hybrid {
				checkApp(t, &listing.Hybrid[i])
				if !c.IsHybrid(&listing.Hybrid[i]) || !listing.Hybrid[i].Published() {
					t.Fatalf("listed a non-hybrid application: %q", listing.Hybrid[i].ExternalURL())
				}
			}
		}
		if _, err := c.ListConnectorGroups(ctx); err != nil {
			checkCallErr("ListConnectorGroups", err)
		}
		app, err := c.GetApplication(ctx, "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7")
		if err != nil {
			checkCallErr("GetApplication", err)
		} else {
			checkApp(t, app)
		}
		created, err := c.Instantiate(ctx, "Hybrid")
		if err != nil {
			checkCallErr("Instantiate", err)
		} else if created.ID == "" {
			t.Fatal("Instantiate succeeded without an id")
		}
	})
}
