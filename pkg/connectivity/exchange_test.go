package connectivity

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuthSchemes(t *testing.T) {
	h := http.Header{}
	h.Add("WWW-Authenticate", "Negotiate")
	h.Add("WWW-Authenticate", `Basic realm="mail.contoso.com, EWS", NTLM`)
	h.Add("WWW-Authenticate", `Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="invalid_token"`)
	assert.Equal(t, []string{"Negotiate", "Basic", "NTLM", "Bearer"}, authSchemes(h))

	empty := http.Header{}
	empty.Add("WWW-Authenticate", "")
	empty.Add("WWW-Authenticate", " , ,NTLM")
	assert.Equal(t, []string{"NTLM"}, authSchemes(empty), "empty challenges name no scheme")
}

func TestClassifyWindowsAuth(t *testing.T) {
	mrs := Endpoint{Host: "exch01.contoso.test", Path: "/EWS/mrsproxy.svc", Advice: mrsProxyRemediation}
	ews := Endpoint{Host: "exch01.contoso.test", Path: "/EWS/Exchange.asmx"}
	tests := []struct {
		name     string
		e        Endpoint
		code     int
		auth     []string
		location string
		status   Status
		detail   string
		err      string
	}{
		{"MRSProxy with Windows auth", mrs, 401, []string{"Negotiate", "NTLM"}, "", Passed,
			"HTTP 401 (WWW-Authenticate: Negotiate, NTLM); reachable, Windows auth (an anonymous probe cannot tell whether MRSProxy is enabled: confirm with Get-WebServicesVirtualDirectory | fl MRSProxyEnabled)", ""},
		{"EWS with NTLM only", ews, 401, []string{"NTLM"}, "", Passed, "HTTP 401 (WWW-Authenticate: NTLM); reachable, Windows auth", ""},
		{"Basic only", mrs, 401, []string{`Basic realm="x"`}, "", Warning, "HTTP 401 (WWW-Authenticate: Basic)",
			"only Basic authentication is offered: Exchange Online needs Windows authentication (Negotiate/NTLM) on the EWS virtual directory"},
		{"Bearer only", ews, 401, []string{"Bearer"}, "", Warning, "HTTP 401 (WWW-Authenticate: Bearer)",
			"401 without a Negotiate or NTLM challenge: something in front of Exchange answers instead of IIS"},
		{"not found", mrs, 404, nil, "", Failed, "HTTP 404", "exch01.contoso.test /EWS/mrsproxy.svc answered HTTP 404"},
		{"server error", mrs, 503, nil, "", Failed, "HTTP 503", "exch01.contoso.test /EWS/mrsproxy.svc answered HTTP 503"},
		{"forbidden", ews, 403, nil, "", Failed, "HTTP 403", "exch01.contoso.test /EWS/Exchange.asmx refused the request with HTTP 403"},
		{"anonymous 200", ews, 200, nil, "", Warning, "HTTP 200", "/EWS/Exchange.asmx answered without asking for authentication: expected a 401 Windows-auth challenge"},
		{"redirect", ews, 302, nil, "https://sso.contoso.test/", Warning, "HTTP 302", "/EWS/Exchange.asmx redirects to https://sso.contoso.test/: expected a 401 Windows-auth challenge"},
		{"500", mrs, 500, nil, "", Failed, "HTTP 500", "exch01.contoso.test /EWS/mrsproxy.svc answered HTTP 500"},
		{"400", ews, 400, nil, "", Failed, "HTTP 400", "exch01.contoso.test /EWS/Exchange.asmx refused the request with HTTP 400"},
		{"300 with a location", ews, 300, nil, "https://a.test/", Warning, "HTTP 300", "/EWS/Exchange.asmx redirects to https://a.test/: expected a 401 Windows-auth challenge"},
		{"200 with a location", ews, 200, nil, "https://a.test/", Warning, "HTTP 200", "/EWS/Exchange.asmx answered without asking for authentication: expected a 401 Windows-auth challenge"},
		{"redirect without a location", ews, 302, nil, "", Warning, "HTTP 302", "/EWS/Exchange.asmx answered without asking for authentication: expected a 401 Windows-auth challenge"},
		{"long location", ews, 302, nil, "https://a.test/" + strings.Repeat("x", 400), Warning, "HTTP 302",
			"/EWS/Exchange.asmx redirects to https://a.test/" + strings.Repeat("x", 300-len("https://a.test/")) + "...: expected a 401 Windows-auth challenge"},
		{"Negotiate in any case", ews, 401, []string{"negotiate"}, "", Passed, "HTTP 401 (WWW-Authenticate: negotiate); reachable, Windows auth", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.code, Header: http.Header{}}
			for _, a := range tt.auth {
				resp.Header.Add("WWW-Authenticate", a)
			}
			if tt.location != "" {
				resp.Header.Set("Location", tt.location)
			}
			o := &outcome{}
			classifyWindowsAuth(o, tt.e, resp)
			r := o.result(tt.e, 0)
			assert.Equal(t, tt.status, r.Status)
			assert.Equal(t, tt.detail, r.Detail)
			assert.Equal(t, tt.err, r.Error)
			if tt.e.Path == mrs.Path && tt.status == Failed {
				assert.Contains(t, r.Remediation, "-MRSProxyEnabled $true")
			}
		})
	}
}

