package labtenant

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// HostileText puts HostileServerText into the device-code message and every
// Graph error message, and only while it is on.
func TestHostileTextKnob(t *testing.T) {
	srv := newLab(t)
	deviceMessage := func() string {
		_, body := postForm(t, srv, "/"+TenantID+"/oauth2/v2.0/devicecode", url.Values{
			"client_id": {GraphCLIClientID}, "scope": {graphDirScope + " openid profile offline_access"}})
		msg, _ := body["message"].(string)
		return msg
	}
	graphMessage := func() string {
		g := graphCall(t, srv, http.MethodGet, "/beta/applications", "", nil)
		assert.Equal(t, http.StatusUnauthorized, g.status)
		msg, _ := g.body["error"].(map[string]any)["message"].(string)
		return msg
	}

	assert.NotContains(t, deviceMessage(), "lab-hostile")
	assert.NotContains(t, graphMessage(), "lab-hostile")

	srv.SetSettings(Settings{HostileText: true})
	assert.True(t, strings.HasSuffix(deviceMessage(), HostileServerText))
	assert.True(t, strings.HasSuffix(graphMessage(), HostileServerText))
	for _, c := range []string{"\x1b]", "\x07", "\x1b[", "\u009b", "\u202e", "\u2066", "\r\n"} {
		assert.Contains(t, HostileServerText, c)
	}
}
