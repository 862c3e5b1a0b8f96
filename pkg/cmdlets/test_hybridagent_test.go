package cmdlets

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/connectivity"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/httpstub"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
	"github.com/hybridmgmt/hybridmgmt/pkg/validate"
)

// --- a small PKI: the route's CA carries a Microsoft root's name so the
// TLS-inspection check accepts it; "Contoso Internal CA" is not trusted.

type walkCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var walkSerial int64

func newWalkCA(t *testing.T, name string) *walkCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	walkSerial++
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(walkSerial), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &walkCA{cert: c, key: key}
}

func (ca *walkCA) leaf(t *testing.T, host string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	walkSerial++
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(walkSerial), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(90 * 24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}
}

// walkNet is the loopback stand-in for the internet and the internal
// network: every name resolves to 127.0.0.1, and port 443 (the route and
// Exchange) is redirected to one TLS server that picks its certificate by
// SNI and answers EWS like IIS does: 401 with Negotiate and NTLM.
type walkNet struct {
	port  int
	roots *x509.CertPool
}

type loopbackResolver struct{}

func (loopbackResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	if strings.HasSuffix(host, ".invalid") {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, nil
}

type portDialer struct{ to int }

func (d portDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" {
		return nil, fmt.Errorf("test dialer: refusing %s", addr)
	}
	if port == "443" {
		port = strconv.Itoa(d.to)
	}
	var nd net.Dialer
	return nd.DialContext(ctx, "tcp4", net.JoinHostPort(host, port))
}

func newWalkNet(t *testing.T, exchangeCA *walkCA) *walkNet {
	t.Helper()
	msRoot := newWalkCA(t, "DigiCert Global Root G2")
	if exchangeCA == nil {
		exchangeCA = msRoot
	}
	certs := map[string]tls.Certificate{
		strings.ToLower(labtenant.HybridAppID) + ".resource.mailboxmigration.his.msappproxy.net": msRoot.leaf(t, strings.ToLower(labtenant.HybridAppID)+".resource.mailboxmigration.his.msappproxy.net"),
		"exch01.contoso.local": exchangeCA.leaf(t, "exch01.contoso.local"),
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(strings.ToLower(r.URL.Path), "/ews/") {
			w.Header().Add("WWW-Authenticate", "Negotiate")
			w.Header().Add("WWW-Authenticate", "NTLM")
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNotFound)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // rejected handshakes are the point of some walks
	srv.TLS = &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		c, ok := certs[strings.ToLower(h.ServerName)]
		if !ok {
			return nil, fmt.Errorf("no certificate for %q", h.ServerName)
		}
		return &c, nil
	}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())
	pool := x509.NewCertPool()
	pool.AddCert(msRoot.cert)
	return &walkNet{port: port, roots: pool}
}

func (n *walkNet) prober() *connectivity.Prober {
	return &connectivity.Prober{Resolver: loopbackResolver{}, Dialer: portDialer{to: n.port}, Roots: n.roots, Now: time.Now,
		DirectTimeout: time.Second}
}

// --- the lab, its state changed before it starts.

type labTokens struct{ tok string }

func (l labTokens) Token(context.Context) (string, error) { return l.tok, nil }
func (l labTokens) AppOnly() bool                         { return false }

func newWalkLab(t *testing.T, mutate func(st *labtenant.State)) HybridAgentGraph {
	t.Helper()
	dir := t.TempDir()
	lab, err := labtenant.New(labtenant.Options{Dir: dir})
	require.NoError(t, err)
	if mutate != nil {
		st := lab.Snapshot()
		require.NoError(t, lab.Close())
		mutate(&st)
		data, err := json.Marshal(st)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, labtenant.FileState), data, 0o600))
		lab, err = labtenant.New(labtenant.Options{Dir: dir})
		require.NoError(t, err)
	}
	t.Cleanup(func() { _ = lab.Close() })

	resp, err := lab.Client().PostForm(lab.URL()+"/"+labtenant.TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"password"}, "client_id": {labtenant.GraphCLIClientID}, "username": {labtenant.AdminUPN},
		"password": {lab.Credentials().Password(labtenant.AdminUPN)}, "client_info": {"1"},
		"scope": {"https://graph.microsoft.com/Directory.ReadWrite.All https://graph.microsoft.com/Application.ReadWrite.All openid profile offline_access"},
	})
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Equal(t, http.StatusOK, resp.StatusCode, "token: %v", body)

	g, _ := cloud.Lookup("Global")
	return appproxy.New(appproxy.Options{BaseURL: lab.GraphURL(), HTTPClient: lab.Client(),
		Tokens: labTokens{tok: body["access_token"].(string)}, Cloud: g, RetryBudget: time.Second,
		Sleep: func(context.Context, time.Duration) error { return nil }})
}

