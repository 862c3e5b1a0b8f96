package connectivity

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExtendedProtectionCheck(t *testing.T) {
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join("..", "iisconfig", "testdata", name))
		require.NoError(t, err)
		return data
	}
	cases := []struct {
		file   string
		status Status
		cause  Cause
		detail string
	}{
		{"ex2019-frontend-allow.config", Failed, CauseExtendedProtection, "Default Web Site/EWS: tokenChecking=Allow"},
		{"ex2019-frontend-require.config", Failed, CauseExtendedProtection, "Default Web Site/EWS: tokenChecking=Require"},
		{"ex2016-site-level-allow.config", Failed, CauseExtendedProtection, "inherited from Default Web Site"},
		{"ex2019-frontend-excluded.config", Passed, "", "Exchange Back End/EWS: tokenChecking=Require (normal for the back end)"},
		{"ex2016-no-ep.config", Passed, "", "Default Web Site/EWS: tokenChecking absent (None)"},
		{"malformed-truncated.config", Failed, CauseIISConfig, "read exch01.config"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			r := ExtendedProtectionCheck("Exchange server", "exch01.contoso.local", "exch01.config", read(c.file), nil)
			assert.Equal(t, c.status, r.Status, r.Error)
			assert.Equal(t, c.cause, r.Cause)
			assert.Contains(t, r.Detail, c.detail)
			if c.cause == CauseExtendedProtection {
				assert.Contains(t, r.Remediation, `.\ExchangeExtendedProtectionManagement.ps1 -ExchangeServerNames exch01.contoso.local -ExcludeVirtualDirectories "EWSFrontEnd"`)
				assert.Contains(t, r.Remediation, "restrict inbound EWS on exch01.contoso.local to the Hybrid Agent machines")
			}
		})
	}
	r := ExtendedProtectionCheck("Exchange server", "exch01", `\\exch01\c$\Windows\System32\inetsrv\config\applicationHost.config`, nil, errors.New("access denied"))
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseIISConfig, r.Cause)
	assert.Contains(t, r.Error, "access denied")
}
