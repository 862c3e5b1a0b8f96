package labtenant

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

const stateSchema = 1

// State is everything the lab remembers, as saved in <dir>/state.json. It
// holds no secret in the clear: passwords and the client secret are stored
// as SHA-256 hashes, tokens by the hash of their value.
type State struct {
	Schema          int              `json:"schema"`
	Users           []User           `json:"users"`
	Clients         []ClientApp      `json:"clients"`
	ConnectorGroups []ConnectorGroup `json:"connectorGroups"`
	Connectors      []Connector      `json:"connectors"`
	Applications    []Application    `json:"applications"`
	// DeletedApplications are soft-deleted: gone from every read, but a
	// PATCH of one answers Invalid_App, as HCW sees after a delete (R10).
	DeletedApplications []Application           `json:"deletedApplications,omitempty"`
	ServicePrincipals   []ServicePrincipal      `json:"servicePrincipals"`
	Tokens              map[string]*TokenRecord `json:"tokens"`
}

// User is a directory user who can sign in.
type User struct {
	ID           string   `json:"id"`
	UPN          string   `json:"userPrincipalName"`
	DisplayName  string   `json:"displayName"`
	PasswordHash string   `json:"passwordHash"`
	Roles        []string `json:"roles"`
	RequiresMFA  bool     `json:"requiresMfa"`
}

// ClientApp is an application that may ask the authority for tokens.
type ClientApp struct {
	AppID       string `json:"appId"`
	DisplayName string `json:"displayName"`
	Public      bool   `json:"public"`
	// SecretHash is the SHA-256 (hex) of the client secret.
	SecretHash string `json:"secretHash,omitempty"`
	// CertDER are the registered certificates (public part only).
	CertDER [][]byte `json:"certificates,omitempty"`
	// DelegatedConsent lists the Graph delegated permissions an admin
	// consented to for this client; .default grants all of them.
	DelegatedConsent []string `json:"delegatedConsent,omitempty"`
	// AppRoles lists the Graph application permissions granted.
	AppRoles []string `json:"appRoles,omitempty"`
}

// ConnectorGroup is an App Proxy connector group.
type ConnectorGroup struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	ConnectorGroupType string `json:"connectorGroupType"`
	Region             string `json:"region"`
	IsDefault          bool   `json:"isDefault"`
}

// Connector is an App Proxy connector or Hybrid Agent.
type Connector struct {
	ID          string `json:"id"`
	MachineName string `json:"machineName"`
	ExternalIP  string `json:"externalIp"`
	Status      string `json:"status"`
	Version     string `json:"version"`
	GroupID     string `json:"groupId"`
}

// Application is an application object. OnPremisesPublishing holds the
// beta complex value as Graph returns it (nil when not published).
type Application struct {
	ID                    string         `json:"id"`
	AppID                 string         `json:"appId"`
	DisplayName           string         `json:"displayName"`
	Description           *string        `json:"description"`
	ApplicationTemplateID *string        `json:"applicationTemplateId"`
	CreatedDateTime       time.Time      `json:"createdDateTime"`
	IdentifierURIs        []string       `json:"identifierUris"`
	PublisherDomain       string         `json:"publisherDomain"`
	SignInAudience        string         `json:"signInAudience"`
	Tags                  []string       `json:"tags"`
	Notes                 *string        `json:"notes"`
	Web                   map[string]any `json:"web"`
	OnPremisesPublishing  map[string]any `json:"onPremisesPublishing"`
	// ConnectorGroupID is the explicit assignment; empty means the default
	// group once the app is published.
	ConnectorGroupID string `json:"connectorGroupId,omitempty"`
}

// ServicePrincipal is the enterprise-app half of an application.
type ServicePrincipal struct {
	ID                    string   `json:"id"`
	AppID                 string   `json:"appId"`
	DisplayName           string   `json:"displayName"`
	ApplicationTemplateID *string  `json:"applicationTemplateId"`
	ServicePrincipalType  string   `json:"servicePrincipalType"`
	Tags                  []string `json:"tags"`
}

