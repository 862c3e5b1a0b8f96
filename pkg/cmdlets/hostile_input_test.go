package cmdlets

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every hostile input must stop with exit 2 before any request, and no
// secret-looking value may be echoed back.
func TestHostileInputsExit2WithoutRequests(t *testing.T) {
	long := strings.Repeat("a", 5000)
	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		stdin string
		want  string // substring of the error
	}{
		{"bad guid", []string{"get-hybridapplication", "--app-id", "not-a-guid"}, nil, "", "not an application id"},
		{"guid with newline", []string{"get-hybridapplication", "--app-id", hybridGUID[:8] + "\n" + hybridGUID[8:]}, nil, "", "control character"},
		{"guid with one brace", []string{"get-hybridapplication", "--app-id", "{" + hybridGUID}, nil, "", "not an application id"},
		{"oversized guid", []string{"remove-hybridapplication", "--app-id", long}, nil, "", "too long"},
		{"empty app id", []string{"remove-hybridapplication", "--app-id", ""}, nil, "", "empty"},
		{"missing app id", []string{"remove-hybridapplication"}, nil, "", "--app-id is required"},
		{"missing target", []string{"update-hybridapplication", "--app-id", hybridGUID}, nil, "", "--target-uri is required"},
		{"http target", []string{"update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "http://mail.contoso.com"}, nil, "", "https"},
		{"credential target", []string{"update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "https://admin:Sup3rS3cret@mail.contoso.com"}, nil, "", "user name or password"},
		{"query target", []string{"update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "https://mail.contoso.com/?a=b"}, nil, "", "query"},
		{"fragment target", []string{"new-hybridapplication", "--target-uri", "https://mail.contoso.com/#x"}, nil, "", "fragment"},
		{"path target", []string{"new-hybridapplication", "--target-uri", "https://mail.contoso.com/owa"}, nil, "", "path"},
		{"ipv4 target", []string{"new-hybridapplication", "--target-uri", "10.0.0.5"}, nil, "", "IP address"},
		{"ipv6 target", []string{"new-hybridapplication", "--target-uri", "https://[2001:db8::1]/"}, nil, "", "IP address"},
		{"port 0", []string{"new-hybridapplication", "--target-uri", "https://mail.contoso.com:0"}, nil, "", "port"},
		{"port too big", []string{"new-hybridapplication", "--target-uri", "mail.contoso.com:65536"}, nil, "", "port"},
		{"escape in target", []string{"new-hybridapplication", "--target-uri", "mail\x1b[2J.contoso.com"}, nil, "", "control character"},
		{"oversized target", []string{"new-hybridapplication", "--target-uri", "https://" + long + ".com"}, nil, "", "too long"},
		{"bad idn target", []string{"new-hybridapplication", "--target-uri", "https://xn--zz.contoso.com"}, nil, "", "host name"},
		{"bidi target", []string{"new-hybridapplication", "--target-uri", "mail\u202e.contoso.com"}, nil, "", "control character"},
		{"underscore host", []string{"new-hybridapplication", "--target-uri", "mail_01.contoso.com"}, nil, "", "host name"},
		{"bad connector group", []string{"get-hybridagent", "--connector-group", "x\ty"}, nil, "", "control character"},
		{"bad output", []string{"get-hybridagent", "-o", "yaml"}, nil, "", "--output"},
		{"bad cloud", []string{"get-hybridagent", "--cloud", "Mars"}, nil, "", "--cloud"},
		{"bad cloud env", []string{"get-hybridagent"}, map[string]string{"HYBRIDMGMT_CLOUD": "Pluto"}, "", "--cloud"},
		{"http graph endpoint", []string{"get-hybridagent", "--graph-endpoint", "http://127.0.0.1:8443"}, nil, "", "https"},
		{"graph endpoint path", []string{"get-hybridagent", "--graph-endpoint", "https://127.0.0.1/beta"}, nil, "", "root"},
		{"authority creds", []string{"get-hybridagent", "--authority-host", "https://u:TopS3cret@login.example"}, nil, "", "user name or password"},
		{"proxy creds", []string{"get-hybridagent", "--proxy", "http://bob:Hunter22@proxy:3128"}, nil, "", "user name or password"},
		{"proxy socks", []string{"get-hybridagent", "--proxy", "socks5://proxy:1080"}, nil, "", "http"},
		{"bad tenant", []string{"get-hybridagent", "--tenant-id", "../../etc"}, nil, "", "tenant"},
		{"bad tenant env", []string{"get-hybridagent"}, map[string]string{"AZURE_TENANT_ID": "common"}, "", "tenant"},
		{"bad client id", []string{"get-hybridagent", "--client-id", "my-app"}, nil, "", "not a GUID"},
		{"bad upn", []string{"get-hybridagent", "--user-principal-name", "admin"}, nil, "", "user principal name"},
		{"upn and username", []string{"get-hybridagent", "--user-principal-name", "a@contoso.com", "--username", "b@contoso.com", "--password-stdin"}, nil, "pw", "not both"},
		{"username without stdin", []string{"get-hybridagent", "--username", "admin@contoso.com"}, nil, "", "--password-stdin"},
		{"password stdin empty", []string{"get-hybridagent", "--username", "admin@contoso.com", "--password-stdin"}, nil, "", "standard input"},
		{"password flag", []string{"get-hybridagent", "--password", "Hunter22!"}, nil, "", "never from arguments"},
		{"password flag equals", []string{"get-hybridagent", "--password=Hunter22!"}, nil, "", "never from arguments"},
		{"client secret flag", []string{"get-hybridapplication", "--client-secret", "TopS3cret"}, nil, "", "never from arguments"},
		{"secret and cert", []string{"get-hybridapplication", "--client-secret-stdin", "--certificate", "x.pem"}, nil, "TopS3cret", "not both"},
		{"user and app", []string{"get-hybridapplication", "--device-code", "--client-secret-stdin"}, nil, "TopS3cret", "exclude"},
		{"app-only without client id", []string{"get-hybridapplication", "--client-secret-stdin", "--tenant-id", "contoso.com"}, nil, "TopS3cret", "--client-id"},
		{"missing certificate", []string{"get-hybridapplication", "--certificate", "/nonexistent/ci.pem", "--client-id", hybridGUID, "--tenant-id", "contoso.com"}, nil, "", "--certificate"},
		{"positional arg", []string{"get-hybridapplication", hybridGUID}, nil, "", "takes no positional arguments"},
		{"unknown command", []string{"get-hybridagents"}, nil, "", "unknown command"},
		{"unknown flag", []string{"get-hybridagent", "--app-idd", "x"}, nil, "", "unknown flag"},
		{"bad retry budget", []string{"get-hybridapplication"}, map[string]string{"HYBRIDMGMT_RETRY_BUDGET": "forever"}, "", "HYBRIDMGMT_RETRY_BUDGET"},
		{"secret after bool flag", []string{"get-hybridagent", "--username", "a@contoso.com", "--password-stdin=Hunter22!"}, nil, "", "invalid value for --password-stdin"},
		{"secret as positional", []string{"get-hybridagent", "--username", "a@contoso.com", "--password-stdin", "Hunter22!"}, nil, "", "takes no positional arguments"},
		{"bad parallel", []string{"test-hybridconnectivity", "--parallel", "Hunter22"}, nil, "", "invalid value for --parallel"},
		{"invalid utf8", []string{"get-hybridagent", "--connector-group", "bad\xff"}, nil, "", "UTF-8"},
	}
	secrets := []string{"Sup3rS3cret", "TopS3cret", "Hunter22", "pw\n"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newTestEnv(t)
			for k, v := range c.env {
				e.env[k] = v
			}
			e.stdin = c.stdin
			r := e.run(c.args...)
			assert.Equal(t, 2, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, c.want)
			assert.Empty(t, r.stdout)
			assert.Zero(t, e.reg.Count(), "no request may be made")
			assert.Zero(t, e.clients, "no Graph client may be built")
			for _, s := range secrets {
				assert.NotContains(t, r.stderr, s)
			}
		})
	}
	assert.GreaterOrEqual(t, len(cases), 30)
}
