package cloud

import (
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

// Every per-cloud fact in one table: adding a cloud is one entry in
// clouds, and this test shows what it must say.
func TestEveryCloudsFacts(t *testing.T) {
	want := map[string]Cloud{
		"Global": {Name: "Global", GraphRoot: "https://graph.microsoft.com", AuthorityHost: "https://login.microsoftonline.com",
			CustomAppTemplateID: "8adf8e6e-67b2-4cf2-a259-e3dc5476c621", HybridRouteSuffix: "resource.mailboxmigration.his.msappproxy.net",
			ModernHybridSupported: true, Catalogue: CatalogueGlobal, PublicRoots: true},
		"USGov": {Name: "USGov", GraphRoot: "https://graph.microsoft.us", AuthorityHost: "https://login.microsoftonline.us",
			CustomAppTemplateID: "4602d0b4-76bb-404b-bca9-2652e1a39c6d", HybridRouteSuffix: "resource.mailboxmigration.his.msappproxy.us",
			Catalogue: CatalogueUSGov, PublicRoots: true},
		"USGovDoD": {Name: "USGovDoD", GraphRoot: "https://dod-graph.microsoft.us", AuthorityHost: "https://login.microsoftonline.us",
			CustomAppTemplateID: "4602d0b4-76bb-404b-bca9-2652e1a39c6d", HybridRouteSuffix: "resource.mailboxmigration.his.msappproxy.us",
			Catalogue: CatalogueUSGov, PublicRoots: true},
		"China": {Name: "China", GraphRoot: "https://microsoftgraph.chinacloudapi.cn", AuthorityHost: "https://login.partner.microsoftonline.cn",
			CustomAppTemplateID: "5a532e38-1581-4918-9658-008dc27c1d68", HybridRouteSuffix: "resource.mailboxmigration.his.msappproxy.cn",
			Catalogue: CatalogueChina, OwnClientAdvised: true},
	}
	require.Len(t, Names(), len(want))
	for _, name := range Names() {
		c, err := Lookup(name)
		require.NoError(t, err)
		assert.Equal(t, want[name], c, name)
	}
}
