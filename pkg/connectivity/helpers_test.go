package connectivity

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testCA is a throwaway certificate authority. ECDSA keeps key generation
// and handshakes fast under -race.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var serial int64 = 1
var serialMu sync.Mutex

func nextSerial() *big.Int {
	serialMu.Lock()
	defer serialMu.Unlock()
	serial++
	return big.NewInt(serial)
}

func newCA(t testing.TB, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          nextSerial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &testCA{cert: cert, key: key}
}

func (ca *testCA) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// issue makes a server certificate for hosts valid in [notBefore, notAfter].
func (ca *testCA) issue(t testing.TB, hosts []string, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: nextSerial(),
		Subject:      pkix.Name{CommonName: hosts[0]},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func (ca *testCA) valid(t testing.TB, hosts ...string) tls.Certificate {
	return ca.issue(t, hosts, time.Now().Add(-time.Hour), time.Now().Add(90*24*time.Hour))
}

// tlsServer starts an HTTPS server on 127.0.0.1 with the given
// certificate and version range; it returns the port.
func tlsServer(t testing.TB, cert tls.Certificate, minV, maxV uint16, h http.Handler) int {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: minV, MaxVersion: maxV}
	srv.Config.ErrorLog = discardLog()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return portOf(t, srv.Listener.Addr())
}

// httpServer starts a plain-HTTP server on 127.0.0.1.
func httpServer(t testing.TB, h http.Handler) int {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return portOf(t, srv.Listener.Addr())
}

func portOf(t testing.TB, a net.Addr) int {
	t.Helper()
	_, p, err := net.SplitHostPort(a.String())
	require.NoError(t, err)
	n, err := strconv.Atoi(p)
	require.NoError(t, err)
	return n
}

// silentListener accepts connections and never answers, like a firewall
// or IPS that holds sessions.
func silentListener(t testing.TB) int {
	t.Helper()
	port, _ := helloListener(t)
	return port
}

// helloListener is silentListener that also says when the first client
// has sent its first byte (a TLS client: its TCP step is over).
func helloListener(t testing.TB) (int, <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	hello := make(chan struct{})
	var once sync.Once
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() {
				var b [1]byte
				if n, _ := c.Read(b[:]); n > 0 {
					once.Do(func() { close(hello) })
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return portOf(t, ln.Addr()), hello
}

// closedPort returns a port on 127.0.0.1 that nothing listens on.
func closedPort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := portOf(t, ln.Addr())
	ln.Close()
	return p
}

// mapResolver answers from a table; unknown names are NXDOMAIN. Tests
// point every name at 127.0.0.1 so the catalogue logic runs without DNS.
type mapResolver map[string][]string

func (m mapResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	ips, ok := m[strings.ToLower(host)]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []net.IPAddr
	for _, s := range ips {
		out = append(out, net.IPAddr{IP: net.ParseIP(s)})
	}
	return out, nil
}

// guardDialer lets only 127.0.0.1 through; anything else (the IPv6
// documentation addresses some tests resolve to) fails as a firewall
// would, so no packet ever leaves loopback. ports redirects the fixed
// ports of the catalogue and the Exchange checks (443, 80, 5985, ...) to
// the test servers' ephemeral ones.
type guardDialer struct {
	d     net.Dialer
	ports map[int]int
	// refuse lists ports (after redirection) that must look blocked.
	refuse map[int]bool
	// otherErr is what a non-loopback address gets; ECONNREFUSED if nil.
	otherErr error
	mu       sync.Mutex
	dialed   []string
}

func (g *guardDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, _ := strconv.Atoi(p)
	if to, ok := g.ports[port]; ok {
		port = to
	}
	g.mu.Lock()
	g.dialed = append(g.dialed, net.JoinHostPort(host, strconv.Itoa(port)))
	g.mu.Unlock()
	if host != "127.0.0.1" {
		e := g.otherErr
		if e == nil {
			e = syscall.ECONNREFUSED
		}
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", e)}
	}
	if g.refuse[port] {
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	return g.d.DialContext(ctx, network, net.JoinHostPort(host, strconv.Itoa(port)))
}

func testProber(roots *x509.CertPool, names ...string) *Prober {
	r := mapResolver{}
	for _, n := range names {
		r[n] = []string{"127.0.0.1"}
	}
	return &Prober{Resolver: r, Dialer: &guardDialer{}, Roots: roots, Now: time.Now}
}

func ok(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

// run probes entries with the given timeout and parallelism.
func run(t testing.TB, p *Prober, timeout time.Duration, es ...Endpoint) []Result {
	t.Helper()
	plan := Plan{Endpoints: es, Timeout: timeout, Parallel: 4, SkipMachine: "not in this test"}
	return p.Run(context.Background(), plan)
}

// byName finds one result; it fails the test when absent.
func byName(t testing.TB, rs []Result, name string) Result {
	t.Helper()
	for _, r := range rs {
		if r.Name == name {
			return r
		}
	}
	require.Failf(t, "no result", "no result named %q in %v", name, rs)
	return Result{}
}

func contextWithCancel(t testing.TB) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx, cancel
}
