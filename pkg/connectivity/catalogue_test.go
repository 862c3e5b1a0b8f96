package connectivity

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
)

func mustCloud(t *testing.T, name string) cloud.Cloud {
	t.Helper()
	c, err := cloud.Lookup(name)
	require.NoError(t, err)
	return c
}

func hosts(es []Endpoint) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Host+":"+strconv.Itoa(e.Port))
	}
	return out
}

// Every catalogue is data with a source per entry, unique names per
// category, and expected issuers on every Microsoft TLS entry.
func TestCatalogueIntegrity(t *testing.T) {
	lists := map[string][]Endpoint{
		"globalAgent": globalAgent, "globalHCW": globalHCW, "globalO365": globalO365,
		"usGovAgent": usGovAgent, "chinaSignIn": chinaSignIn, "legacyAgent": legacyAgent, "legacyO365": legacyO365,
	}
	for name, l := range lists {
		seen := map[string]bool{}
		for _, e := range l {
			assert.NotEmpty(t, e.Source, "%s %s has no source", name, e.Name)
			assert.NotEmpty(t, e.Category, "%s %s", name, e.Name)
			assert.True(t, e.Port == 80 || e.Port == 443, "%s %s port %d", name, e.Name, e.Port)
			assert.False(t, seen[e.Category+e.Name], "%s: duplicate %s", name, e.Name)
			seen[e.Category+e.Name] = true
			if e.Port == 80 {
				assert.Equal(t, CheckHTTP, e.Check, "%s %s", name, e.Name)
			}
		}
	}
	for _, c := range []string{"Global", "USGov", "USGovDoD"} {
		plan, err := NewPlan(Request{Cloud: mustCloud(t, c), O365: true, AppID: "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7"})
		require.NoError(t, err)
		tlsEntries := 0
		for _, e := range plan.Endpoints {
			switch e.Check {
			case CheckTLS, CheckHTTPS, CheckWindowsAuth:
				tlsEntries++
				assert.Equal(t, microsoftRoots, e.ExpectedIssuers, "%s %s", c, e.Name)
			default:
				assert.Empty(t, e.ExpectedIssuers, "%s %s: no certificate to check", c, e.Name)
			}
		}
		assert.NotZero(t, tlsEntries, c)
	}
}

func TestPlanPerCloud(t *testing.T) {
	plan, err := NewPlan(Request{Cloud: mustCloud(t, "Global")})
	require.NoError(t, err)
	h := hosts(plan.Endpoints)
	for _, want := range []string{
		"watchdog.servicebus.windows.net:443", "download.msappproxy.net:443",
		"crl3.digicert.com:80", "crl4.digicert.com:80", "ocsp.digicert.com:80", "crl.microsoft.com:80",
		"oneocsp.microsoft.com:80", "ocsp.msocsp.com:80", "ctldl.windowsupdate.com:80", "ctldl.windowsupdate.com:443",
		"login.microsoftonline.com:443", "enterpriseregistration.windows.net:443", "www.microsoft.com:80",
		"asl.configure.office.com:443",
	} {
		assert.Contains(t, h, want)
	}
	assert.NotContains(t, h, "outlook.office365.com:443", "Exchange Online only with --test-o365-endpoints")
	assert.NotContains(t, h, "mscrl.microsoft.com:80", "the 2019 list only with --legacy-list")
	assert.Empty(t, plan.Notes)
	assert.Equal(t, DefaultTimeout, plan.Timeout)
	assert.Equal(t, DefaultParallel, plan.Parallel)
	assert.Equal(t, DefaultMaxDuration, plan.MaxDuration)

	plan, err = NewPlan(Request{Cloud: mustCloud(t, "Global"), O365: true})
	require.NoError(t, err)
	var o365 []Endpoint
	for _, e := range plan.Endpoints {
		if e.Category == catO365 {
			o365 = append(o365, e)
		}
	}
	assert.ElementsMatch(t, []string{"outlook.office365.com:443", "outlook.office.com:443", "autodiscover-s.outlook.com:443",
		"nexus.microsoftonline-p.com:443", "login.microsoftonline.com:443", "login.windows.net:443", "accounts.accesscontrol.windows.net:443"}, hosts(o365))
	for _, e := range o365 {
		assert.Contains(t, e.Advice, "every Exchange Mailbox server")
	}

	for _, c := range []string{"USGov", "USGovDoD"} {
		plan, err = NewPlan(Request{Cloud: mustCloud(t, c)})
		require.NoError(t, err)
		assert.Contains(t, hosts(plan.Endpoints), "login.microsoftonline.us:443")
		assert.Contains(t, hosts(plan.Endpoints), "crl.microsoft.us:80")
		assert.NotContains(t, hosts(plan.Endpoints), "watchdog.servicebus.windows.net:443")
		require.Len(t, plan.Notes, 1)
		assert.Equal(t, Warning, plan.Notes[0].Status)
		assert.Contains(t, plan.Notes[0].Error, "does not support the Hybrid Agent")
	}

	plan, err = NewPlan(Request{Cloud: mustCloud(t, "China"), O365: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"login.chinacloudapi.cn:443", "login.partner.microsoftonline.cn:443"}, hosts(plan.Endpoints))
	require.Len(t, plan.Notes, 2)
	assert.Equal(t, Warning, plan.Notes[0].Status)
	assert.Contains(t, plan.Notes[0].Detail, "no connector endpoint list")
	assert.Equal(t, Skipped, plan.Notes[1].Status)
}

