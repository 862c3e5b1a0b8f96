package labtenant

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
)

// deviceCodeLifetime is Entra's: a device code is valid for 15 minutes.
const deviceCodeLifetime = 15 * time.Minute

// deviceCode is a pending device-code sign-in.
type deviceCode struct {
	deviceCode string
	userCode   string
	clientID   string
	scope      string
	expires    time.Time
	polls      int
	userID     string // set once approved
	declined   bool
}

// newUserCode is nine characters from an alphabet without look-alikes,
// like Entra's codes.
func newUserCode() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func (s *Server) deviceCode(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.writeAADFail(w, r, aadErr(9002313))
		return
	}
	clientID := r.PostForm.Get("client_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if clientID == "" {
		s.writeAADFail(w, r, aadErr(900144))
		return
	}
	client := s.st.client(clientID)
	if client == nil {
		s.writeAADFail(w, r, unknownClient(clientID))
		return
	}
	if !client.Public {
		s.writeAADFail(w, r, aadErr(7000218))
		return
	}
	sr, fail := parseScopes(r, r.PostForm.Get("scope"))
	if fail == nil {
		_, fail = delegatedGrant(client, sr)
	}
	if fail != nil {
		s.writeAADFail(w, r, fail)
		return
	}
	dc := &deviceCode{
		deviceCode: "lab-dc." + randomToken(48),
		userCode:   newUserCode(),
		clientID:   client.AppID,
		scope:      sr.raw,
		expires:    s.now().Add(s.settings.deviceCodeLifetime()),
	}
	for k, old := range s.deviceCodes {
		if s.now().After(old.expires) {
			delete(s.deviceCodes, k)
		}
	}
	s.deviceCodes[dc.deviceCode] = dc
	verify := s.baseURL(r) + "/devicelogin"
	var extra string
	if f, ok := s.faults.take(FaultDeviceCode, r); ok {
		if f.Target != "" {
			verify = f.Target
		}
		extra = f.Message
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"user_code":        dc.userCode,
		"device_code":      dc.deviceCode,
		"verification_uri": verify,
		"expires_in":       int(s.settings.deviceCodeLifetime() / time.Second),
		"interval":         1,
		"message":          fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", verify, dc.userCode) + extra + hostileSuffix(r),
	})
}

// ApproveDeviceCode signs upn in on the pending device code userCode, as
// the user would on the verification page.
func (s *Server) ApproveDeviceCode(userCode, upn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.approveLocked(userCode, upn, false)
}

func (s *Server) approveLocked(userCode, upn string, decline bool) error {
	var dc *deviceCode
	for _, d := range s.deviceCodes {
		if strings.EqualFold(d.userCode, strings.TrimSpace(userCode)) && s.now().Before(d.expires) {
			dc = d
		}
	}
	if dc == nil {
		return errors.New("no pending device code has that user code")
	}
	if decline {
		dc.declined = true
		return nil
	}
	if upn == "" {
		upn = s.settings.defaultUser()
	}
	u := s.st.user(upn)
	if u == nil {
		return fmt.Errorf("no user %q in the lab tenant", upn)
	}
	dc.userID = u.ID
	return nil
}

// deviceLogin is the verification page. GET describes it; POST (form or
// JSON: user_code, username, decline) approves or declines a code. There is
// no password step: the lab models a user who already signed in there.
func (s *Server) deviceLogin(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<html><body><h1>hybridlab device login</h1><p>POST user_code and username (form or JSON) to this URL to approve a device code.</p></body></html>`))
		return
	case http.MethodPost:
	default:
		methodNotAllowed(w)
		return
	}
	var in struct {
		UserCode string `json:"user_code"`
		Username string `json:"username"`
		Decline  bool   `json:"decline"`
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
	} else {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		in.UserCode = r.PostForm.Get("user_code")
		if in.UserCode == "" {
			in.UserCode = r.PostForm.Get("otc")
		}
		in.Username = r.PostForm.Get("username")
		in.Decline = r.PostForm.Get("decline") == "true" || r.PostForm.Get("decline") == "1"
	}
	s.mu.Lock()
	err := s.approveLocked(in.UserCode, in.Username, in.Decline)
	s.mu.Unlock()
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	status := "approved"
	if in.Decline {
		status = "declined"
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": status})
}

// redeemDeviceCodeLocked handles one poll of the device_code grant.
func (s *Server) redeemDeviceCodeLocked(r *http.Request, client *ClientApp) (grant, *aadFail) {
	code := r.PostForm.Get("device_code")
	dc, ok := s.deviceCodes[code]
	if !ok || !equalFold(dc.clientID, client.AppID) {
		return grant{}, aadErr(70000, "The provided value for the input parameter 'device_code' is not valid.")
	}
	if s.now().After(dc.expires) {
		delete(s.deviceCodes, code)
		return grant{}, aadErr(70019)
	}
	if dc.declined {
		delete(s.deviceCodes, code)
		return grant{}, aadErr(700020)
	}
	dc.polls++
	if dc.userID == "" {
		n := s.settings.DeviceCodePolls
		if n < 0 || dc.polls <= n {
			return grant{}, aadErr(70016)
		}
		u := s.st.user(s.settings.defaultUser())
		if u == nil {
			return grant{}, aadErr(50034)
		}
		dc.userID = u.ID
	}
	user := s.st.user(dc.userID)
	if user == nil {
		return grant{}, aadErr(50034)
	}
	delete(s.deviceCodes, code)
	scope := r.PostForm.Get("scope")
	if scope == "" {
		scope = dc.scope
	}
	return s.userGrant(r, client, user, scope)
}