func hybridApp(st *labtenant.State) *labtenant.Application {
	for i := range st.Applications {
		if st.Applications[i].AppID == labtenant.HybridAppID {
			return &st.Applications[i]
		}
	}
	return nil
}

func iisFixture(name string) string { return filepath.Join("..", "iisconfig", "testdata", name) }

type walk struct {
	code           int
	stdout, stderr string
	results        []connectivity.Result
}

func runWalk(t *testing.T, g HybridAgentGraph, n *walkNet, format output.Format, mod func(*TestHybridAgentOptions)) walk {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	gc, _ := cloud.Lookup("Global")
	opts := &TestHybridAgentOptions{
		IO: ios, Graph: func() (HybridAgentGraph, error) { return g, nil }, Prober: n.prober(),
		Now: time.Now, Context: context.Background(), Output: func() (output.Format, error) { return format, nil },
		Logf: func(string, ...any) {}, Hostname: func() (string, error) { return "EXCH-AGENT01", nil }, Version: "1.2.3",
		ReadFile: os.ReadFile, Cloud: gc,
		IISConfigs:      []string{iisFixture("ex2019-frontend-excluded.config")},
		ProbeRunOptions: ProbeRunOptions{Timeout: 5 * time.Second, Parallel: 4, MaxDuration: time.Minute},
	}
	if mod != nil {
		mod(opts)
	}
	err := testHybridAgentRun(opts)
	if err != nil {
		errOut.WriteString("hybridmgmt: " + err.Error() + "\n")
	}
	w := walk{code: exitcode.Of(err), stdout: out.String(), stderr: errOut.String()}
	if format == output.JSON && w.stdout != "" {
		require.NoError(t, json.Unmarshal([]byte(w.stdout), &w.results), w.stdout)
	}
	return w
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// in is the walk's results of one hop, in their order.
func (w walk) in(cat string) []connectivity.Result {
	var out []connectivity.Result
	for _, r := range w.results {
		if r.Category == cat {
			out = append(out, r)
		}
	}
	return out
}

func TestTestHybridAgentFullWalkPasses(t *testing.T) {
	g := newWalkLab(t, nil)
	n := newWalkNet(t, nil)
	w := runWalk(t, g, n, output.Table, nil)
	require.Equal(t, 0, w.code, w.stdout+w.stderr)
	lines := strings.Split(w.stdout, "\n")
	assert.Equal(t, "Verdict: every hop that can be checked from here passed", lines[0])
	assert.Equal(t, "Test the last hop from Exchange Online PowerShell: Test-MigrationServerAvailability -ExchangeRemoteMove -RemoteServer "+
		labtenant.HybridAppID+".resource.mailboxmigration.his.msappproxy.net -Credentials (Get-Credential)", lines[1])
	for _, hop := range hopOrder {
		assert.Contains(t, w.stdout, hop)
	}
	assert.Contains(t, w.stdout, "2 of 2 active")
	assert.NotContains(t, w.stdout, "Most likely cause", "nothing failed")

	// On a table the verdict leads the table; in any other format it goes
	// to the verbose log, with the summary.
	var logged []string
	logTo := func(o *TestHybridAgentOptions) {
		o.Logf = func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
	}
	runWalk(t, g, n, output.Table, logTo)
	assert.NotContains(t, strings.Join(logged, "\n"), "Verdict:", "a table shows the verdict itself")
	logged = nil
	w = runWalk(t, g, n, output.JSON, logTo)
	require.Equal(t, 0, w.code, w.stderr)
	require.GreaterOrEqual(t, len(logged), 2)
	assert.Equal(t, "Verdict: every hop that can be checked from here passed", logged[len(logged)-2])
	assert.Contains(t, logged[len(logged)-1], "passed")
	var cats []string
	for _, r := range w.results {
		if len(cats) == 0 || cats[len(cats)-1] != r.Category {
			cats = append(cats, r.Category)
		}
		assert.Equal(t, "EXCH-AGENT01", r.Machine)
		if r.Status == connectivity.Passed {
			assert.Empty(t, r.Cause)
		} else {
			assert.NotEmpty(t, r.Cause, "%s / %s", r.Category, r.Name)
		}
		if r.Category == catAgentToExchange && strings.Contains(r.Name, "mrsproxy") {
			assert.Equal(t, connectivity.Passed, r.Status, r.Error)
			assert.Contains(t, r.Detail, "HTTP 401 (WWW-Authenticate: Negotiate, NTLM)")
		}
	}
	assert.Equal(t, hopOrder, cats, "every hop reports, in route order")

	route := labtenant.HybridAppID + ".resource.mailboxmigration.his.msappproxy.net"
	published := w.in(catPublishedRoute)
	require.Len(t, published, 1, "the route is probed")
	assert.Equal(t, route, published[0].Host)
	assert.Equal(t, connectivity.Passed, published[0].Status)
	var steps []string
	for _, r := range w.in(catAgentToExchange) {
		steps = append(steps, r.Name)
		assert.Equal(t, connectivity.Passed, r.Status, r.Name)
		assert.Equal(t, 443, r.Port, r.Name)
	}
	assert.Equal(t, []string{"exch01.contoso.local: TCP 443", "exch01.contoso.local: TLS certificate",
		"exch01.contoso.local: EWS /EWS/Exchange.asmx", "exch01.contoso.local: MRSProxy /EWS/mrsproxy.svc"}, steps,
		"the internalUrl's host, its steps in the order they depend on each other")
	agents := w.in(catAgents)
	require.Len(t, agents, 2)
	assert.Equal(t, "2 of 2 active: EXCH-AGENT01.contoso.local active 1.5.3437.0, EXCH-AGENT02.contoso.local active 1.5.3437.0", agents[0].Detail)
	assert.Equal(t, "every agent is 1.5.1526.0 or later", agents[1].Detail)
}

// A group with no agents fails the Agents hop and has no versions to
// check; an internalUrl with a port is probed at that port.
func TestTestHybridAgentEmptyGroupAndInternalPort(t *testing.T) {
	g := newWalkLab(t, func(st *labtenant.State) {
		var keep []labtenant.Connector
		for _, c := range st.Connectors {
			if c.GroupID != labtenant.ExchangeGroupID {
				keep = append(keep, c)
			}
		}
		st.Connectors = keep
		hybridApp(st).OnPremisesPublishing["internalUrl"] = "https://exch01.contoso.local:8444/"
	})
	n := newWalkNet(t, nil)
	w := runWalk(t, g, n, output.JSON, nil)
	assert.Equal(t, exitcode.ChecksFailed, w.code)
	agents := w.in(catAgents)
	ports := map[int]bool{}
	for _, r := range w.in(catAgentToExchange) {
		ports[r.Port] = true
	}
	require.Len(t, agents, 2)
	assert.Equal(t, connectivity.Failed, agents[0].Status)
	assert.Equal(t, "0 of 0 active", agents[0].Detail)
	assert.Equal(t, connectivity.Skipped, agents[1].Status)
	assert.Contains(t, agents[1].Detail+agents[1].Error, "the group has no agents")
	assert.Equal(t, map[int]bool{8444: true}, ports, "every Agent to Exchange step at the internalUrl's port")
}

func TestParseAgentVersion(t *testing.T) {
	for in, want := range map[string][4]int{
		"1.5": {1, 5}, "1.5.3437": {1, 5, 3437}, "1.5.3437.0": {1, 5, 3437, 0}, " 1.5.1526.0 ": {1, 5, 1526, 0},
	} {
		v, ok := parseVersion(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, v, in)
	}
	for _, in := range []string{"", "1", "1.5.3.4.5", "1.-5", "a.b", "1..5"} {
		_, ok := parseVersion(in)
		assert.False(t, ok, in)
	}
	assert.True(t, versionLess([4]int{1, 5, 1000}, minAgentVersion))
	assert.False(t, versionLess(minAgentVersion, minAgentVersion))
	assert.False(t, versionLess([4]int{1, 6}, minAgentVersion))
}

const staleTwinAppID = "0b6d1a52-3c4e-4f70-9a8b-1c2d3e4f5a6b"

// addStaleTwin adds a second hybrid application, published at its own
// route with the hybrid app's internalUrl (a stale HCW run's leftover).
func addStaleTwin(st *labtenant.State) {
	twin := *hybridApp(st)
	twin.ID, twin.AppID, twin.DisplayName = "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a99", staleTwinAppID, "Stale hybrid app"
	pub := map[string]any{}
	for k, v := range twin.OnPremisesPublishing {
		pub[k] = v
	}
	pub["externalUrl"] = "https://" + staleTwinAppID + ".resource.mailboxmigration.his.msappproxy.net:443/"
	twin.OnPremisesPublishing = pub
	st.Applications = append(st.Applications, twin)
	st.ServicePrincipals = append(st.ServicePrincipals, labtenant.ServicePrincipal{ID: "d0c1b2a3-9485-4766-8a9b-0c1d2e3f4a99",
		AppID: twin.AppID, DisplayName: twin.DisplayName, ServicePrincipalType: "Application",
		Tags: []string{"WindowsAzureActiveDirectoryOnPremApp", "WindowsAzureActiveDirectoryIntegratedApp"}})
}

func TestTestHybridAgentWalksFailingAtEachHop(t *testing.T) {
	otherCA := func(t *testing.T) *walkCA { return newWalkCA(t, "Contoso Internal CA") }
	cases := []struct {
		name    string
		mutate  func(st *labtenant.State)
		exchCA  func(t *testing.T) *walkCA
		opts    func(o *TestHybridAgentOptions)
		verdict string
		cause   connectivity.Cause
	}{
		{name: "unpublished app",
			mutate:  func(st *labtenant.State) { hybridApp(st).OnPremisesPublishing = nil },
			opts:    func(o *TestHybridAgentOptions) { o.AppID = labtenant.HybridAppID },
			verdict: "Verdict: Hybrid application failed: the application is not published through App Proxy (no externalUrl)",
			cause:   connectivity.CauseNotPublished},
		{name: "unknown --app-id",
			opts:    func(o *TestHybridAgentOptions) { o.AppID = "00000000-1111-2222-3333-444444444444" },
			verdict: "Verdict: Hybrid application failed: no application has appId or object id 00000000-1111-2222-3333-444444444444",
			cause:   connectivity.CauseNotPublished},
		{name: "no hybrid application in the tenant",
			mutate:  func(st *labtenant.State) { hybridApp(st).OnPremisesPublishing = nil },
			verdict: "Verdict: Hybrid application failed: the tenant has no hybrid application (no app publishes a *.resource.mailboxmigration.his.msappproxy.net route)",
			cause:   connectivity.CauseNotPublished},
		{name: "published at another app's route",
			mutate: func(st *labtenant.State) {
				hybridApp(st).OnPremisesPublishing["externalUrl"] = "https://" + staleTwinAppID + ".resource.mailboxmigration.his.msappproxy.net:443/"
			},
			opts:    func(o *TestHybridAgentOptions) { o.AppID = labtenant.HybridAppID },
			verdict: "Verdict: Hybrid application failed: the externalUrl is not this app's hybrid route https://" + labtenant.HybridAppID + ".resource.mailboxmigration.his.msappproxy.net/",
			cause:   connectivity.CauseNotPublished},
		{name: "duplicate internalUrl",
			mutate:  addStaleTwin,
			opts:    func(o *TestHybridAgentOptions) { o.AppID = labtenant.HybridAppID },
			verdict: "Verdict: Hybrid application failed: other applications publish the same internalUrl https://exch01.contoso.local/: 0b6d1a52-3c4e-4f70-9a8b-1c2d3e4f5a6b (Stale hybrid app)",
			cause:   connectivity.CauseDuplicateInternal},
		{name: "internalUrl of another App Proxy app",
			mutate: func(st *labtenant.State) {
				for i := range st.Applications {
					if st.Applications[i].AppID == labtenant.IntranetAppID {
						st.Applications[i].OnPremisesPublishing["internalUrl"] = labtenant.HybridInternalURL
					}
				}
			},
			verdict: "Verdict: Hybrid application failed: other applications publish the same internalUrl https://exch01.contoso.local/: " + labtenant.IntranetAppID + " (" + labtenant.IntranetAppName + ")",
			cause:   connectivity.CauseDuplicateInternal},
		{name: "no active agent",
			mutate: func(st *labtenant.State) {
				for i := range st.Connectors {
					if st.Connectors[i].GroupID == labtenant.ExchangeGroupID {
						st.Connectors[i].Status = "inactive"
					}
				}
			},
			verdict: `Verdict: Agents failed: no active agent in "Default group for Exchange Online": App Proxy answers 504 (no connector) for every request`,
			cause:   connectivity.CauseNoActiveAgent},
		{name: "agent too old",
			mutate: func(st *labtenant.State) {
				for i := range st.Connectors {
					if st.Connectors[i].ID == labtenant.ExchAgent2ID {
						st.Connectors[i].Version = "1.5.1000.0"
					}
				}
			},
			verdict: "Verdict: Agents failed: agents below 1.5.1526.0 cannot connect since App Proxy requires TLS 1.2: EXCH-AGENT02.contoso.local 1.5.1000.0",
			cause:   connectivity.CauseAgentVersion},
		{name: "untrusted Exchange certificate", exchCA: otherCA,
			verdict: `Verdict: Agent to Exchange failed: TLS: the certificate chain is not trusted here (issued by "Contoso Internal CA")`,
			cause:   connectivity.CauseTLSUntrusted},
		{name: "Extended Protection on the front end",
			opts:    func(o *TestHybridAgentOptions) { o.IISConfigs = []string{iisFixture("ex2019-frontend-allow.config")} },
			verdict: "Verdict: Exchange server failed: Extended Protection is Allow on Default Web Site/EWS of exch01.contoso.local: Exchange Online's requests through the Hybrid Agent fail (504 or timeout on /EWS/mrsproxy.svc)",
			cause:   connectivity.CauseExtendedProtection},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newWalkLab(t, c.mutate)
			var ca *walkCA
			if c.exchCA != nil {
				ca = c.exchCA(t)
			}
			n := newWalkNet(t, ca)
			w := runWalk(t, g, n, output.Table, c.opts)
			assert.Equal(t, exitcode.ChecksFailed, w.code, w.stdout+w.stderr)
			assert.Equal(t, c.verdict, firstLine(w.stdout))
			assert.Contains(t, w.stdout, "\nMost likely cause: "+c.cause.Info().Words)

			w = runWalk(t, g, n, output.JSON, c.opts)
			var first *connectivity.Result
			for i := range w.results {
				if w.results[i].Status == connectivity.Failed {
					first = &w.results[i]
					break
				}
			}
			require.NotNil(t, first)
			assert.Equal(t, c.cause, first.Cause)
			assert.Equal(t, "hybridmgmt: "+strings.TrimPrefix(c.verdict, "Verdict: ")+"\n", w.stderr, "the error repeats the verdict")
		})
	}
}

