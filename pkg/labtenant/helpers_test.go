package labtenant

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const graphDirScope = "https://graph.microsoft.com/Directory.ReadWrite.All"

// graphCLIScopes is what the CLI requests: both delegated permissions (R1).
const graphCLIScopes = graphDirScope + " https://graph.microsoft.com/Application.ReadWrite.All"

// newLab starts a lab in a fresh directory and stops it with the test.
// It logs nothing: a handler still running after the test ends must not
// call t.Logf.
func newLab(t *testing.T, mod ...func(*Options)) *Server {
	t.Helper()
	opts := Options{Dir: t.TempDir()}
	for _, m := range mod {
		m(&opts)
	}
	srv, err := New(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// postForm sends a form to the lab and decodes the JSON answer.
func postForm(t *testing.T, srv *Server, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := srv.Client().PostForm(srv.URL()+path, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

// ropcToken signs upn in with its seeded password, the way MSAL's
// password grant does, and returns the access token.
func ropcToken(t *testing.T, srv *Server, upn, scope string) string {
	t.Helper()
	status, body := postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"password"}, "client_id": {GraphCLIClientID}, "username": {upn},
		"password": {srv.Credentials().Password(upn)}, "scope": {scope + " openid profile offline_access"},
		"client_info": {"1"},
	})
	require.Equal(t, http.StatusOK, status, "token response: %v", body)
	return body["access_token"].(string)
}

// appToken gets an app-only token for the CI app with its secret.
func appToken(t *testing.T, srv *Server) string {
	t.Helper()
	status, body := postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {CIClientID},
		"client_secret": {srv.Credentials().ClientSecret}, "scope": {"https://graph.microsoft.com/.default"},
	})
	require.Equal(t, http.StatusOK, status, "token response: %v", body)
	return body["access_token"].(string)
}

type graphResp struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// errCode is the Graph error envelope's code, or "".
func (g graphResp) errCode() string {
	e, _ := g.body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// graphCall sends one Graph request; path is relative to the server root
// (e.g. /beta/applications) or a full URL (a nextLink).
func graphCall(t *testing.T, srv *Server, method, path, token string, body any) graphResp {
	t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = srv.URL() + path
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	g := graphResp{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(bytes.TrimSpace(raw)) > 0 {
		require.NoError(t, json.Unmarshal(raw, &g.body), "body: %s", raw)
	}
	return g
}

// collect follows @odata.nextLink from path and returns every item and
// the number of pages.
func collect(t *testing.T, srv *Server, path, token string) ([]map[string]any, int) {
	t.Helper()
	var items []map[string]any
	pages := 0
	for next := path; next != ""; pages++ {
		require.Less(t, pages, 20, "too many pages")
		g := graphCall(t, srv, http.MethodGet, next, token, nil)
		require.Equal(t, http.StatusOK, g.status, "GET %s: %s", next, g.raw)
		for _, v := range g.body["value"].([]any) {
			items = append(items, v.(map[string]any))
		}
		next, _ = g.body["@odata.nextLink"].(string)
	}
	return items, pages
}
