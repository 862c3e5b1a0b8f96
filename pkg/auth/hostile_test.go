package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
	"github.com/hybridmgmt/hybridmgmt/pkg/memwatch"
)

// Hostile authorities on 127.0.0.1: no credential may follow a redirect or
// leave over http, no answer may grow memory without bound, and no server
// text reaches the user unredacted or unbounded.

// credWitness records every request and whether it carried a credential.
type credWitness struct {
	hits  atomic.Int32
	mu    sync.Mutex
	seen  []string
	creds atomic.Int32
}

func (w *credWitness) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w.hits.Add(1)
	_ = r.ParseForm()
	body := r.PostForm.Encode()
	if strings.Contains(body, testPassword) || strings.Contains(body, testClientSecret) {
		w.creds.Add(1)
	}
	w.mu.Lock()
	w.seen = append(w.seen, r.Method+" "+r.URL.Path)
	w.mu.Unlock()
	http.Error(rw, "witness", http.StatusTeapot)
}

// The lab's paths. Discovery hands out the tenant id, as Entra does for
// a verified domain, so every token request goes to tokenPath.
const (
	tokenPath  = "/" + testTenantID + "/oauth2/v2.0/token"
	openIDPath = "/" + testTenantID + "/v2.0/.well-known/openid-configuration"
)

func TestSignInNeverFollowsRedirects(t *testing.T) {
	plain := &credWitness{}
	plainSrv := httptest.NewServer(plain)
	defer plainSrv.Close()
	other := &credWitness{}
	otherSrv := httptest.NewTLSServer(other)
	defer otherSrv.Close()

	for _, target := range []string{plainSrv.URL, otherSrv.URL} {
		for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
			for _, mode := range []Mode{ModeUsernamePassword, ModeClientSecret} {
				t.Run(fmt.Sprintf("%s %d %s", target, code, mode), func(t *testing.T) {
					e := newEnv(t)
					e.fault(labtenant.Fault{Kind: labtenant.FaultRedirect, Path: tokenPath, Status: code, Target: target})
					_, err := e.token(e.config(mode))
					requireKind(t, err, exitcode.ErrAuth)
					assert.Contains(t, err.Error(), "redirect")
					assert.NotContains(t, err.Error(), testPassword)
					assert.NotContains(t, err.Error(), testClientSecret)
					assert.Equal(t, 1, e.lab.Faults()[0].Fired, "the token request met the redirect")
				})
			}
		}
	}
	assert.Zero(t, plain.hits.Load(), "requests reached the http:// target: %v", plain.seen)
	assert.Zero(t, other.hits.Load(), "requests reached the other origin: %v", other.seen)
}

func TestSignInRefusesHTTPEndpointsFromDiscovery(t *testing.T) {
	plain := &credWitness{}
	plainSrv := httptest.NewServer(plain)
	defer plainSrv.Close()
	for _, mode := range []Mode{ModeUsernamePassword, ModeClientSecret} {
		e := newEnv(t)
		e.fault(labtenant.Fault{Kind: labtenant.FaultDiscoveryEndpoints, Target: plainSrv.URL})
		_, err := e.token(e.config(mode))
		requireKind(t, err, exitcode.ErrAuth)
		assert.Contains(t, err.Error(), "only https")
		assert.Positive(t, e.lab.Faults()[0].Fired, "discovery handed out the http endpoints")
	}
	assert.Zero(t, plain.hits.Load(), "requests reached http://: %v", plain.seen)
	assert.Zero(t, plain.creds.Load(), "a credential went out over http://")
}

func TestSignInAnswersAreBoundedAfterDecompression(t *testing.T) {
	// 512 MiB once decompressed: without a limit after decompression
	// MSAL's io.ReadAll would hold all of it.
	for where, path := range map[string]string{"openid-configuration": openIDPath, "token": tokenPath} {
		t.Run(where, func(t *testing.T) {
			e := newEnv(t)
			e.fault(labtenant.Fault{Kind: labtenant.FaultOversize, Path: path, SizeMB: 512, Gzip: true})
			w := memwatch.Start()
			_, err := e.token(e.config(ModeClientSecret))
			peak := w.Stop()
			t.Logf("peak heap growth with a gzip bomb on %s: %.1f MiB", where, float64(peak)/(1<<20))
			requireKind(t, err, exitcode.ErrAuth)
			assert.Equal(t, exitcode.Auth, exitcode.Of(err))
			assert.Contains(t, err.Error(), "larger than 1024 KiB")
			assert.Less(t, peak, uint64(200<<20), "peak memory must stay under 200 MB")
			assert.Equal(t, 1, e.lab.Faults()[0].Fired)
		})
	}
}

func TestSignInErrorTextIsRedactedAndBounded(t *testing.T) {
	// Signed (non-empty third part): a JWT followed by ". " would end
	// the first sentence and hide the padding from the bound.
	jwt := strings.TrimSuffix(jwtNone(map[string]any{"aud": "https://graph.microsoft.com"}), ".") + ".c2lnbmF0dXJl"
	for name, size := range map[string]int{"900 KB": 900 << 10, "5 MB": 5 << 20} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			// Reflects the password and a token, then pads.
			e.fault(labtenant.Fault{Kind: labtenant.FaultTokenError, Path: tokenPath, AADSTS: 50126,
				Message: "you sent " + testPassword + " and Bearer " + jwt + " " + strings.Repeat("y", size)})
			_, err := e.token(e.config(ModeUsernamePassword))
			requireKind(t, err, exitcode.ErrAuth)
			assert.NotContains(t, err.Error(), testPassword)
			assert.NotContains(t, err.Error(), jwt)
			assert.NotContains(t, err.Error(), "eyJ")
			if size < 1<<20 {
				assert.Contains(t, err.Error(), "AADSTS50126: you sent", "the server's text is shown, redacted")
			} else {
				assert.Contains(t, err.Error(), "larger than 1024 KiB", "the answer is refused whole")
			}
			assert.Less(t, len(err.Error()), 1024, "one short line")
			assert.NotContains(t, e.log.String(), testPassword)
			assert.NotContains(t, e.log.String(), jwt)
		})
	}
}

