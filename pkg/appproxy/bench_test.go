package appproxy

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
)

// connectorTenant is an in-process Graph stub holding many connector groups.
// Every page is rendered once, before measuring, so the server costs little
// per request and the figures are the client's: TLS, HTTP, JSON decoding
// and paging. It answers connectorGroups?$expand=members (or rejects the
// expand), the plain connectorGroups collection, and /members per group,
// each paged with @odata.nextLink as Graph does.
type connectorTenant struct {
	groups, perGroup        int
	groupsPerPage, perPage  int
	rejectExpand            atomic.Bool
	rtt                     atomic.Int64 // ns added to every answer, for a modelled network
	requests, conns         atomic.Int64
	expandPages, groupPages [][]byte
	memberPages             map[string][][]byte
	srv                     *httptest.Server
}

func newConnectorTenant(tb testing.TB, groups, perGroup, groupsPerPage, perPage int) *connectorTenant {
	tb.Helper()
	ct := &connectorTenant{groups: groups, perGroup: perGroup, groupsPerPage: groupsPerPage, perPage: perPage, memberPages: map[string][][]byte{}}
	ct.srv = httptest.NewUnstartedServer(http.HandlerFunc(ct.serve))
	ct.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			ct.conns.Add(1)
		}
	}
	ct.srv.StartTLS()
	tb.Cleanup(ct.srv.Close)
	base := ct.srv.URL + "/beta" + connectorGroupsPath
	connector := func(g, i int) string {
		n := g*perGroup + i
		return fmt.Sprintf(`{"id":"3c5e7a90-1b2d-4f6e-8a0c-%012d","machineName":"EXCH-AGENT%05d.contoso.local","externalIp":"203.0.%d.%d","status":"active","version":"1.5.3437.0"}`,
			n, n, (n/250)%256, n%250+1)
	}
	group := func(g int, withMembers bool) string {
		var b strings.Builder
		fmt.Fprintf(&b, `{"id":"%s","name":"Connector group %02d","connectorGroupType":"applicationProxy","region":"eur","isDefault":%t`,
			groupID(g), g, g == 0)
		if withMembers {
			b.WriteString(`,"members":[`)
			for i := 0; i < perGroup; i++ {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(connector(g, i))
			}
			b.WriteByte(']')
		}
		b.WriteByte('}')
		return b.String()
	}
	page := func(items []string, next string) []byte {
		var b strings.Builder
		b.WriteString(`{"@odata.context":"https://graph.microsoft.com/beta/$metadata#onPremisesPublishingProfiles('applicationProxy')/connectorGroups","value":[`)
		b.WriteString(strings.Join(items, ","))
		b.WriteByte(']')
		if next != "" {
			b.WriteString(`,"@odata.nextLink":"` + next + `"`)
		}
		b.WriteByte('}')
		return []byte(b.String())
	}
	for _, expand := range []bool{true, false} {
		var pages [][]byte
		for start := 0; start < groups; start += groupsPerPage {
			var items []string
			for g := start; g < min(start+groupsPerPage, groups); g++ {
				items = append(items, group(g, expand))
			}
			next := ""
			if start+groupsPerPage < groups {
				next = base + "?$skiptoken=" + strconv.Itoa(start+groupsPerPage)
				if expand {
					next = base + "?$expand=members&$skiptoken=" + strconv.Itoa(start+groupsPerPage)
				}
			}
			pages = append(pages, page(items, next))
		}
		if expand {
			ct.expandPages = pages
		} else {
			ct.groupPages = pages
		}
	}
	for g := 0; g < groups; g++ {
		var pages [][]byte
		for start := 0; start < perGroup; start += perPage {
			var items []string
			for i := start; i < min(start+perPage, perGroup); i++ {
				items = append(items, connector(g, i))
			}
			next := ""
			if start+perPage < perGroup {
				next = base + "/" + groupID(g) + "/members?$skiptoken=" + strconv.Itoa(start+perPage)
			}
			pages = append(pages, page(items, next))
		}
		ct.memberPages[groupID(g)] = pages
	}
	return ct
}

func groupID(g int) string { return fmt.Sprintf("9f1e2d3c-4b5a-4c6d-8e7f-%012d", g) }

func (ct *connectorTenant) serve(w http.ResponseWriter, r *http.Request) {
	ct.requests.Add(1)
	if d := time.Duration(ct.rtt.Load()); d > 0 {
		time.Sleep(d)
	}
	q := r.URL.Query()
	skip, _ := strconv.Atoi(q.Get("$skiptoken"))
	rest, ok := strings.CutPrefix(r.URL.Path, "/beta"+connectorGroupsPath)
	var pages [][]byte
	perPage := ct.groupsPerPage
	switch {
	case !ok || r.Method != http.MethodGet:
	case rest == "" && q.Get("$expand") == "members":
		if ct.rejectExpand.Load() {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":{"code":"Request_UnsupportedQuery","message":"Unsupported query option: $expand"}}`))
			return
		}
		pages = ct.expandPages
	case rest == "":
		pages = ct.groupPages
	default:
		id, tail, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
		if tail == "members" {
			pages, perPage = ct.memberPages[id], ct.perPage
		}
	}
	if pages == nil || skip%perPage != 0 || skip/perPage >= len(pages) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal")
	w.Header().Set("request-id", "bench")
	_, _ = w.Write(pages[skip/perPage])
}

