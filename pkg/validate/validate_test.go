package validate

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

func TestGUID(t *testing.T) {
	g, err := GUID("--app-id", "6CA7C832-49A2-4A5D-AEAE-A616F6D4B8E7")
	require.NoError(t, err)
	assert.Equal(t, "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7", g)
	for _, bad := range []string{"", "6ca7c832", "{6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7}", "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7\n", "6ca7c832-49a2-4a5d-aeae-a616f6d4b8ez", strings.Repeat("a", 5000)} {
		_, err := GUID("--app-id", bad)
		assert.Equal(t, exitcode.Usage, exitcode.Of(err), "%q", bad)
	}
}

func TestTargetURI(t *testing.T) {
	good := map[string]string{
		"exch01.contoso.local":          "https://exch01.contoso.local/",
		"https://mail-lb.contoso.com":   "https://mail-lb.contoso.com/",
		"HTTPS://Mail.Contoso.COM/":     "https://mail.contoso.com/",
		"https://mail.contoso.com:443/": "https://mail.contoso.com/",
		"https://mail.contoso.com:8443": "https://mail.contoso.com:8443/",
		"exch01.contoso.local:444":      "https://exch01.contoso.local:444/",
		"https://bücher.example/":       "https://xn--bcher-kva.example/",
		"exch01.contoso.local.":         "https://exch01.contoso.local/",
	}
	for in, want := range good {
		got, err := TargetURI("--target-uri", in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	bad := map[string]string{
		"http://mail.contoso.com":              "must use https",
		"https://user:pw@mail.contoso.com":     "must not contain a user name",
		"https://mail.contoso.com/?x=1":        "query",
		"https://mail.contoso.com/#frag":       "fragment",
		"https://mail.contoso.com/owa":         "path",
		"https://10.0.0.5/":                    "IP address",
		"https://[fe80::1]/":                   "IP address",
		"mail contoso.com":                     "valid",
		"https://mail.contoso.com:0/":          "port",
		"https://mail.contoso.com:70000/":      "port",
		"https://mail.contoso.com:/":           "empty port",
		"exch\x1b[31m.contoso.local":           "control character",
		"https://" + strings.Repeat("a", 3000): "too long",
		"https://-bad.contoso.com/":            "host name",
		"https://0x7f000001":                   "IP address",
		"https://0X7F000001/":                  "IP address",
		"https://0x7f.0x1":                     "IP address",
		"https://2130706433":                   "IP address",
		"https://127.1":                        "IP address",
		"0x7f000001:444":                       "IP address",
		"https://exch.0x":                      "IP address",
		"https://xn--a.contoso.com/":           "host name",
		"":                                     "empty",
		"ftp://mail.contoso.com":               "https",
		"https://mail.contoso.com\u202e/":      "control character",
	}
	for in, msg := range bad {
		_, err := TargetURI("--target-uri", in)
		require.Error(t, err, in)
		assert.Equal(t, exitcode.Usage, exitcode.Of(err), in)
		assert.Contains(t, err.Error(), msg, in)
		assert.NotContains(t, err.Error(), "pw@", "credentials must not be echoed")
	}
}

func TestEndpointRootAndProxy(t *testing.T) {
	r, err := EndpointRoot("--graph-endpoint", "https://127.0.0.1:8443/")
	require.NoError(t, err)
	assert.Equal(t, "https://127.0.0.1:8443", r)
	r, err = EndpointRoot("--authority-host", "https://[::1]:9000")
	require.NoError(t, err)
	assert.Equal(t, "https://[::1]:9000", r)
	_, err = EndpointRoot("--graph-endpoint", "http://127.0.0.1")
	assert.Error(t, err)
	_, err = EndpointRoot("--graph-endpoint", "https://graph.microsoft.com/beta")
	assert.ErrorContains(t, err, "root")

	p, err := ProxyURL("--proxy", "proxy.contoso.com:3128")
	require.NoError(t, err)
	assert.Equal(t, "http://proxy.contoso.com:3128", p)
	p, err = ProxyURL("--proxy", "http://10.1.2.3:8080")
	require.NoError(t, err)
	assert.Equal(t, "http://10.1.2.3:8080", p)
	_, err = ProxyURL("--proxy", "http://bob:hunter2@proxy:8080")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
	_, err = ProxyURL("--proxy", "bob:hunter2@proxy:8080")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
	_, err = ProxyURL("--proxy", "socks5://proxy:1080")
	assert.Error(t, err)
}

func TestUPNAndTenant(t *testing.T) {
	u, d, err := UPN("--user-principal-name", "Admin@Contoso.COM")
	require.NoError(t, err)
	assert.Equal(t, "Admin@contoso.com", u)
	assert.Equal(t, "contoso.com", d)
	for _, bad := range []string{"admin", "@contoso.com", "admin@", "admin@localhost", "ad min@contoso.com", "admin@contoso.com\r\n"} {
		_, _, err := UPN("--user-principal-name", bad)
		assert.Equal(t, exitcode.Usage, exitcode.Of(err), bad)
	}
	tn, err := Tenant("--tenant-id", "72F988BF-86F1-41AF-91AB-2D7CD011DB47")
	require.NoError(t, err)
	assert.Equal(t, "72f988bf-86f1-41af-91ab-2d7cd011db47", tn)
	tn, err = Tenant("--tenant-id", "contoso.onmicrosoft.com")
	require.NoError(t, err)
	assert.Equal(t, "contoso.onmicrosoft.com", tn)
	_, err = Tenant("--tenant-id", "common")
	assert.Error(t, err)
	_, err = Tenant("--tenant-id", "../../x")
	assert.Error(t, err)
}

func TestName(t *testing.T) {
	n, err := Name("--connector-group", "Default group for Exchange Online")
	require.NoError(t, err)
	assert.Equal(t, "Default group for Exchange Online", n)
	for _, bad := range []string{"", " padded", "tab\tname", strings.Repeat("x", 300), "bad\xff"} {
		_, err := Name("--connector-group", bad)
		assert.Equal(t, exitcode.Usage, exitcode.Of(err), "%q", bad)
	}
}

func TestAppID(t *testing.T) {
	const want = "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7"
	for _, in := range []string{
		want,
		"6CA7C832-49A2-4A5D-AEAE-A616F6D4B8E7",
		"{6CA7C832-49A2-4A5D-AEAE-A616F6D4B8E7}",
		"  {6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7}\t",
		" 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7\r\n",
		"6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net",
		"6CA7C832-49A2-4A5D-AEAE-A616F6D4B8E7.Resource.MailboxMigration.his.msappproxy.net.",
		"6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.us",
		"https://6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net/EWS/Exchange.asmx",
		"https://6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net:443/",
		"HTTPS://6CA7C832-49A2-4A5D-AEAE-A616F6D4B8E7.RESOURCE.MAILBOXMIGRATION.HIS.MSAPPPROXY.NET/ews/exchange.asmx ",
	} {
		got, err := AppID("--app-id", in)
		require.NoError(t, err, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
	for _, bad := range []string{
		"", "   ", "6ca7c832", "{6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7", "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7}",
		"{{6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7}}", "6ca7c832-49a2-4a5d-aeae-a616f6d4b8ez",
		"6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.contoso.com",
		"6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net.evil.com",
		"https://mail.contoso.com/EWS/Exchange.asmx",
		"ftp://6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net/",
		"6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7\x00", strings.Repeat("a", 5000),
	} {
		_, err := AppID("--app-id", bad)
		assert.Equal(t, exitcode.Usage, exitcode.Of(err), "%q", bad)
	}
	_, err := AppID("--app-id", "https://admin:Secr3t!@6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net/")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "Secr3t")
}
