package cloud

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

func TestLookup(t *testing.T) {
	c, err := Lookup("")
	require.NoError(t, err)
	assert.Equal(t, "Global", c.Name)
	assert.Equal(t, "https://graph.microsoft.com/beta", c.GraphBeta())

	c, err = Lookup("usgovdod")
	require.NoError(t, err)
	assert.Equal(t, "https://dod-graph.microsoft.us", c.GraphRoot)
	assert.Equal(t, "https://login.microsoftonline.us", c.AuthorityHost)

	c, err = Lookup("AzureChinaCloud")
	require.NoError(t, err)
	assert.Equal(t, "China", c.Name)

	_, err = Lookup("Mars")
	assert.Equal(t, exitcode.Usage, exitcode.Of(err))
	assert.Contains(t, err.Error(), "Global, USGov, USGovDoD")
}

func TestIsMicrosoftLoginHost(t *testing.T) {
	assert.True(t, IsMicrosoftLoginHost("login.microsoftonline.com"))
	assert.True(t, IsMicrosoftLoginHost("LOGIN.MICROSOFTONLINE.US"))
	assert.False(t, IsMicrosoftLoginHost("127.0.0.1:8443"))
	assert.False(t, IsMicrosoftLoginHost("login.microsoftonline.com.evil.example"))
}

// Every accepted value, in any case, resolves; the list is what the
// PowerShell module's -Cloud ValidateSet offers.
func TestAcceptedValuesResolve(t *testing.T) {
	seen := map[string]bool{}
	for _, name := range Accepted() {
		if seen[strings.ToLower(name)] {
			t.Errorf("%s listed twice", name)
		}
		seen[strings.ToLower(name)] = true
		for _, v := range []string{name, strings.ToLower(name), strings.ToUpper(name)} {
			if _, err := Lookup(v); err != nil {
				t.Errorf("Lookup(%q): %v", v, err)
			}
		}
	}
	if len(Accepted()) != len(Names())+len(aliases) {
		t.Errorf("Accepted() = %v", Accepted())
	}
}
