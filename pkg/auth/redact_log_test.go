package auth

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/redact"
)

// TestLogfRedactsEveryCredential passes each kind of credential through the
// client's own log function (what --verbose prints), not just through
// Redact: the password, client secret and PFX password appear as bare
// values, which only the client's secret list can catch (no pattern knows
// them), and the tokens in the shapes MSAL and HTTP dumps carry them.
func TestLogfRedactsEveryCredential(t *testing.T) {
	const (
		password     = "Corr3ct-Horse-Battery"
		clientSecret = "Xq8~cl1ent.S3cret_value-42"
		pfxPassword  = "pfx-Pa55word!"
		bearer       = "opaque-access-token-0123456789"
		jwt          = "eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJjb250b3NvIn0.c2lnbmF0dXJl"
		refresh      = "0.AQcAx-refresh-token-value"
	)
	e := newEnv(t)
	cfg := e.config(ModeClientSecret)
	// Every secret a Config can hold at once: the list must carry each.
	cfg.ClientSecret, cfg.Password, cfg.CertificatePassword = clientSecret, password, pfxPassword
	c, err := New(cfg)
	require.NoError(t, err)

	lines := []string{
		"typed password " + password + " at the prompt",
		"secret from AZURE_CLIENT_SECRET: " + clientSecret,
		"PFX opened with " + pfxPassword,
		"GET /beta/applications Authorization: Bearer " + bearer,
		"id token " + jwt,
		"POST /token grant_type=refresh_token&refresh_token=" + refresh + "&scope=x",
		`{"token_type":"Bearer","refresh_token":"` + refresh + `"}`,
	}
	before := e.log.String() // New's own diagnostics
	for _, l := range lines {
		c.logf("%s", l)
	}
	logged := strings.TrimPrefix(e.log.String(), before)
	for name, s := range map[string]string{"password": password, "client secret": clientSecret, "PFX password": pfxPassword,
		"bearer token": bearer, "JWT": jwt, "refresh token": refresh} {
		assert.NotContains(t, logged, s, "the %s reached the log", name)
	}
	// Each line was logged, with the credential replaced, not dropped.
	assert.Equal(t, len(lines), strings.Count(logged, "\n"), logged)
	for _, keep := range []string{"typed password " + redact.Redacted + " at the prompt", "secret from AZURE_CLIENT_SECRET: " + redact.Redacted,
		"PFX opened with " + redact.Redacted, "Bearer " + redact.Redacted, "id token " + redact.Redacted, "refresh_token=" + redact.Redacted + "&scope=x"} {
		assert.Contains(t, logged, keep)
	}
}
