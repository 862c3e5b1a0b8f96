package labtenant

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const connectorsPath = "/beta/onPremisesPublishingProfiles/applicationProxy/connectors"

// rawGet returns the response with its body unread, for the faults that
// damage bodies.
func rawGet(t *testing.T, srv *Server, path, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL()+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestFaultStatusWithAndWithoutRetryAfter(t *testing.T) {
	srv := newLab(t)
	admin := ropcToken(t, srv, AdminUPN, graphDirScope)
	require.NoError(t, srv.SetFaults([]Fault{
		{Kind: FaultStatus, Path: "/beta/applications", Count: 2, Status: 429, RetryAfter: "1"},
		{Kind: FaultStatus, Path: connectorsPath, Count: 1, Status: 503},
		{Kind: FaultStatus, Path: "/beta/onPremisesPublishingProfiles", Method: http.MethodGet, Count: 1, Status: 504},
	}))
	for i := 0; i < 2; i++ {
		g := graphCall(t, srv, http.MethodGet, "/beta/applications?$select=id", admin, nil)
		assert.Equal(t, http.StatusTooManyRequests, g.status)
		assert.Equal(t, "1", g.header.Get("Retry-After"))
		assert.Equal(t, "TooManyRequests", g.errCode())
		assert.NotEmpty(t, g.header.Get("request-id"))
	}
	g := graphCall(t, srv, http.MethodGet, "/beta/applications?$select=id", admin, nil)
	assert.Equal(t, http.StatusOK, g.status, "the count is used up")

	g = graphCall(t, srv, http.MethodGet, connectorsPath, admin, nil)
	assert.Equal(t, http.StatusServiceUnavailable, g.status)
	assert.Empty(t, g.header.Get("Retry-After"))
	// Rules are tried in order: the 503 rule is spent, the 504 one matches.
	g = graphCall(t, srv, http.MethodGet, connectorsPath, admin, nil)
	assert.Equal(t, http.StatusGatewayTimeout, g.status)
	g = graphCall(t, srv, http.MethodGet, connectorsPath, admin, nil)
	assert.Equal(t, http.StatusOK, g.status)

	fired := srv.Faults()
	assert.Equal(t, []int{2, 1, 1}, []int{fired[0].Fired, fired[1].Fired, fired[2].Fired})
	assert.Equal(t, 0, fired[0].Count, "remaining count")
}

func TestFaultBodies(t *testing.T) {
	srv := newLab(t)
	admin := ropcToken(t, srv, AdminUPN, graphDirScope)
	var v map[string]any

	require.NoError(t, srv.SetFaults([]Fault{{Kind: FaultMalformed, Path: connectorsPath, Count: 1}}))
	resp := rawGet(t, srv, connectorsPath, admin)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Error(t, json.NewDecoder(resp.Body).Decode(&v))

	require.NoError(t, srv.SetFaults([]Fault{{Kind: FaultTruncate, Path: connectorsPath, Count: 1}}))
	resp = rawGet(t, srv, connectorsPath, admin)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err, "truncate is a complete HTTP message")
	assert.Error(t, json.Unmarshal(body, &v))

	require.NoError(t, srv.SetFaults([]Fault{{Kind: FaultDrop, Path: connectorsPath, Count: 1}}))
	resp = rawGet(t, srv, connectorsPath, admin)
	_, err = io.ReadAll(resp.Body)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "drop cuts the connection mid-body")

	require.NoError(t, srv.SetFaults([]Fault{{Kind: FaultStall, Path: connectorsPath, Count: 1, Delay: Duration(50 * time.Millisecond)}}))
	resp = rawGet(t, srv, connectorsPath, admin)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "headers arrive, then nothing")
	_, err = io.ReadAll(resp.Body)
	assert.Error(t, err)

	require.NoError(t, srv.SetFaults([]Fault{{Kind: FaultOversize, Path: "/beta/applications", Count: 1, SizeMB: 2}}))
	resp = rawGet(t, srv, "/beta/applications", admin)
	body, err = io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(body), 2<<20)
	require.NoError(t, json.Unmarshal(body, &v), "oversize bodies are valid JSON")

	// Every body fault was a one-off: the route answers normally again.
	g := graphCall(t, srv, http.MethodGet, connectorsPath, admin, nil)
	assert.Equal(t, http.StatusOK, g.status)
}