// Two hybrid applications and no --app-id: the walk cannot guess which one
// Exchange Online uses, so it asks (exit 2) and names both, before probing.
func TestTestHybridAgentAsksWhichOfTwoHybridApplications(t *testing.T) {
	g := newWalkLab(t, addStaleTwin)
	n := newWalkNet(t, nil)
	w := runWalk(t, g, n, output.Table, nil)
	assert.Equal(t, exitcode.Usage, w.code, w.stdout+w.stderr)
	assert.Empty(t, w.stdout)
	assert.Equal(t, "hybridmgmt: the tenant has 2 hybrid applications; choose one with --app-id: "+
		staleTwinAppID+" (Stale hybrid app), "+labtenant.HybridAppID+" ("+labtenant.HybridAppName+")\n", w.stderr)

	w = runWalk(t, g, n, output.Table, func(o *TestHybridAgentOptions) { o.AppID = staleTwinAppID })
	assert.Equal(t, exitcode.ChecksFailed, w.code, "with --app-id it walks (and finds the duplicate internalUrl)")
}

// The Graph client the walk needs reads connector groups of applications;
// a client that cannot, or no client at all, is an error, not a panic.
func TestTestHybridAgentGraphClient(t *testing.T) {
	f := NewFactory("1.2.3")
	f.AppProxy = func() (appproxy.API, error) { return nil, exitcode.Authf("not signed in") }
	_, err := f.hybridAgentGraph()
	assert.ErrorIs(t, err, exitcode.ErrAuth)

	f.AppProxy = func() (appproxy.API, error) { return readsOnly{}, nil }
	_, err = f.hybridAgentGraph()
	assert.EqualError(t, err, "the Graph client cannot read connector groups of applications")

	f.AppProxy = func() (appproxy.API, error) {
		return appproxy.New(appproxy.Options{BaseURL: "https://127.0.0.1:1/beta"}), nil
	}
	g, err := f.hybridAgentGraph()
	require.NoError(t, err, "the real client reads them")
	assert.NotNil(t, g)
}

