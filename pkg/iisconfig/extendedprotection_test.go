package iisconfig

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/unicode"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return data
}

func TestParseFixtures(t *testing.T) {
	cases := []struct {
		file             string
		front, frontFrom string
		frontEnabled     bool
		back             string
		exchange         bool
	}{
		{"ex2019-frontend-allow.config", "Allow", "Default Web Site/EWS", true, "Require", true},
		{"ex2019-frontend-require.config", "Require", "Default Web Site/EWS", true, "Require", true},
		{"ex2019-frontend-excluded.config", "None", "Default Web Site/EWS", false, "Require", true},
		{"ex2016-no-ep.config", "", "", false, "None", true},
		{"ex2016-site-level-allow.config", "Allow", "Default Web Site", true, "Require", true},
		{"not-exchange.config", "Require", "Default Web Site/EWS", true, "", false},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			cfg, err := Parse(fixture(t, c.file))
			require.NoError(t, err)
			assert.Equal(t, c.front, cfg.FrontEnd.TokenChecking)
			assert.Equal(t, c.frontFrom, cfg.FrontEnd.From)
			assert.Equal(t, c.frontEnabled, cfg.FrontEnd.Enabled())
			assert.Equal(t, c.back, cfg.BackEnd.TokenChecking)
			assert.Equal(t, c.exchange, cfg.ExchangeServer)
		})
	}
}

func TestParseVariants(t *testing.T) {
	// Server-level value, case-insensitive names and paths, a UTF-8 BOM.
	doc := "\xEF\xBB\xBF<configuration><System.WebServer><security><authentication><windowsAuthentication>" +
		`<extendedProtection tokenChecking="Allow"/></windowsAuthentication></authentication></security></System.WebServer>` +
		`<location path="/default web site/ews/"><system.webServer><security><authentication><windowsAuthentication>` +
		`<extendedProtection TOKENCHECKING="None"/></windowsAuthentication></authentication></security></system.webServer></location>` +
		`</configuration>`
	cfg, err := Parse([]byte(doc))
	require.NoError(t, err)
	assert.Equal(t, "None", cfg.FrontEnd.TokenChecking, "the directory's own value wins over the server level")
	assert.Equal(t, "Allow", cfg.BackEnd.TokenChecking, "the back end inherits the server level")
	assert.Equal(t, "server level", cfg.BackEnd.From)

	// An extendedProtection element elsewhere (another section) is not
	// the Windows authentication one.
	cfg, err = Parse([]byte(`<configuration><location path="Default Web Site/EWS"><system.webServer><other><extendedProtection tokenChecking="Require"/></other></system.webServer></location></configuration>`))
	require.NoError(t, err)
	assert.Empty(t, cfg.FrontEnd.TokenChecking)

	// UTF-16 copies (saved by an editor) parse too.
	u16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(fixture(t, "ex2019-frontend-allow.config"))
	require.NoError(t, err)
	cfg, err = Parse(u16)
	require.NoError(t, err)
	assert.Equal(t, "Allow", cfg.FrontEnd.TokenChecking)
}

func TestParseMalformed(t *testing.T) {
	for name, data := range map[string][]byte{
		"truncated":  fixture(t, "malformed-truncated.config"),
		"empty":      nil,
		"not xml":    []byte("this is not a config"),
		"other root": []byte("<settings/>"),
		"mismatched": []byte("<configuration><location></configuration>"),
	} {
		_, err := Parse(data)
		assert.ErrorIs(t, err, ErrMalformed, name)
	}
}

func TestParseSizeLimitIsInclusive(t *testing.T) {
	doc := []byte(`<configuration><system.webServer><security><authentication><windowsAuthentication>` +
		`<extendedProtection tokenChecking="Require"/></windowsAuthentication></authentication></security></system.webServer></configuration>`)
	// Padding after the root element is white space XML allows.
	exact := append(append([]byte{}, doc...), make([]byte, MaxFileSize-len(doc))...)
	for i := len(doc); i < len(exact); i++ {
		exact[i] = ' '
	}
	cfg, err := Parse(exact)
	require.NoError(t, err, "a file of exactly MaxFileSize bytes is read")
	assert.Equal(t, "Require", cfg.FrontEnd.TokenChecking)

	_, err = Parse(append(exact, ' '))
	assert.ErrorIs(t, err, ErrMalformed, "one byte more is refused")
}

// A <location> ends where its element ends: a server-level section after
// it is the server's, not the location's.
func TestServerLevelSectionAfterALocation(t *testing.T) {
	section := func(v string) string {
		return `<system.webServer><security><authentication><windowsAuthentication><extendedProtection tokenChecking="` + v +
			`"/></windowsAuthentication></authentication></security></system.webServer>`
	}
	doc := `<configuration><location path="Default Web Site/EWS">` + section("None") + `</location>` + section("Require") + `</configuration>`
	cfg, err := Parse([]byte(doc))
	require.NoError(t, err)
	assert.Equal(t, "None", cfg.FrontEnd.TokenChecking)
	assert.Equal(t, "Default Web Site/EWS", cfg.FrontEnd.From)
	assert.Equal(t, "Require", cfg.BackEnd.TokenChecking, "the back end inherits the section after the location")
	assert.Equal(t, "server level", cfg.BackEnd.From)
}

// An Exchange server is known by its "Exchange Back End" site even when no
// location sets Extended Protection; only a <site> in <sites> is a site.
func TestExchangeServerByItsBackEndSite(t *testing.T) {
	cfg, err := Parse([]byte(`<configuration><system.applicationHost><sites><site name="Default Web Site" id="1"/>` +
		`<site name="Exchange Back End" id="2"/></sites></system.applicationHost></configuration>`))
	require.NoError(t, err)
	assert.True(t, cfg.ExchangeServer)
	assert.Empty(t, cfg.BackEnd.TokenChecking)

	cfg, err = Parse([]byte(`<configuration><system.applicationHost><applicationPools><site name="Exchange Back End"/>` +
		`</applicationPools><sites><site name="Default Web Site" id="1"/></sites></system.applicationHost></configuration>`))
	require.NoError(t, err)
	assert.False(t, cfg.ExchangeServer, "a site element outside <sites> is not a site")
}
