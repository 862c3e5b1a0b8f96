package labtenant

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The faults that model what sits between a client and Entra (or a
// compromised server), each answering once and then leaving the route to
// behave as Entra does.

const discoveryPath = "/" + TenantID + "/v2.0/.well-known/openid-configuration"

func TestFaultRedirect(t *testing.T) {
	srv := newLab(t)
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	require.NoError(t, srv.SetFaults([]Fault{
		{Kind: FaultRedirect, Path: "/" + TenantID + "/oauth2/v2.0/token", Count: 1, Status: http.StatusPermanentRedirect, Target: "http://127.0.0.1:9/"},
		{Kind: FaultRedirect, Path: discoveryPath, Count: 1, Target: "https://elsewhere.example"},
	}))
	resp, err := c.PostForm(srv.URL()+"/"+TenantID+"/oauth2/v2.0/token?x=1", url.Values{"grant_type": {"password"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusPermanentRedirect, resp.StatusCode)
	assert.Equal(t, "http://127.0.0.1:9/"+TenantID+"/oauth2/v2.0/token?x=1", resp.Header.Get("Location"), "the path and query follow the target")

	resp, err = c.Get(srv.URL() + discoveryPath)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusTemporaryRedirect, resp.StatusCode, "307 by default")
	assert.Equal(t, "https://elsewhere.example"+discoveryPath, resp.Header.Get("Location"))

	status, d := getJSON(t, srv, discoveryPath)
	assert.Equal(t, http.StatusOK, status, "both rules were one-offs")
	assert.Equal(t, srv.URL()+"/"+TenantID+"/oauth2/v2.0/token", d["token_endpoint"])
}

func TestFaultDiscoveryEndpoints(t *testing.T) {
	srv := newLab(t)
	base := srv.URL() + "/" + TenantID + "/oauth2/v2.0/"
	require.NoError(t, srv.SetFaults([]Fault{
		{Kind: FaultDiscoveryEndpoints, Count: 1, Endpoint: "authorization", Target: "http://127.0.0.1:1"},
		{Kind: FaultDiscoveryEndpoints, Count: 1, Target: "http://127.0.0.1:2/"},
	}))
	_, d := getJSON(t, srv, discoveryPath)
	assert.Equal(t, "http://127.0.0.1:1/"+TenantID+"/oauth2/v2.0/authorize", d["authorization_endpoint"])
	assert.Equal(t, base+"token", d["token_endpoint"], "only the named endpoint moves")
	assert.Equal(t, base+"devicecode", d["device_authorization_endpoint"])

	_, d = getJSON(t, srv, discoveryPath)
	assert.Equal(t, "http://127.0.0.1:2/"+TenantID+"/oauth2/v2.0/authorize", d["authorization_endpoint"])
	assert.Equal(t, "http://127.0.0.1:2/"+TenantID+"/oauth2/v2.0/token", d["token_endpoint"])
	assert.Equal(t, "http://127.0.0.1:2/"+TenantID+"/oauth2/v2.0/devicecode", d["device_authorization_endpoint"])
	assert.Equal(t, srv.URL()+"/"+TenantID+"/v2.0", d["issuer"], "the issuer stays the lab's")

	_, d = getJSON(t, srv, discoveryPath)
	assert.Equal(t, base+"authorize", d["authorization_endpoint"])
}

func TestFaultAccessTokenAndLookupToken(t *testing.T) {
	srv := newLab(t)
	real := appToken(t, srv)
	rec, ok := srv.LookupToken(real)
	require.True(t, ok)
	assert.Equal(t, TokenRecord{Kind: "access", ClientID: CIClientID, TenantID: TenantID, AppOnly: true,
		Roles: []string{"Application.ReadWrite.All"}, ExpiresAt: rec.ExpiresAt}, rec)
	_, ok = srv.LookupToken("lab-at.not-issued")
	assert.False(t, ok)

	require.NoError(t, srv.SetFaults([]Fault{{Kind: FaultAccessToken, Count: 1, Value: "abc\r\nX-Injected: 1"}}))
	assert.Equal(t, "abc\r\nX-Injected: 1", appToken(t, srv))
	_, ok = srv.LookupToken("abc\r\nX-Injected: 1")
	assert.False(t, ok, "the value is not a token the lab honours")
	assert.True(t, strings.HasPrefix(appToken(t, srv), "lab-at."), "a one-off")
}

func TestFaultTokenErrorMessageAndTransientCode(t *testing.T) {
	srv := newLab(t)
	require.NoError(t, srv.SetFaults([]Fault{
		{Kind: FaultTokenError, Count: 1, AADSTS: 50126, Message: "you sent hunter2"},
		{Kind: FaultTokenError, Count: 1, Status: 400, Message: "plain words"},
		{Kind: FaultTokenError, Count: 1, AADSTS: 90033},
	}))
	form := url.Values{"grant_type": {"client_credentials"}}
	status, body := postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/token", form)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.True(t, strings.HasPrefix(body["error_description"].(string), "AADSTS50126: you sent hunter2 Trace ID: "), body["error_description"])

	status, body = postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/token", form)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.True(t, strings.HasPrefix(body["error_description"].(string), "AADSTS50000: plain words Trace ID: "), body["error_description"])

	status, body = postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/token", form)
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Equal(t, "temporarily_unavailable", body["error"])
	assert.True(t, strings.HasPrefix(body["error_description"].(string), "AADSTS90033: A transient error has occurred."), body["error_description"])
}

func TestFaultDeviceCode(t *testing.T) {
	srv := newLab(t)
	require.NoError(t, srv.SetFaults([]Fault{{Kind: FaultDeviceCode, Count: 1, Target: "http://127.0.0.1:1/devicelogin", Message: " Padding."}}))
	ask := func() map[string]any {
		status, body := postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/devicecode", url.Values{
			"client_id": {GraphCLIClientID}, "scope": {graphDirScope + " openid profile offline_access"}})
		require.Equal(t, http.StatusOK, status, "%v", body)
		return body
	}
	body := ask()
	assert.Equal(t, "http://127.0.0.1:1/devicelogin", body["verification_uri"])
	assert.Equal(t, "To sign in, use a web browser to open the page http://127.0.0.1:1/devicelogin and enter the code "+body["user_code"].(string)+" to authenticate. Padding.", body["message"])
	body = ask()
	assert.Equal(t, srv.URL()+"/devicelogin", body["verification_uri"], "a one-off")
	assert.True(t, strings.HasSuffix(body["message"].(string), " to authenticate."))
}