func TestFaultNextLinkLoopAndRejectExpand(t *testing.T) {
	srv := newLab(t)
	admin := ropcToken(t, srv, AdminUPN, graphDirScope)
	require.NoError(t, srv.SetFaults([]Fault{
		{Kind: FaultNextLinkLoop, Path: "/beta/applications"},
		{Kind: FaultRejectExpand, Count: 1},
	}))
	path := "/beta/applications?$select=id"
	g := graphCall(t, srv, http.MethodGet, path, admin, nil)
	require.Equal(t, http.StatusOK, g.status)
	assert.Equal(t, srv.URL()+path, g.body["@odata.nextLink"])
	g = graphCall(t, srv, http.MethodGet, g.body["@odata.nextLink"].(string), admin, nil)
	assert.Equal(t, srv.URL()+path, g.body["@odata.nextLink"], "the loop never ends")

	g = graphCall(t, srv, http.MethodGet, groupsPath+"?$expand=members", admin, nil)
	assert.Equal(t, http.StatusBadRequest, g.status)
	assert.Equal(t, "Request_UnsupportedQuery", g.errCode())
	// The per-group fallback is unaffected, and the rule was a one-off.
	g = graphCall(t, srv, http.MethodGet, groupsPath+"/"+ExchangeGroupID+"/members", admin, nil)
	assert.Equal(t, http.StatusOK, g.status)
	g = graphCall(t, srv, http.MethodGet, groupsPath+"?$expand=members", admin, nil)
	assert.Equal(t, http.StatusOK, g.status)
}

func TestFaultRejectExpandBlankAndSkip(t *testing.T) {
	srv := newLab(t)
	admin := ropcToken(t, srv, AdminUPN, graphDirScope)
	require.NoError(t, srv.SetFaults([]Fault{
		{Kind: FaultRejectExpandBlank, Count: 1, Status: 501},
		{Kind: FaultStatus, Status: 500, Path: "/beta/onPremisesPublishingProfiles/applicationProxy/connectors", Skip: 2, Count: 1},
	}))
	// R9: the App Proxy backend's envelope with an empty code.
	g := graphCall(t, srv, http.MethodGet, groupsPath+"?$expand=members", admin, nil)
	assert.Equal(t, http.StatusNotImplemented, g.status)
	assert.Equal(t, "", g.errCode())
	assert.Equal(t, "An error has occurred.", g.body["error"].(map[string]any)["message"])

	// Skip: two requests pass, the third is faulted, then the rule is spent.
	var got []int
	for range 4 {
		got = append(got, graphCall(t, srv, http.MethodGet, connectorsPath, admin, nil).status)
	}
	assert.Equal(t, []int{200, 200, 500, 200}, got)
	_, err := ParseFault("status,path=/beta/x,skip=-1,status=500")
	assert.Error(t, err)
	f, err := ParseFault("status,path=/beta/x,skip=2,status=500")
	require.NoError(t, err)
	assert.Equal(t, 2, f.Skip)
}

func TestFaultLatencyAndAuthorityStatus(t *testing.T) {
	srv := newLab(t, func(o *Options) {
		o.Faults = []Fault{
			{Kind: FaultLatency, Path: "/common/UserRealm", Count: 1, Delay: Duration(20 * time.Millisecond)},
			{Kind: FaultStatus, Path: "/" + TenantID + "/v2.0/", Count: 1, Status: 503, RetryAfter: "2"},
		}
	})
	status, _ := getJSON(t, srv, "/common/UserRealm/admin@contoso.com?api-version=1.0")
	assert.Equal(t, http.StatusOK, status, "latency delays but does not fail")
	status, body := getJSON(t, srv, "/"+TenantID+"/v2.0/.well-known/openid-configuration")
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Equal(t, "temporarily_unavailable", body["error"], "authority faults use the AAD shape")
	assert.Equal(t, 1, srv.Faults()[0].Fired)
}

