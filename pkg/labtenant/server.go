package labtenant

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Options configure a lab. Everything is optional.
type Options struct {
	// Dir holds ca.pem, state.json, the credential files and env. Empty
	// means a temporary directory removed by Close.
	Dir string
	// Addr is the listen address; it must be a loopback address
	// (default 127.0.0.1:0, a random port).
	Addr string
	// Settings and Faults are the initial knobs (see their types).
	Settings Settings
	Faults   []Fault
	// Logf, when set, receives one line per request (method, path, status,
	// grant type; never a query string, body, token or secret) and server
	// errors.
	Logf func(format string, args ...any)
	// Now is the lab's clock (token and code lifetimes, expiry checks, the
	// pruning of expired tokens); nil means time.Now. Tests move it
	// forward instead of sleeping past a short lifetime, which under load
	// raced the lab's own pruning of the token it had just issued.
	Now func() time.Time
}

// Server is a running lab tenant.
type Server struct {
	opts      Options
	dir       string
	removeDir bool
	pki       *labPKI
	ln        net.Listener
	http      *http.Server
	url       string
	served    chan struct{}
	closing   chan struct{}
	closeOnce sync.Once
	now       func() time.Time
	logf      func(format string, args ...any)

	// mu guards st, settings, creds and the in-memory grants below.
	mu          sync.Mutex
	st          *State
	settings    Settings
	creds       Credentials
	deviceCodes map[string]*deviceCode // by device_code
	authCodes   map[string]*authCode   // by code
	// replicating counts, per just-created application (by object id and
	// by appId, one shared counter), the requests still to answer 404 (R8).
	replicating map[string]*int

	faults faultSet
	stats  statsStore

	idKey *ecdsa.PrivateKey // signs id_tokens (clients only parse them)
	idKid string
}

// New seeds or loads the lab in opts.Dir, starts serving HTTPS on a
// loopback address and returns once the listener is up.
func New(opts Options) (*Server, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := requireLoopback(addr); err != nil {
		return nil, err
	}
	s := &Server{
		opts:        opts,
		closing:     make(chan struct{}),
		served:      make(chan struct{}),
		now:         time.Now,
		logf:        opts.Logf,
		settings:    opts.Settings,
		deviceCodes: map[string]*deviceCode{},
		authCodes:   map[string]*authCode{},
	}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	if opts.Now != nil {
		s.now = opts.Now
	}
	if err := s.faults.set(opts.Faults); err != nil {
		return nil, err
	}

	s.dir = opts.Dir
	if s.dir == "" {
		d, err := os.MkdirTemp("", "hybridlab-*")
		if err != nil {
			return nil, err
		}
		s.dir, s.removeDir = d, true
	}
	abs, err := filepath.Abs(s.dir)
	if err != nil {
		return nil, err
	}
	s.dir = abs
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, err
	}

	fail := func(err error) (*Server, error) {
		if s.removeDir {
			_ = os.RemoveAll(s.dir)
		}
		return nil, err
	}
	if s.pki, err = newLabPKI(s.now()); err != nil {
		return fail(err)
	}
	if err := writeFileAtomic(s.CAPath(), s.pki.caPEM, 0o644); err != nil {
		return fail(err)
	}
	if s.idKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return fail(err)
	}
	s.idKid = randomToken(12)
	if err := s.loadOrSeed(); err != nil {
		return fail(err)
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fail(err)
	}
	s.ln = ln
	s.url = "https://" + ln.Addr().String()

	// HTTP/1.1 only: the drop fault hijacks the connection, which HTTP/2
	// cannot do, and Graph clients behave the same on either.
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		Protocols:         &protocols,
		TLSConfig: &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{s.pki.tlsCert},
		},
		ErrorLog: log.New(logfWriter(s.logf), "", 0),
	}
	go func() {
		defer close(s.served)
		err := s.http.ServeTLS(ln, "", "")
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logf("hybridlab: serve: %v", err)
		}
	}()
	return s, nil
}

func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("listen address %q is not a loopback address: the lab only serves this machine", addr)
	}
	return nil
}

// Close stops the server, cutting stalled responses, and removes a
// temporary directory the lab created.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closing)
		err = s.http.Close()
		<-s.served
		if s.removeDir {
			if rmErr := os.RemoveAll(s.dir); rmErr != nil && err == nil {
				err = rmErr
			}
		}
	})
	return err
}