// readsOnly is an appproxy.API without the connector-group read.
type readsOnly struct{ appproxy.API }

func TestTestHybridAgentReportsAndStrict(t *testing.T) {
	g := newWalkLab(t, func(st *labtenant.State) {
		for i := range st.Connectors {
			if st.Connectors[i].ID == labtenant.ExchAgent2ID {
				st.Connectors[i].Status = "inactive"
			}
		}
	})
	n := newWalkNet(t, nil)
	w := runWalk(t, g, n, output.Table, nil)
	assert.Equal(t, 0, w.code, "one active agent is a warning")
	assert.Contains(t, w.stdout, "1 of 2 active")

	w = runWalk(t, g, n, output.Table, func(o *TestHybridAgentOptions) { o.Strict = true })
	assert.Equal(t, exitcode.ChecksFailed, w.code, "--strict fails on the warning")

	for _, f := range []output.Format{output.Markdown, output.HTML} {
		w = runWalk(t, g, n, f, nil)
		assert.Equal(t, 0, w.code)
		assert.Contains(t, w.stdout, "Verdict: every hop that can be checked from here passed")
		assert.Contains(t, w.stdout, "EXCH-AGENT01")
		assert.Contains(t, w.stdout, "single-agent")
	}
}

func TestTestHybridAgentFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--app-id", "nope"}, "--app-id"},
		{[]string{"--timeout", "0s"}, "--timeout"},
		{[]string{"--parallel", "0"}, "--parallel"},
		{[]string{"--iis-config", " "}, "--iis-config must not be empty"},
		{[]string{"--exchange-server", "bad host!"}, "--exchange-server"},
	} {
		e := newTestEnv(t)
		r := e.run(append([]string{"test-hybridagent", "--user-principal-name", "admin@contoso.com"}, c.args...)...)
		assert.Equal(t, exitcode.Usage, r.code, "%v: %s", c.args, r.stderr)
		assert.Contains(t, r.stderr, c.want)
	}
	for in, want := range map[string]string{
		"6CA7C832-49A2-4A5D-AEAE-A616F6D4B8E7":                                                       labtenant.HybridAppID,
		"https://6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net/": labtenant.HybridAppID,
		"6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net":          labtenant.HybridAppID,
	} {
		got, err := validate.AppID("--app-id", in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	// Only Windows has a local IIS to read; elsewhere there is no default.
	if runtime.GOOS == "windows" {
		assert.True(t, strings.HasSuffix(localIISConfig(), `\System32\inetsrv\config\applicationHost.config`), localIISConfig())
	} else {
		assert.Empty(t, localIISConfig())
	}
	assert.Equal(t, "exch01", uncHost(`\\EXCH01\c$\Windows\System32\inetsrv\config\applicationHost.config`))
	assert.Empty(t, uncHost(`\\?\C:\x`))
	assert.Empty(t, uncHost(`C:\x`))
}

// Through the command tree: the signed-in walk starts with Graph, and a
// refused Graph read ends it with Graph's own error (exit 3 naming the
// permission), not with a verdict about the route.
func TestTestHybridAgentCommandReachesGraph(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("sps", httpstub.REST("GET", spPath),
		httpstub.GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."))
	r := e.run("test-hybridagent", "--user-principal-name", "admin@contoso.com", "-o", "json")
	assert.Equal(t, exitcode.Auth, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.True(t, contains(r.stderr, "Authorization_RequestDenied", "Application.Read.All"), r.stderr)
	assert.NotContains(t, r.stderr, "Verdict")
	assert.Equal(t, 1, e.reg.Count(), "one Graph request, then nothing")
}

// Where the Exchange server hop reads Extended Protection from: each
// --iis-config (named by its path when there are several), else this
// machine's own IIS when it is an Exchange server, else nothing (Skipped,
// saying how to pass one). And the connector group other than the HCW's.
func TestTestHybridAgentExchangeServerSources(t *testing.T) {
	g := newWalkLab(t, func(st *labtenant.State) { hybridApp(st).ConnectorGroupID = labtenant.DefaultGroupID })
	n := newWalkNet(t, nil)
	w := runWalk(t, g, n, output.JSON, nil)
	group := w.in(catConnectorGroup)
	require.Len(t, group, 1)
	assert.Equal(t, `Default (id `+labtenant.DefaultGroupID+`); the HCW puts agents in "Default group for Exchange Online"`, group[0].Detail)
	ex := w.in(catExchangeServer)
	require.Len(t, ex, 1)
	assert.Equal(t, "Extended Protection (Default Web Site/EWS)", ex[0].Name, "one file: no path in the name")

	two := []string{iisFixture("ex2019-frontend-excluded.config"), iisFixture("ex2019-frontend-allow.config")}
	w = runWalk(t, g, n, output.JSON, func(o *TestHybridAgentOptions) { o.IISConfigs = two })
	ex = w.in(catExchangeServer)
	require.Len(t, ex, 2)
	assert.Equal(t, "Extended Protection (Default Web Site/EWS) "+two[0], ex[0].Name)
	assert.Equal(t, "Extended Protection (Default Web Site/EWS) "+two[1], ex[1].Name)
	assert.Equal(t, connectivity.Failed, ex[1].Status)

	local := func(path string) []connectivity.Result {
		w := runWalk(t, g, n, output.JSON, func(o *TestHybridAgentOptions) { o.IISConfigs, o.LocalIISConfig = nil, path })
		return w.in(catExchangeServer)
	}
	ex = local(iisFixture("ex2019-frontend-allow.config"))
	require.Len(t, ex, 1)
	assert.Equal(t, connectivity.Failed, ex[0].Status, "this machine's IIS is read when it is an Exchange server")
	assert.Equal(t, connectivity.CauseExtendedProtection, ex[0].Cause)
	assert.Equal(t, "EXCH-AGENT01", ex[0].Host)
	for _, p := range []string{"", iisFixture("not-exchange.config"), filepath.Join(t.TempDir(), "missing.config")} {
		ex = local(p)
		require.Len(t, ex, 1, p)
		assert.Equal(t, connectivity.Skipped, ex[0].Status, p)
		assert.Equal(t, "exch01.contoso.local", ex[0].Host, p)
		assert.Contains(t, ex[0].Detail, "pass --iis-config", p)
	}
}

// An internalUrl with port 0 (no port at all, in effect) is probed at 443.
func TestTestHybridAgentInternalPortZero(t *testing.T) {
	g := newWalkLab(t, func(st *labtenant.State) {
		hybridApp(st).OnPremisesPublishing["internalUrl"] = "https://exch01.contoso.local:0/"
	})
	w := runWalk(t, g, newWalkNet(t, nil), output.JSON, nil)
	steps := w.in(catAgentToExchange)
	assert.Len(t, steps, 4)
	for _, r := range steps {
		assert.Equal(t, 443, r.Port, r.Name)
	}
}
