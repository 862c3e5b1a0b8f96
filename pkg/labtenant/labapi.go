package labtenant

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The /_lab/ control routes let a test that runs the lab in another
// process change knobs and read statistics. They are never faulted, never
// counted, and never reveal a secret.
func (s *Server) serveLab(w http.ResponseWriter, r *http.Request) {
	route := strings.TrimPrefix(r.URL.Path, "/_lab/")
	switch {
	case route == "requests" && r.Method == http.MethodGet:
		reqs := s.Requests()
		writeJSON(w, http.StatusOK, map[string]any{
			"count": len(reqs), "tokenRequests": s.CountTokenRequests(), "requests": reqs,
		})
	case route == "reset-stats" && r.Method == http.MethodPost:
		s.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	case route == "faults":
		s.labFaults(w, r)
	case route == "settings":
		s.labSettings(w, r)
	case route == "users" && r.Method == http.MethodPost:
		var in UserUpdate
		if err := decodeLab(r, &in); err != nil {
			labError(w, err)
			return
		}
		if err := s.UpdateUser(in); err != nil {
			labError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case route == "reset-state" && r.Method == http.MethodPost:
		if err := s.ResetState(); err != nil {
			labError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case route == "info" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Info())
	default:
		http.NotFound(w, r)
	}
}

func labError(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
}

func decodeLab(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("bad JSON: %w", err)
	}
	return nil
}

// labFaults: GET lists the rules (with remaining counts and Fired); POST
// replaces them (or appends with ?append=1) from a JSON array of faults, a
// single fault, or {"faults":[...]}; DELETE clears them.
func (s *Server) labFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"faults": s.Faults()})
	case http.MethodDelete:
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPost:
		faults, err := parseFaultsJSON(r)
		if err != nil {
			labError(w, err)
			return
		}
		if q := r.URL.Query().Get("append"); q == "1" || q == "true" {
			for _, f := range faults {
				if err := s.AddFault(f); err != nil {
					labError(w, err)
					return
				}
			}
		} else if err := s.SetFaults(faults); err != nil {
			labError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"faults": s.Faults()})
	default:
		methodNotAllowed(w)
	}
}

func parseFaultsJSON(r *http.Request) ([]Fault, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	data = bytes.TrimSpace(data)
	strict := func(v any) error {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	}
	switch {
	case len(data) == 0:
		return nil, errors.New("empty body: send a fault, an array of faults or {\"faults\":[...]}")
	case data[0] == '[':
		var list []Fault
		return list, strict(&list)
	case bytes.Contains(data, []byte(`"faults"`)):
		var wrap struct {
			Faults []Fault `json:"faults"`
		}
		return wrap.Faults, strict(&wrap)
	default:
		var one Fault
		if err := strict(&one); err != nil {
			return nil, err
		}
		return []Fault{one}, nil
	}
}

// labSettings: GET shows the settings; POST merges the fields given.
func (s *Server) labSettings(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, s.Settings())
	case http.MethodPost:
		s.mu.Lock()
		cur := s.settings
		s.mu.Unlock()
		if err := decodeLab(r, &cur); err != nil {
			labError(w, err)
			return
		}
		s.SetSettings(cur)
		writeJSON(w, http.StatusOK, s.Settings())
	default:
		methodNotAllowed(w)
	}
}

// SetFaults replaces the fault rules.
func (s *Server) SetFaults(faults []Fault) error { return s.faults.set(faults) }

// AddFault appends one fault rule.
func (s *Server) AddFault(f Fault) error { return s.faults.add(f) }

// ClearFaults removes every fault rule.
func (s *Server) ClearFaults() { _ = s.faults.set(nil) }

// Faults lists the rules, with the remaining Count and how often each fired.
func (s *Server) Faults() []Fault { return s.faults.list() }

// LookupToken reports what the lab knows about a token it issued (access
// or refresh), so a test can check that a client hands out a real token
// for the right principal rather than compare it with a copy.
func (s *Server) LookupToken(tok string) (TokenRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.st.Tokens[tokenKey(tok)]
	if !ok {
		return TokenRecord{}, false
	}
	return *rec, true
}

// Settings returns the current knobs.
func (s *Server) Settings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// SetSettings replaces the knobs.
func (s *Server) SetSettings(v Settings) {
	s.mu.Lock()
	s.settings = v
	s.mu.Unlock()
}

// UserUpdate changes a seeded user's policy; nil fields stay as they are.
type UserUpdate struct {
	UPN         string    `json:"upn"`
	RequiresMFA *bool     `json:"requiresMfa,omitempty"`
	Roles       *[]string `json:"roles,omitempty"`
}

// UpdateUser applies u (e.g. make admin@contoso.com require MFA).
func (s *Server) UpdateUser(u UserUpdate) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	usr := s.st.user(u.UPN)
	if usr == nil {
		return fmt.Errorf("no user %q in the lab tenant", u.UPN)
	}
	if u.RequiresMFA != nil {
		usr.RequiresMFA = *u.RequiresMFA
	}
	if u.Roles != nil {
		usr.Roles = append([]string(nil), (*u.Roles)...)
	}
	s.persistLocked()
	return nil
}

// ResetState puts connector groups, connectors, applications and service
// principals back to the seed. Users, clients, credentials and tokens stay,
// so signed-in clients keep working.
func (s *Server) ResetState() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.ConnectorGroups, s.st.Connectors, s.st.Applications, s.st.ServicePrincipals = seedDirectory(s.now())
	s.persistLocked()
	return nil
}

// Snapshot returns a deep copy of the state, for assertions.
func (s *Server) Snapshot() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, _ := json.Marshal(s.st)
	var out State
	_ = json.Unmarshal(data, &out)
	return out
}

// Info is what GET /_lab/info reports: where things are, never secrets.
type Info struct {
	URL          string   `json:"url"`
	GraphURL     string   `json:"graphUrl"`
	TenantID     string   `json:"tenantId"`
	TenantDomain string   `json:"tenantDomain"`
	PublicClient string   `json:"publicClientId"`
	CIClient     string   `json:"ciClientId"`
	Users        []string `json:"users"`
	Dir          string   `json:"dir"`
	CAFile       string   `json:"caFile"`
	Env          []string `json:"env"`
}

// Info describes the running lab.
func (s *Server) Info() Info {
	s.mu.Lock()
	users := make([]string, 0, len(s.st.Users))
	for _, u := range s.st.Users {
		users = append(users, u.UPN)
	}
	s.mu.Unlock()
	return Info{
		URL: s.url, GraphURL: s.GraphURL(), TenantID: TenantID, TenantDomain: TenantDomain,
		PublicClient: GraphCLIClientID, CIClient: CIClientID, Users: users,
		Dir: s.dir, CAFile: s.CAPath(), Env: s.EnvLines(),
	}
}