// URL is the server root, https://127.0.0.1:PORT (authority and Graph).
func (s *Server) URL() string { return s.url }

// GraphURL is the Graph beta root, URL()+"/beta".
func (s *Server) GraphURL() string { return s.url + "/beta" }

// Authority returns the authority URL MSAL takes for a tenant segment (a
// tenant id, contoso.com, organizations or common); empty means TenantID.
func (s *Server) Authority(tenant string) string {
	if tenant == "" {
		tenant = TenantID
	}
	return s.url + "/" + tenant
}

// Dir is the lab directory (absolute).
func (s *Server) Dir() string { return s.dir }

// CAPath is <dir>/ca.pem, the CA clients must trust.
func (s *Server) CAPath() string { return filepath.Join(s.dir, FileCA) }

// CertPool holds the lab CA only.
func (s *Server) CertPool() *x509.CertPool { return s.pki.pool.Clone() }

// Client returns a new HTTP client that trusts the lab CA (and nothing
// else) and does not use a proxy.
func (s *Server) Client() *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil,
			TLSClientConfig:     &tls.Config{RootCAs: s.CertPool(), MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout: 10 * time.Second,
		},
	}
}

// Credentials returns the generated secrets, for in-process tests. The
// same values are in the lab directory's 0600 files.
func (s *Server) Credentials() Credentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creds
}

// family tells which service a path belongs to, for error shapes.
type family int

const (
	familyAuthority family = iota
	familyGraph
)

func familyOf(path string) family {
	lp := strings.ToLower(path)
	for _, p := range []string{"/beta", "/v1.0"} {
		if lp == p || strings.HasPrefix(lp, p+"/") {
			return familyGraph
		}
	}
	return familyAuthority
}

func isTokenEndpoint(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(strings.ToLower(r.URL.Path), "/oauth2/v2.0/token")
}

// ServeHTTP records the request, applies faults and dispatches.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_lab/") {
		s.serveLab(w, r)
		return
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	fam := familyOf(r.URL.Path)
	r.Body = http.MaxBytesReader(rec, r.Body, 1<<20)
	var grantType, clientID string
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err == nil {
			grantType, clientID = r.PostForm.Get("grant_type"), r.PostForm.Get("client_id")
		}
	}
	seq := s.stats.begin(s.now(), r, fam, grantType, clientID)
	defer func() {
		s.stats.finish(seq, rec.status)
		s.logf("hybridlab: %s %s -> %d%s", r.Method, r.URL.Path, rec.status, grantSuffix(grantType))
	}()

	if fam == familyGraph {
		rid := newGUID()
		rec.Header().Set("request-id", rid)
		crid := r.Header.Get("client-request-id")
		if crid == "" {
			crid = rid
		}
		rec.Header().Set("client-request-id", crid)
	}

	if s.Settings().HostileText {
		r = r.WithContext(context.WithValue(r.Context(), hostileKey{}, true))
	}
	delay, f, ok := s.faults.takeGeneric(r, isTokenEndpoint(r))
	if delay > 0 {
		s.sleepCtx(r.Context(), delay)
	}
	if ok {
		s.serveFault(rec, r, f, fam)
		return
	}
	if fam == familyGraph {
		s.serveGraph(rec, r)
		return
	}
	s.serveAuthority(rec, r)
}

func grantSuffix(g string) string {
	if g == "" {
		return ""
	}
	return " (grant_type=" + g + ")"
}

// statusRecorder remembers the status for the stats; Unwrap lets
// http.ResponseController reach Flush and Hijack underneath.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// baseURL is the scheme and host the client used, so links and issuers
// match whether it dialled 127.0.0.1, localhost or [::1].
func (s *Server) baseURL(r *http.Request) string {
	if r.Host == "" {
		return s.url
	}
	return "https://" + r.Host
}

// sleepCtx waits d unless the request or the lab ends first.
func (s *Server) sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-s.closing:
	}
}

type logfWriter func(format string, args ...any)

func (l logfWriter) Write(p []byte) (int, error) {
	l("hybridlab: %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

var _ io.Writer = logfWriter(nil)

func encodeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
