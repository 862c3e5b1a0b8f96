package auth

import (
	"bytes"
	"compress/gzip"
	"context"
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

func isTokenPath(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") }
func isOpenID(r *http.Request) bool    { return strings.HasSuffix(r.URL.Path, "/openid-configuration") }

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
					e.a.set(func(a *fakeAuthority) {
						a.intercept = func(w http.ResponseWriter, r *http.Request) bool {
							if !isTokenPath(r) {
								return false
							}
							http.Redirect(w, r, target+r.URL.Path, code)
							return true
						}
					})
					_, err := e.token(e.config(mode))
					requireKind(t, err, exitcode.ErrAuth)
					assert.Contains(t, err.Error(), "redirect")
					assert.NotContains(t, err.Error(), testPassword)
					assert.NotContains(t, err.Error(), testClientSecret)
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
		e.a.set(func(a *fakeAuthority) {
			a.intercept = func(w http.ResponseWriter, r *http.Request) bool {
				if !isOpenID(r) {
					return false
				}
				tenant := strings.Split(strings.Trim(r.URL.Path, "/"), "/")[0]
				writeJSON(w, 200, map[string]any{
					"authorization_endpoint":        plainSrv.URL + "/" + tenant + "/oauth2/v2.0/authorize",
					"token_endpoint":                plainSrv.URL + "/" + tenant + "/oauth2/v2.0/token",
					"device_authorization_endpoint": plainSrv.URL + "/" + tenant + "/oauth2/v2.0/devicecode",
					"issuer":                        e.a.srv.URL + "/" + testTenantID + "/v2.0",
				})
				return true
			}
		})
		_, err := e.token(e.config(mode))
		requireKind(t, err, exitcode.ErrAuth)
		assert.Contains(t, err.Error(), "only https")
	}
	assert.Zero(t, plain.hits.Load(), "requests reached http://: %v", plain.seen)
	assert.Zero(t, plain.creds.Load(), "a credential went out over http://")
}

// gzipBomb decompresses to size bytes of spaces: one gzip member of 1 MiB
// (about 1 KiB compressed) repeated, which Go's gzip reader reads as one
// stream, as it reads any multi-member file. Cheap to build, even under
// the race detector.
func gzipBomb(t *testing.T, size int) []byte {
	t.Helper()
	var member bytes.Buffer
	zw, err := gzip.NewWriterLevel(&member, gzip.BestCompression)
	require.NoError(t, err)
	_, err = zw.Write(bytes.Repeat([]byte(" "), 1<<20))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return bytes.Repeat(member.Bytes(), size>>20)
}

func TestSignInAnswersAreBoundedAfterDecompression(t *testing.T) {
	// 512 MiB once decompressed: without a limit after decompression
	// MSAL's io.ReadAll would hold all of it.
	bomb := gzipBomb(t, 512<<20)
	t.Logf("gzip bomb: %d KiB compressed, 512 MiB decompressed", len(bomb)>>10)
	for _, where := range []string{"openid-configuration", "token"} {
		t.Run(where, func(t *testing.T) {
			e := newEnv(t)
			e.a.set(func(a *fakeAuthority) {
				a.intercept = func(w http.ResponseWriter, r *http.Request) bool {
					if (where == "token" && !isTokenPath(r)) || (where != "token" && !isOpenID(r)) {
						return false
					}
					w.Header().Set("Content-Type", "application/json")
					w.Header().Set("Content-Encoding", "gzip")
					_, _ = w.Write(bomb)
					return true
				}
			})
			w := memwatch.Start()
			_, err := e.token(e.config(ModeClientSecret))
			peak := w.Stop()
			t.Logf("peak heap growth with a gzip bomb on %s: %.1f MiB", where, float64(peak)/(1<<20))
			requireKind(t, err, exitcode.ErrAuth)
			assert.Equal(t, exitcode.Auth, exitcode.Of(err))
			assert.Contains(t, err.Error(), "larger than 1024 KiB")
			assert.Less(t, peak, uint64(200<<20), "peak memory must stay under 200 MB")
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
			e.a.set(func(a *fakeAuthority) {
				a.intercept = func(w http.ResponseWriter, r *http.Request) bool {
					if !isTokenPath(r) {
						return false
					}
					_ = r.ParseForm()
					// Reflects the password and a token, then pads.
					desc := "AADSTS50126: you sent " + r.PostForm.Get("password") + " and Bearer " + jwt + " " + strings.Repeat("y", size)
					aadError(w, 400, "invalid_grant", 50126, desc)
					return true
				}
			})
			_, err := e.token(e.config(ModeUsernamePassword))
			requireKind(t, err, exitcode.ErrAuth)
			assert.NotContains(t, err.Error(), testPassword)
			assert.NotContains(t, err.Error(), jwt)
			assert.NotContains(t, err.Error(), "eyJ")
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
			e.a.set(func(a *fakeAuthority) {
				a.intercept = func(w http.ResponseWriter, r *http.Request) bool {
					if !isTokenPath(r) {
						return false
					}
					_ = r.ParseForm()
					writeJSON(w, 200, map[string]any{"token_type": "Bearer", "expires_in": 3600, "access_token": tok, "scope": r.PostForm.Get("scope")})
					return true
				}
			})
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
	e.a.set(func(a *fakeAuthority) {
		a.intercept = func(w http.ResponseWriter, r *http.Request) bool {
			if !isOpenID(r) {
				return false
			}
			tenant := strings.Split(strings.Trim(r.URL.Path, "/"), "/")[0]
			base := e.a.srv.URL + "/" + tenant
			writeJSON(w, 200, map[string]any{
				"authorization_endpoint":        "http://127.0.0.1:1/" + tenant + "/oauth2/v2.0/authorize",
				"token_endpoint":                base + "/oauth2/v2.0/token",
				"device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
				"issuer":                        e.a.srv.URL + "/" + testTenantID + "/v2.0",
			})
			return true
		}
	})
	cfg := e.config(ModeInteractive) // its opener fails the test if called
	_, err := e.token(cfg)
	requireKind(t, err, exitcode.ErrAuth)
	assert.Contains(t, err.Error(), "not https")
}

func TestDeviceCodeRefusesAnHTTPPageAndBoundsTheMessage(t *testing.T) {
	for name, page := range map[string]string{"http page": "http://127.0.0.1:1/devicelogin", "huge message": ""} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.a.set(func(a *fakeAuthority) {
				a.intercept = func(w http.ResponseWriter, r *http.Request) bool {
					if !strings.HasSuffix(r.URL.Path, "/devicecode") {
						return false
					}
					p := page
					if p == "" {
						p = e.a.srv.URL + "/devicelogin"
					}
					writeJSON(w, 200, map[string]any{
						"user_code": "FAKE-CODE", "device_code": "dc-1", "verification_uri": p, "expires_in": 900, "interval": 1,
						"message": "Open " + p + " and enter FAKE-CODE. " + strings.Repeat("m", 900<<10),
					})
					return true
				}
			})
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
			// The huge message: printed bounded, then the poll (no such
			// code at the fake authority) fails; only the prompt matters.
			_, _ = c.Token(ctx)
			assert.Contains(t, e.prompt.String(), "FAKE-CODE")
			assert.Less(t, len(e.prompt.String()), 2048)
		})
	}
}