func TestPlanLegacyRouteAndFile(t *testing.T) {
	plan, err := NewPlan(Request{Cloud: mustCloud(t, "Global"), Legacy: true, O365: true})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"mscrl.microsoft.com:80", "crl.microsoft.com:80", "ocsp.msocsp.com:80", "www.microsoft.com:80",
		"login.windows.net:443", "login.microsoftonline.com:443",
		"outlook.office.com:443", "outlook.office365.com:443", "nexus.microsoftonline-p.com:443", "login.microsoftonline.com:443",
	}, hosts(plan.Endpoints), "the original module's host set, in its order")

	_, err = NewPlan(Request{Cloud: mustCloud(t, "USGov"), Legacy: true})
	assert.ErrorContains(t, err, "cannot be combined with --cloud USGov")

	plan, err = NewPlan(Request{Cloud: mustCloud(t, "USGov"), AppID: "6CA7C832-49A2-4A5D-AEAE-A616F6D4B8E7", ExchangeServers: []string{"exch01.contoso.local", "lb.contoso.local"}})
	require.NoError(t, err)
	last := plan.Endpoints[len(plan.Endpoints)-1]
	assert.Equal(t, "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.us", last.Host)
	assert.Equal(t, catRoute, last.Category)
	n := 0
	for _, e := range plan.Endpoints {
		if strings.HasPrefix(e.Category, "Exchange server ") {
			n++
			assert.True(t, e.Direct)
		}
	}
	assert.Equal(t, 16, n, "8 checks per server")

	file := []Endpoint{{Category: "x", Name: "y", Host: "h", Port: 1, Check: CheckTCP}}
	plan, err = NewPlan(Request{Cloud: mustCloud(t, "China"), File: file})
	require.NoError(t, err)
	assert.Equal(t, file, plan.Endpoints)
	assert.Empty(t, plan.Notes)
	assert.Contains(t, plan.SkipMachine, "--endpoints-file")
	for _, req := range []Request{{File: file, O365: true}, {File: file, Legacy: true}, {File: file, AppID: "a"}, {File: file, ExchangeServers: []string{"e"}}} {
		_, err = NewPlan(req)
		assert.ErrorContains(t, err, "replaces the built-in checks")
	}
}

// TestGlobalCatalogueOnLoopback runs the whole Global catalogue (with the
// Exchange Online list and a published route) against one loopback HTTPS
// server and one HTTP server: every catalogue host resolves to 127.0.0.1
// and ports 443/80 are redirected. A CA named like a Microsoft root passes;
// an inspection CA turns every HTTPS entry into the inspection warning.
func TestGlobalCatalogueOnLoopback(t *testing.T) {
	const appID = "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7"
	plan, err := NewPlan(Request{Cloud: mustCloud(t, "Global"), O365: true, AppID: appID})
	require.NoError(t, err)
	var names []string
	for _, e := range plan.Endpoints {
		names = append(names, e.Host)
	}
	for _, tc := range []struct {
		root string
		want Status
	}{{"DigiCert Global Root G2", Passed}, {"Contoso Inspection CA", Warning}} {
		t.Run(tc.root, func(t *testing.T) {
			ca := newCA(t, tc.root)
			https := tlsServer(t, ca.valid(t, names...), 0, 0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusNotFound)
			}))
			plain := httpServer(t, http.HandlerFunc(ok))
			p := testProber(ca.pool(), names...)
			p.Dialer = &guardDialer{ports: map[int]int{443: https, 80: plain}}
			plan.SkipMachine = "not in this test"
			rs := p.Run(t.Context(), plan)
			require.Len(t, rs, len(plan.Endpoints)+6)
			for _, r := range rs {
				switch {
				case r.Category == catMachine && r.Name == "Clock skew":
					assert.Equal(t, Passed, r.Status)
					assert.Equal(t, "login.microsoftonline.com", r.Host)
				case r.Category == catMachine:
					assert.Equal(t, Skipped, r.Status)
				case r.Port == 80:
					assert.Equal(t, Passed, r.Status, "%s %s", r.Name, r.Error)
				default:
					assert.Equal(t, tc.want, r.Status, "%s %s", r.Name, r.Error)
				}
			}
		})
	}
}

func TestSummary(t *testing.T) {
	rs := []Result{{Status: Passed}, {Status: Passed}, {Status: Failed}, {Status: Warning}, {Status: Skipped}}
	s := Summarize(rs, 4230*time.Millisecond)
	assert.Equal(t, "2 passed, 1 failed, 1 warning, 1 skipped in 4.2 s", s.String())
	assert.True(t, s.Failing(false))
	s = Summarize(rs[3:4], 0)
	assert.False(t, s.Failing(false))
	assert.True(t, s.Failing(true), "--strict fails on warnings")
}