func TestUnusableAccessTokenIsRefusedOnce(t *testing.T) {
	for name, tok := range map[string]string{"CRLF": "abc\r\nX-Injected: 1", "NUL": "abc\x00def", "space": "abc def", "huge": strings.Repeat("a", MaxTokenBytes+1)} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.fault(labtenant.Fault{Kind: labtenant.FaultAccessToken, Value: tok})
			cfg := e.config(ModeClientSecret)
			_, err := e.token(cfg)
			requireKind(t, err, exitcode.ErrAuth)
			assert.Contains(t, err.Error(), "unusable access token")
			raw, _ := os.ReadFile(CachePath(e.dir))
			assert.NotContains(t, string(raw), "abc", "an unusable token is not stored")
		})
	}
}

func TestNonMSALCacheIsTreatedAsEmpty(t *testing.T) {
	for _, content := range []string{`[]`, `null`, `{"AccessToken":5}`, `{"AccessToken":{"k":5}}`, `"text"`, `{"Account":[]}`} {
		t.Run(content, func(t *testing.T) {
			e := newEnv(t)
			require.NoError(t, os.MkdirAll(e.dir, 0o700))
			require.NoError(t, os.WriteFile(CachePath(e.dir), []byte(content), 0o600))

			// The cache alone serves nothing: not signed in, at once.
			_, err := e.token(e.config(ModeCached))
			requireKind(t, err, exitcode.ErrAuth)
			assert.Contains(t, err.Error(), "not signed in")

			// A sign-in works and rewrites the file as an MSAL cache.
			e.mustToken(e.config(ModeUsernamePassword))
			raw, err := os.ReadFile(CachePath(e.dir))
			require.NoError(t, err)
			var sections map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(raw, &sections))
			assert.Contains(t, sections, "AccessToken")
			assert.Contains(t, e.log.String(), "not an MSAL token cache")

			// And it serves the next command.
			cfg := e.config(ModeCached)
			cfg.Username = testUser
			e.mustToken(cfg)
		})
	}
}

func TestCacheSaveFailureKeepsTheToken(t *testing.T) {
	e := newEnv(t)
	c, err := New(e.config(ModeUsernamePassword))
	require.NoError(t, err)
	// Something the cache cannot be saved through (here a directory where
	// the lock file goes, planted after the folder was checked).
	require.NoError(t, os.Mkdir(lockPath(e.dir), 0o700))

	tok, err := c.Token(context.Background())
	require.NoError(t, err, "the command goes on with the token it obtained")
	assert.NotEmpty(t, tok)
	assert.Contains(t, e.prompt.String(), "warning: could not save the token cache "+lockPath(e.dir))

	require.NoError(t, os.Remove(lockPath(e.dir)))
	c2, err := New(e.config(ModeUsernamePassword))
	require.NoError(t, err)
	require.NoError(t, os.Mkdir(lockPath(e.dir), 0o700))
	acct, err := c2.SignIn(context.Background())
	require.Error(t, err, "connect reports that nothing was saved")
	assert.Equal(t, exitcode.Unexpected, exitcode.Of(err))
	assert.Contains(t, err.Error(), "signed in as "+testUser)
	assert.Contains(t, err.Error(), lockPath(e.dir))
	assert.Equal(t, testUser, acct.Username)
}

func TestInteractiveRefusesAnHTTPSignInPage(t *testing.T) {
	e := newEnv(t)
	e.fault(labtenant.Fault{Kind: labtenant.FaultDiscoveryEndpoints, Endpoint: "authorization", Target: "http://127.0.0.1:1"})
	cfg := e.config(ModeInteractive) // its opener fails the test if called
	_, err := e.token(cfg)
	requireKind(t, err, exitcode.ErrAuth)
	assert.Contains(t, err.Error(), "the authority's sign-in page is not https (http://127.0.0.1:1); refusing to open it")
	assert.Positive(t, e.lab.Faults()[0].Fired)
}

func TestDeviceCodeRefusesAnHTTPPageAndBoundsTheMessage(t *testing.T) {
	for name, page := range map[string]string{"http page": "http://127.0.0.1:1/devicelogin", "huge message": ""} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.fault(labtenant.Fault{Kind: labtenant.FaultDeviceCode, Target: page, Message: " " + strings.Repeat("m", 900<<10)})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c, err := New(e.config(ModeDeviceCode))
			require.NoError(t, err)
			if page != "" {
				_, err = c.Token(ctx)
				requireKind(t, err, exitcode.ErrAuth)
				assert.Contains(t, err.Error(), "not https")
				assert.Empty(t, e.prompt.String(), "the user is not sent to an http page")
				return
			}
			// The huge message: printed bounded; the sign-in then goes on
			// (the lab approves the code), only the prompt matters.
			_, _ = c.Token(ctx)
			assert.Regexp(t, `enter the code [A-Z2-9]{9} to authenticate`, e.prompt.String())
			assert.Less(t, len(e.prompt.String()), 2048)
			assert.Equal(t, 1, e.lab.Faults()[0].Fired)
		})
	}
}

// jwtNone is an unsigned JWT with claims.
func jwtNone(claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
	p, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
}