// client returns a Graph client for one command against the stub, sharing
// the server's (warm) transport.
func (ct *connectorTenant) client() *Client {
	gc, _ := cloud.Lookup("Global")
	return New(Options{
		BaseURL:    ct.srv.URL + "/beta",
		HTTPClient: ct.srv.Client(), Tokens: &fakeTokens{}, Cloud: gc, RetryBudget: time.Minute,
	})
}

// wantRequests is the documented request count: one per page of groups with
// $expand, and with the fallback the rejected expand, the plain group pages
// and every members page of every group.
func (ct *connectorTenant) wantRequests() int {
	if !ct.rejectExpand.Load() {
		return len(ct.expandPages)
	}
	n := 1 + len(ct.groupPages)
	for _, p := range ct.memberPages {
		n += len(p)
	}
	return n
}

func TestConnectorGroupsRequestCount(t *testing.T) {
	for _, reject := range []bool{false, true} {
		t.Run(fmt.Sprintf("rejectExpand=%t", reject), func(t *testing.T) {
			ct := newConnectorTenant(t, 7, 30, 3, 8) // 3 group pages, 4 member pages per group
			ct.rejectExpand.Store(reject)
			groups, err := ct.client().ListConnectorGroups(context.Background())
			require.NoError(t, err)
			require.Len(t, groups, 7)
			seen := map[string]bool{}
			for _, g := range groups {
				require.Len(t, g.Members, 30)
				for _, c := range g.Members {
					assert.False(t, seen[c.ID], "connector %s listed twice", c.ID)
					seen[c.ID] = true
				}
			}
			want := 3 // pages + 0 per group
			if reject {
				want = 1 + 3 + 7*4
			}
			assert.Equal(t, want, ct.wantRequests())
			assert.EqualValues(t, want, ct.requests.Load())
		})
	}
}

// A decoded page must leave the connection reusable: closing an HTTP/1.1
// body before its EOF drops the connection, and then every page costs a new
// TCP and TLS handshake (it made the fallback 9 times slower).
func TestPagesReuseOneConnection(t *testing.T) {
	ct := newConnectorTenant(t, 12, 40, 2, 10) // large enough to be sent chunked
	for _, reject := range []bool{false, true} {
		ct.rejectExpand.Store(reject)
		_, err := ct.client().ListConnectorGroups(context.Background())
		require.NoError(t, err)
	}
	assert.EqualValues(t, 6+(1+6+12*4), ct.requests.Load())
	assert.EqualValues(t, 1, ct.conns.Load(), "every request after the first reuses the connection")
}

// BenchmarkListConnectorGroups measures Get-HybridAgent's data path over
// 10,000 connectors in 50 groups: 5 groups (1,000 connectors) per page with
// $expand=members, and the fallback when the expand is rejected, with
// members paged 100 at a time. rtt adds a server-side delay per request to
// model a network round trip, which is where the request count shows.
//
//	go test -run '^$' -bench ListConnectorGroups -benchmem ./pkg/appproxy/
func BenchmarkListConnectorGroups(b *testing.B) {
	const groups, perGroup = 50, 200
	const connectors = groups * perGroup
	for _, rtt := range []time.Duration{0, 20 * time.Millisecond} {
		for _, reject := range []bool{false, true} {
			mode := "expand"
			if reject {
				mode = "fallback"
			}
			b.Run(fmt.Sprintf("%s/rtt=%s", mode, rtt), func(b *testing.B) {
				ct := newConnectorTenant(b, groups, perGroup, 5, 100)
				ct.rejectExpand.Store(reject)
				// One unmeasured run warms the connection and checks the result.
				got, err := ct.client().ListConnectorGroups(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				if n := countMembers(got); n != connectors {
					b.Fatalf("listed %d connectors, want %d", n, connectors)
				}
				ct.rtt.Store(int64(rtt))
				ct.requests.Store(0)
				ct.conns.Store(0)
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					got, err := ct.client().ListConnectorGroups(context.Background())
					if err != nil || len(got) != groups {
						b.Fatalf("got %d groups: %v", len(got), err)
					}
				}
				b.StopTimer()
				runtime.ReadMemStats(&after)
				reqs := float64(ct.requests.Load()) / float64(b.N)
				if int(reqs) != ct.wantRequests() {
					b.Fatalf("%.1f requests per listing, want %d", reqs, ct.wantRequests())
				}
				per := float64(b.N) * connectors
				b.ReportMetric(reqs, "requests/op")
				b.ReportMetric(float64(ct.conns.Load())/float64(b.N), "new-conns/op")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/connector")
				b.ReportMetric(float64(after.Mallocs-before.Mallocs)/per, "allocs/connector")
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/per, "B/connector")
			})
		}
	}
}

func countMembers(groups []ConnectorGroup) int {
	n := 0
	for _, g := range groups {
		n += len(g.Members)
	}
	return n
}
