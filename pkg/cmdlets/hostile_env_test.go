package cmdlets

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/auth"
)

// Hostile environment: proxy variables, endpoint pairs and saved
// connections that would send a token where it does not belong. Each stops
// before any request.
func TestHostileEnvironmentStopsBeforeRequests(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"HTTPS_PROXY with credentials", []string{"get-hybridagent"}, map[string]string{"HTTPS_PROXY": "http://bob:Hunter22@proxy.example:3128"}, 2, "HTTPS_PROXY must not contain a user name or password"},
		{"https_proxy with credentials", []string{"get-hybridagent"}, map[string]string{"https_proxy": "http://bob:Hunter22@proxy.example:3128"}, 2, "https_proxy"},
		{"HTTP_PROXY bad port", []string{"get-hybridagent"}, map[string]string{"HTTP_PROXY": "http://proxy.example:99999"}, 2, "HTTP_PROXY"},
		{"HTTPS_PROXY socks", []string{"get-hybridapplication"}, map[string]string{"HTTPS_PROXY": "socks5://proxy.example:1080"}, 2, "HTTPS_PROXY"},
		{"HTTPS_PROXY for connectivity", []string{"test-hybridconnectivity"}, map[string]string{"HTTPS_PROXY": "http://bob:Hunter22@proxy.example:3128"}, 2, "HTTPS_PROXY"},
		{"Microsoft authority, foreign Graph", []string{"get-hybridagent", "--graph-endpoint", "https://graph.attacker.example"}, nil, 2, "not a Microsoft Graph host"},
		{"foreign Graph for the walk", []string{"test-hybridagent", "--graph-endpoint", "https://graph.attacker.example"}, nil, 2, "not a Microsoft Graph host"},
		{"HTTPS_PROXY for the walk", []string{"test-hybridagent"}, map[string]string{"HTTPS_PROXY": "http://bob:Hunter22@proxy.example:3128"}, 2, "HTTPS_PROXY"},
		{"Microsoft authority, foreign Graph env", []string{"get-hybridapplication"}, map[string]string{"HYBRIDMGMT_GRAPH_ENDPOINT": "https://127.0.0.1:8443"}, 2, "--authority-host too"},
		{"US Gov authority, foreign Graph", []string{"get-hybridagent", "--cloud", "USGov", "--graph-endpoint", "https://graph.attacker.example"}, nil, 2, "not a Microsoft Graph host"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newTestEnv(t)
			for k, v := range c.env {
				e.env[k] = v
			}
			r := e.run(c.args...)
			assert.Equal(t, c.code, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, c.want)
			assert.NotContains(t, r.stderr, "Hunter22")
			assert.Zero(t, e.reg.Count(), "no request may be made")
			assert.Zero(t, e.clients, "no Graph client may be built")
		})
	}
}

func TestBothOverridesArePermitted(t *testing.T) {
	e := newTestEnv(t)
	e.env["HYBRIDMGMT_GRAPH_ENDPOINT"] = "https://127.0.0.1:8443"
	e.env["HYBRIDMGMT_AUTHORITY_HOST"] = "https://127.0.0.1:9443"
	_, err := resolveSettings(&GlobalOptions{Output: "table"}, func(k string) string { return e.env[k] })
	require.NoError(t, err)
}

func TestSavedSignInIsBoundToItsGraphEndpoint(t *testing.T) {
	e := newTestEnv(t)
	dir := e.env["HYBRIDMGMT_CACHE_DIR"]
	require.NoError(t, auth.SaveConnection(dir, auth.Connection{
		TenantID: "contoso.com", ClientID: DefaultClientID, Username: "admin@contoso.com",
		AuthorityHost: "https://127.0.0.1:9443", GraphEndpoint: "https://127.0.0.1:8443",
	}))
	e.env["HYBRIDMGMT_AUTHORITY_HOST"] = "https://127.0.0.1:9443"
	e.env["HYBRIDMGMT_GRAPH_ENDPOINT"] = "https://127.0.0.1:7443" // not where the sign-in was for
	r := e.run("get-hybridagent")
	assert.Equal(t, 3, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "the saved sign-in is for Graph at https://127.0.0.1:8443, not https://127.0.0.1:7443")
	assert.Contains(t, r.stderr, "hybridmgmt connect")
	assert.Zero(t, e.reg.Count())
	assert.Zero(t, e.clients)
}
