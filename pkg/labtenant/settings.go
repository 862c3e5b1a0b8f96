package labtenant

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Settings are behaviour knobs that are not faults: they shape ordinary
// answers. Zero values mean the defaults noted on each field.
type Settings struct {
	// TokenLifetime is the access tokens' expires_in (default 1h). MSAL
	// treats a token within 5 minutes of expiry as expired, so anything
	// under 5m makes every AcquireTokenSilent use the refresh token.
	TokenLifetime Duration `json:"tokenLifetime,omitempty"`
	// PageSize is the largest page of /applications (default 2). A smaller
	// $top wins; a larger one is cut to this, as Graph does at its own
	// maximum, so clients must follow @odata.nextLink.
	PageSize int `json:"pageSize,omitempty"`
	// ConnectorPageSize is the same for connector groups, connectors,
	// members and memberOf (default 1, so the two seeded groups page).
	ConnectorPageSize int `json:"connectorPageSize,omitempty"`
	// DeviceCodePolls is how many polls answer authorization_pending before
	// the device code is approved automatically as DefaultUser. 0 approves
	// on the first poll; -1 waits for POST /devicelogin (or
	// Server.ApproveDeviceCode).
	DeviceCodePolls int `json:"deviceCodePolls,omitempty"`
	// DeviceCodeLifetime is how long a device code stays valid, its
	// expires_in (default 15m, Entra's documented lifetime). Clients stop
	// polling when it passes.
	DeviceCodeLifetime Duration `json:"deviceCodeLifetime,omitempty"`
	// DefaultUser signs in when the interactive request has no login_hint
	// and when a device code is approved automatically (default admin).
	DefaultUser string `json:"defaultUser,omitempty"`
	// PublishingOnlyByPath leaves onPremisesPublishing out even of a read
	// of one application by object id with $select naming it, so only the
	// property path /applications/{id}/onPremisesPublishing serves it.
	// Microsoft's tools use both reads (R5); whether the $select one always
	// carries the value is unknown, so clients must cope either way.
	PublishingOnlyByPath bool `json:"publishingOnlyByPath,omitempty"`
	// ReplicationMisses is how many requests addressing a just-created
	// application answer 404 before it is found, as directory replication
	// does for seconds after a create (R8). 0 means the default, 2; a
	// negative value turns it off.
	ReplicationMisses int `json:"replicationMisses,omitempty"`
	// HostileText appends HostileServerText (terminal escapes, bidi
	// controls, a forged line) to the device-code message and to every
	// Graph error message, as a compromised or buggy server could: clients
	// must never let it reach a terminal unescaped.
	HostileText bool `json:"hostileText,omitempty"`
}

// HostileServerText is what HostileText appends: a visible marker
// ("lab-hostile"), then OSC (window title), BEL, CSI (clear screen,
// colour), the C1 CSI character, right-to-left override and isolate
// controls, and a CR/LF followed by a line that pretends to be the
// client's own.
const HostileServerText = " lab-hostile\x1b]0;pwned\x07\x1b[2J\x1b[31mred\u009b1m\u202eesrever\u202c\u2066iso\u2069\r\nhybridmgmt: forged line"

// hostileKey marks a request served while HostileText is on (see
// hostileSuffix).
type hostileKey struct{}

// hostileSuffix is what to append to server text for r: HostileServerText
// when the request arrived with HostileText on, else nothing.
func hostileSuffix(r *http.Request) string {
	if on, _ := r.Context().Value(hostileKey{}).(bool); on {
		return HostileServerText
	}
	return ""
}

func (s Settings) replicationMisses() int {
	switch {
	case s.ReplicationMisses < 0:
		return 0
	case s.ReplicationMisses == 0:
		return 2
	}
	return s.ReplicationMisses
}

func (s Settings) tokenLifetime() time.Duration {
	if s.TokenLifetime <= 0 {
		return time.Hour
	}
	return time.Duration(s.TokenLifetime)
}

func (s Settings) deviceCodeLifetime() time.Duration {
	if s.DeviceCodeLifetime <= 0 {
		return deviceCodeLifetime
	}
	return time.Duration(s.DeviceCodeLifetime)
}

func (s Settings) pageSize() int {
	if s.PageSize <= 0 {
		return 2
	}
	return s.PageSize
}

func (s Settings) connectorPageSize() int {
	if s.ConnectorPageSize <= 0 {
		return 1
	}
	return s.ConnectorPageSize
}

func (s Settings) defaultUser() string {
	if s.DefaultUser == "" {
		return AdminUPN
	}
	return s.DefaultUser
}

// Duration is a time.Duration that reads and writes JSON as a Go duration
// string ("90s", "2m"); a bare number is taken as seconds.
type Duration time.Duration

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := parseDuration(s)
		if err != nil {
			return err
		}
		*d = Duration(v)
		return nil
	}
	var n float64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("duration must be a string such as \"90s\" or a number of seconds")
	}
	*d = Duration(n * float64(time.Second))
	return nil
}

func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Duration(n * float64(time.Second)), nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q (want e.g. 250ms, 90s, 2m)", s)
	}
	return v, nil
}