// TokenRecord is what the lab knows about a token it issued.
type TokenRecord struct {
	Kind      string    `json:"kind"` // "access" or "refresh"
	ClientID  string    `json:"clientId"`
	TenantID  string    `json:"tenantId"`
	UserID    string    `json:"userId,omitempty"` // empty for app-only
	UPN       string    `json:"upn,omitempty"`
	AppOnly   bool      `json:"appOnly"`
	Scopes    []string  `json:"scp,omitempty"`
	Roles     []string  `json:"roles,omitempty"`
	ExpiresAt time.Time `json:"expiresAt"`
}

func (st *State) user(upnOrID string) *User {
	for i := range st.Users {
		if equalFold(st.Users[i].UPN, upnOrID) || equalFold(st.Users[i].ID, upnOrID) {
			return &st.Users[i]
		}
	}
	return nil
}

func (st *State) client(appID string) *ClientApp {
	for i := range st.Clients {
		if equalFold(st.Clients[i].AppID, appID) {
			return &st.Clients[i]
		}
	}
	return nil
}

func (st *State) group(id string) *ConnectorGroup {
	for i := range st.ConnectorGroups {
		if equalFold(st.ConnectorGroups[i].ID, id) {
			return &st.ConnectorGroups[i]
		}
	}
	return nil
}

func (st *State) connector(id string) *Connector {
	for i := range st.Connectors {
		if equalFold(st.Connectors[i].ID, id) {
			return &st.Connectors[i]
		}
	}
	return nil
}

func (st *State) defaultGroup() *ConnectorGroup {
	for i := range st.ConnectorGroups {
		if st.ConnectorGroups[i].IsDefault {
			return &st.ConnectorGroups[i]
		}
	}
	return nil
}

// appIndex finds an application by object id (byAppID false) or appId.
func (st *State) appIndex(key string, byAppID bool) int {
	return indexApp(st.Applications, key, byAppID)
}

// indexApp finds an application by object id or, with byAppID, by appId.
func indexApp(apps []Application, key string, byAppID bool) int {
	for i := range apps {
		a := &apps[i]
		if (!byAppID && equalFold(a.ID, key)) || (byAppID && equalFold(a.AppID, key)) {
			return i
		}
	}
	return -1
}

// loadState reads state.json; a missing file is not an error (ok false).
func loadState(path string) (*State, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, false, fmt.Errorf("%s is not valid lab state (delete it to reseed): %w", path, err)
	}
	if st.Schema != stateSchema {
		return nil, false, fmt.Errorf("%s has schema %d, this lab writes %d (delete it to reseed)", path, st.Schema, stateSchema)
	}
	if st.Tokens == nil {
		st.Tokens = map[string]*TokenRecord{}
	}
	return &st, true, nil
}

// saveState writes state.json atomically: a reader (or a crash) sees the
// old file or the new one, never half of one.
func saveState(path string, st *State) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(data, '\n'), 0o600)
}

func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	cleanup := func() { _ = os.Remove(name) }
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		cleanup()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		cleanup()
		return err
	}
	if err := tmp.Close(); err != nil {
		cleanup()
		return err
	}
	if err := os.Chmod(name, perm); err != nil {
		cleanup()
		return err
	}
	if err := os.Rename(name, path); err != nil {
		cleanup()
		return err
	}
	return nil
}

// expiredTokenMemory is how long an expired token is remembered: Graph
// answers "expired" for an expired token, not "invalid", and a token
// pruned the moment it expired (a 1 ms lifetime under load) turned the
// lab's answer into the wrong one.
const expiredTokenMemory = time.Hour

// pruneTokens drops tokens expired for a while, so state.json does not
// grow forever.
func (st *State) pruneTokens(now time.Time) {
	for k, t := range st.Tokens {
		if now.After(t.ExpiresAt.Add(expiredTokenMemory)) {
			delete(st.Tokens, k)
		}
	}
}