// TestExchangeServerChecks runs the real Exchange entries (fixed ports
// 443, 80, 5985, 5986) against loopback servers through a dialer that maps
// those ports to the test listeners.
func TestExchangeServerChecks(t *testing.T) {
	ca := newCA(t, "Contoso Enterprise Root")
	iis := func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/EWS/Exchange.asmx":
			w.Header().Add("WWW-Authenticate", "Negotiate")
			w.Header().Add("WWW-Authenticate", "NTLM")
			w.WriteHeader(http.StatusUnauthorized)
		case "/PowerShell/":
			w.Header().Add("WWW-Authenticate", "Kerberos")
			w.WriteHeader(http.StatusUnauthorized)
		default:
			// MRSProxy virtual directory missing.
			w.WriteHeader(http.StatusNotFound)
		}
	}
	https := tlsServer(t, ca.issue(t, []string{"exch01.contoso.test"}, time.Now().Add(-time.Hour), time.Now().Add(10*24*time.Hour)), 0, 0, http.HandlerFunc(iis))
	plain := httpServer(t, http.HandlerFunc(iis))
	winrm := silentListener(t)
	closed := closedPort(t)

	p := testProber(ca.pool(), "exch01.contoso.test")
	p.Dialer = &guardDialer{ports: map[int]int{443: https, 80: plain, 5985: winrm, 5986: closed}}
	plan, err := NewPlan(Request{ExchangeServers: []string{"exch01.contoso.test"}})
	require.NoError(t, err)
	var es []Endpoint
	for _, e := range plan.Endpoints {
		if e.Category == ExchangeCategory("exch01.contoso.test") {
			es = append(es, e)
		}
	}
	require.Len(t, es, 8)
	// A proxy from the environment must not apply to Exchange.
	rs := p.Run(t.Context(), Plan{Endpoints: es, Timeout: longTimeout, Parallel: 8, SkipMachine: "x", Proxy: explicitProxy(t, "http://127.0.0.1:9")})

	status := map[string]Status{}
	for _, r := range rs {
		if r.Category == ExchangeCategory("exch01.contoso.test") {
			status[r.Name] = r.Status
			assert.NotContains(t, r.Detail, "via proxy", r.Name)
		}
	}
	assert.Equal(t, map[string]Status{
		"TCP 443 (HTTPS: EWS, MRSProxy, Autodiscover)": Passed,
		"TCP 80 (remote PowerShell)":                   Passed,
		"TCP 5985 (WinRM HTTP)":                        Passed,
		"TCP 5986 (WinRM HTTPS)":                       Failed,
		"Certificate (443)":                            Warning,
		"EWS /EWS/Exchange.asmx":                       Passed,
		"MRSProxy /EWS/mrsproxy.svc":                   Failed,
		"Remote PowerShell /PowerShell/":               Passed,
	}, status)
	cert := byName(t, rs, "Certificate (443)")
	assert.Contains(t, cert.Detail, "issuer Contoso Enterprise Root")
	assert.Contains(t, cert.Error, "the certificate expires in 9 days")
	mrs := byName(t, rs, "MRSProxy /EWS/mrsproxy.svc")
	assert.Contains(t, mrs.Remediation, "Set-WebServicesVirtualDirectory")
	assert.Contains(t, mrs.Remediation, "-MRSProxyEnabled $true")
	ews := byName(t, rs, "EWS /EWS/Exchange.asmx")
	assert.True(t, strings.HasSuffix(ews.Detail, "; HTTP 401 (WWW-Authenticate: Negotiate, NTLM); reachable, Windows auth"), ews.Detail)
}