func TestLabFaultsAndSettingsOverHTTP(t *testing.T) {
	srv := newLab(t)
	c := srv.Client()
	post := func(path, body string) (int, string) {
		resp, err := c.Post(srv.URL()+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := post("/_lab/faults", `[{"kind":"status","path":"/beta/","count":1,"status":429,"retryAfter":"0"}]`)
	require.Equal(t, http.StatusOK, status, body)
	status, _ = post("/_lab/faults?append=1", `{"kind":"token-error","aadsts":50126}`)
	require.Equal(t, http.StatusOK, status)
	require.Len(t, srv.Faults(), 2)
	status, body = post("/_lab/faults", `{"faults":[{"kind":"nope"}]}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "unknown fault kind")
	require.Len(t, srv.Faults(), 2, "a bad request changes nothing")

	// Control routes are neither faulted nor counted.
	g := graphCall(t, srv, http.MethodGet, "/beta/applications", "", nil)
	assert.Equal(t, http.StatusTooManyRequests, g.status)
	status, _ = postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/token", nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, 2, len(srv.Requests()))

	req, _ := http.NewRequest(http.MethodDelete, srv.URL()+"/_lab/faults", nil)
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Empty(t, srv.Faults())

	status, body = post("/_lab/settings", `{"tokenLifetime":"90s","pageSize":3}`)
	require.Equal(t, http.StatusOK, status, body)
	s := srv.Settings()
	assert.Equal(t, Duration(90*time.Second), s.TokenLifetime)
	assert.Equal(t, 3, s.PageSize)
	status, _ = post("/_lab/settings", `{"pageSize":1}`)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, Duration(90*time.Second), srv.Settings().TokenLifetime, "settings merge")

	status, body = post("/_lab/users", `{"upn":"admin@contoso.com","requiresMfa":true}`)
	require.Equal(t, http.StatusNoContent, status, body)
	st, tok := postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/token", map[string][]string{
		"grant_type": {"password"}, "client_id": {GraphCLIClientID}, "username": {AdminUPN},
		"password": {srv.Credentials().AdminPassword}, "scope": {graphDirScope}})
	assert.Equal(t, http.StatusBadRequest, st)
	assert.Equal(t, []any{float64(50076)}, tok["error_codes"])

	var info Info
	resp, err = c.Get(srv.URL() + "/_lab/info")
	require.NoError(t, err)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, json.Unmarshal(raw, &info))
	assert.Equal(t, TenantID, info.TenantID)
	assert.False(t, bytes.Contains(raw, []byte(srv.Credentials().ClientSecret)))
}

func TestParseFault(t *testing.T) {
	f, err := ParseFault("status,path=/beta/applications,count=2,status=429,retry-after=1")
	require.NoError(t, err)
	assert.Equal(t, Fault{Kind: FaultStatus, Path: "/beta/applications", Count: 2, Status: 429, RetryAfter: "1"}, f)
	f, err = ParseFault("token-error,aadsts=AADSTS50076,count=1")
	require.NoError(t, err)
	assert.Equal(t, 50076, f.AADSTS)
	f, err = ParseFault("stall,delay=2s,method=get")
	require.NoError(t, err)
	assert.Equal(t, Duration(2*time.Second), f.Delay)
	assert.Equal(t, "GET", f.Method)
	for _, bad := range []string{"boom", "status,status=200", "status,path=beta", "latency", "status,count", "token-error,aadsts=1", "status,wat=1"} {
		_, err := ParseFault(bad)
		assert.Error(t, err, bad)
	}
}
