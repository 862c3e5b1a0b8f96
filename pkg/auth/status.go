package auth

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Status is what `connect --status` shows: the cached sign-in, read from
// the connection record and the token cache only. It never prompts and
// never touches the network.
type Status struct {
	Account  string `json:"account"`
	TenantID string `json:"tenantId"`
	Cloud    string `json:"cloud"`
	ClientID string `json:"clientId"`
	// SignIn is how later commands sign in: "user (cached; renewed with the
	// refresh token)", "app-only, certificate <path>", "app-only, client
	// secret (needed again when the token expires)".
	SignIn string `json:"signIn"`
	// TokenExpires is when the cached Graph access token expires (zero if
	// none is cached); Refreshable says whether a refresh token can renew
	// it without a prompt.
	TokenExpires time.Time `json:"tokenExpires"`
	Refreshable  bool      `json:"refreshable"`
	AppOnly      bool      `json:"appOnly"`
}

// cacheDoc is the part of MSAL's cache format that status reads; the
// secret fields are never decoded.
type cacheDoc struct {
	Account map[string]struct {
		HomeAccountID string `json:"home_account_id"`
		Environment   string `json:"environment"`
		Realm         string `json:"realm"`
		Username      string `json:"username"`
	} `json:"Account"`
	AccessToken map[string]struct {
		HomeAccountID string          `json:"home_account_id"`
		Environment   string          `json:"environment"`
		ClientID      string          `json:"client_id"`
		Realm         string          `json:"realm"`
		ExpiresOn     json.RawMessage `json:"expires_on"`
	} `json:"AccessToken"`
	RefreshToken map[string]struct {
		HomeAccountID string `json:"home_account_id"`
		Environment   string `json:"environment"`
	} `json:"RefreshToken"`
}

// CachedStatus reads the sign-in cached in dir. ok is false when there is
// none (connect --status then exits 3).
func CachedStatus(ctx context.Context, dir string) (Status, bool, error) {
	conn, haveConn, err := LoadConnection(dir)
	if err != nil {
		return Status{}, false, err
	}
	// The same trust checks as a sign-in: nothing is read from a folder
	// others can write.
	exists, err := checkCacheDir(dir)
	if err != nil {
		return Status{}, false, err
	}
	if !exists {
		return Status{}, false, nil
	}
	a, err := newAccessor(CachePath(dir))
	if err != nil {
		return Status{}, false, err
	}
	raw, err := a.Read(ctx)
	var doc cacheDoc
	if err == nil && len(raw) > 0 {
		// A damaged cache reads as empty, as for sign-in.
		_ = json.Unmarshal(raw, &doc)
	}
	st := Status{TenantID: conn.TenantID, ClientID: conn.ClientID, Cloud: conn.Cloud, AppOnly: conn.AppOnly}
	_, host, _ := strings.Cut(conn.AuthorityHost, "://")
	home := ""
	if conn.AppOnly {
		st.Account = conn.ClientID
		if conn.CertificatePath != "" {
			st.SignIn = "app-only, certificate " + conn.CertificatePath
		} else {
			st.SignIn = "app-only, client secret (needed again when the token expires)"
		}
	} else {
		for _, acc := range doc.Account {
			if (conn.Username == "" || strings.EqualFold(acc.Username, conn.Username)) && (host == "" || acc.Environment == host) {
				st.Account, home = acc.Username, acc.HomeAccountID
				if st.TenantID == "" {
					st.TenantID = acc.Realm
				}
				break
			}
		}
		if st.Account == "" && conn.Username != "" && haveConn {
			st.Account = conn.Username
		}
		for _, rt := range doc.RefreshToken {
			if home != "" && rt.HomeAccountID == home {
				st.Refreshable = true
			}
		}
		st.SignIn = "user, from the cache"
		if st.Refreshable {
			st.SignIn += " (renewed with the refresh token, no prompt)"
		}
	}
	for _, at := range doc.AccessToken {
		mine := (conn.AppOnly && strings.EqualFold(at.ClientID, conn.ClientID) && at.HomeAccountID == "") ||
			(!conn.AppOnly && home != "" && at.HomeAccountID == home)
		if !mine {
			continue
		}
		if exp := unixTime(at.ExpiresOn); exp.After(st.TokenExpires) {
			st.TokenExpires = exp
		}
	}
	if st.Account == "" {
		return Status{}, false, nil
	}
	return st, true, nil
}

// unixTime reads MSAL's expires_on, a number of seconds as a string.
func unixTime(raw json.RawMessage) time.Time {
	s := strings.Trim(string(raw), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0)
}