func TestFaultOversizeGzip(t *testing.T) {
	srv := newLab(t)
	require.NoError(t, srv.SetFaults([]Fault{{Kind: FaultOversize, Path: discoveryPath, Count: 2, SizeMB: 4, Gzip: true}}))

	// On the wire: a gzip stream much smaller than what it expands to.
	raw := srv.Client()
	raw.Transport.(*http.Transport).DisableCompression = true
	req, err := http.NewRequest(http.MethodGet, srv.URL()+discoveryPath, nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := raw.Do(req)
	require.NoError(t, err)
	wire, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
	assert.Less(t, len(wire), 1<<20)

	// Decompressed by Go's transport, as MSAL's client does.
	resp, err = srv.Client().Get(srv.URL() + discoveryPath)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.True(t, resp.Uncompressed)
	assert.GreaterOrEqual(t, len(body), 4<<20)
	assert.Less(t, len(wire)*10, len(body))
}

func TestParseHostileFaults(t *testing.T) {
	f, err := ParseFault("redirect,path=/x,status=302,target=http://127.0.0.1:9")
	require.NoError(t, err)
	assert.Equal(t, Fault{Kind: FaultRedirect, Path: "/x", Status: 302, Target: "http://127.0.0.1:9"}, f)
	f, err = ParseFault("discovery-endpoints,endpoint=token,target=http://127.0.0.1:9")
	require.NoError(t, err)
	assert.Equal(t, "token", f.Endpoint)
	f, err = ParseFault("oversize,gzip=true,size-mb=8,count=1")
	require.NoError(t, err)
	assert.True(t, f.Gzip)
	f, err = ParseFault("access-token,value=abc def")
	require.NoError(t, err)
	assert.Equal(t, "abc def", f.Value)
	f, err = ParseFault("device-code,message= more")
	require.NoError(t, err)
	assert.Equal(t, " more", f.Message)
	for _, bad := range []string{
		"redirect", "redirect,target=http://x,status=500", "status,status=302",
		"discovery-endpoints", "discovery-endpoints,target=ftp://x", "discovery-endpoints,target=/relative",
		"discovery-endpoints,target=http://x,endpoint=logout", "oversize,gzip=maybe",
	} {
		_, err := ParseFault(bad)
		assert.Error(t, err, bad)
	}
}
