package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

// signedIn returns a world whose cache holds the admin's tokens.
func signedIn(t *testing.T) *world {
	w := newWorld(t, labtenant.Settings{})
	r := w.run("", browserEnv(), "connect", "--user-principal-name", "admin@contoso.com")
	require.Equal(t, 0, r.code, r.stderr)
	w.lab.ResetStats()
	return w
}

func TestExpandRejectedFallsBackToMembers(t *testing.T) {
	w := signedIn(t)
	w.lab.SetFaults([]labtenant.Fault{{Kind: labtenant.FaultRejectExpand}})
	r := w.run("", nil, "get-hybridagent", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, 3, strings.Count(r.stdout, `"machineName"`))
	assert.Positive(t, w.lab.CountRequests("/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/"+labtenant.ExchangeGroupID+"/members"))
}

func TestThrottlingIsRetriedWithinBudget(t *testing.T) {
	w := signedIn(t)
	w.lab.SetFaults([]labtenant.Fault{{Kind: labtenant.FaultStatus, Status: 429, RetryAfter: "1", Count: 2, Path: "/beta/applications"}})
	r := w.run("", nil, "get-hybridapplication", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, labtenant.HybridAppID)
}

func TestThrottlingStormEndsWithExit6(t *testing.T) {
	w := signedIn(t)
	w.lab.SetFaults([]labtenant.Fault{{Kind: labtenant.FaultStatus, Status: 429, Path: "/beta/applications"}})
	r := w.run("", map[string]string{"HYBRIDMGMT_RETRY_BUDGET": "2s"}, "get-hybridapplication")
	assert.Equal(t, 6, r.code)
	assert.Contains(t, r.stderr, "request-id")
	assert.Empty(t, r.stdout)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one clear stderr line: %q", r.stderr)
}

func TestServerFaultsNeverLookLikeSuccess(t *testing.T) {
	cases := []struct {
		name  string
		fault labtenant.Fault
		want  int
	}{
		{"malformed JSON in the listing", labtenant.Fault{Kind: labtenant.FaultMalformed, Path: "/beta/servicePrincipals"}, 1},
		{"malformed JSON in a per-app read", labtenant.Fault{Kind: labtenant.FaultMalformed, Path: "/beta/applications/"}, 1},
		{"truncated JSON", labtenant.Fault{Kind: labtenant.FaultTruncate, Path: "/beta/applications"}, 1},
		{"dropped connection", labtenant.Fault{Kind: labtenant.FaultDrop, Path: "/beta/applications"}, 6},
		{"500 storm", labtenant.Fault{Kind: labtenant.FaultStatus, Status: 500, Path: "/beta/servicePrincipals"}, 6},
		{"503 storm", labtenant.Fault{Kind: labtenant.FaultStatus, Status: 503, Path: "/beta/applications"}, 6},
		{"504 storm", labtenant.Fault{Kind: labtenant.FaultStatus, Status: 504, Path: "/beta/servicePrincipals"}, 6},
		// A nextLink loop is TestNextLinkLoopIsCaughtByTheLoopGuard: an
		// endless loop here ended at the 10,000-page cap, exit 1 with or
		// without the loop guard.
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // separate labs and homes; mostly retry waits
			w := signedIn(t)
			w.lab.SetFaults([]labtenant.Fault{c.fault})
			r := w.run("", map[string]string{"HYBRIDMGMT_RETRY_BUDGET": "2s"}, "get-hybridapplication", "-o", "json")
			assert.Equal(t, c.want, r.code, r.stderr)
			assert.Empty(t, r.stdout, "no partial output presented as success")
			assert.True(t, strings.HasPrefix(r.stderr, "hybridmgmt: "), r.stderr)
			assert.NotContains(t, r.stderr, "panic")
		})
	}
}

func TestNotFoundAndNotPublishedAreExit4(t *testing.T) {
	w := signedIn(t)
	r := w.run("", nil, "get-hybridapplication", "--app-id", "00000000-1111-2222-3333-444444444444")
	assert.Equal(t, 4, r.code)
	r = w.run("", nil, "get-hybridapplication", "--app-id", labtenant.PayrollAppID)
	assert.Equal(t, 4, r.code)
	assert.Contains(t, r.stderr, "not published")
	r = w.run("", nil, "remove-hybridapplication", "--app-id", labtenant.PayrollAppID, "--yes")
	assert.Equal(t, 4, r.code)
}

func TestUpdateNewRemoveAgainstLab(t *testing.T) {
	w := signedIn(t)
	r := w.run("", nil, "update-hybridapplication", "--app-id", labtenant.HybridAppID, "--target-uri", "mail-lb.contoso.com", "--dry-run", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"operation": "update"`)
	for _, req := range w.lab.Requests() {
		assert.Equal(t, "GET", req.Method, "dry run writes nothing: %+v", req)
	}

	r = w.run("", nil, "update-hybridapplication", "--app-id", labtenant.HybridAppID, "--target-uri", "mail-lb.contoso.com", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var apps []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &apps))
	assert.Equal(t, "https://mail-lb.contoso.com/", apps[0]["internalUrl"])
	assert.Equal(t, labtenant.HybridExternalURL, apps[0]["externalUrl"])

	r = w.run("", nil, "new-hybridapplication", "--target-uri", "exch02.contoso.local", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	apps = nil
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &apps))
	newID := apps[0]["appId"].(string)
	assert.Equal(t, "https://exch02.contoso.local/", apps[0]["internalUrl"])

	// A re-run finds the published app instead of creating a twin.
	r = w.run("", nil, "new-hybridapplication", "--target-uri", "exch02.contoso.local", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, newID)
	assert.Len(t, w.lab.Snapshot().Applications, 5)

	r = w.run("", nil, "remove-hybridapplication", "--app-id", newID, "--delete-application", "--yes", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "[]\n", r.stdout)
	assert.Len(t, w.lab.Snapshot().Applications, 4)
}

func TestHostileInputMakesNoRequest(t *testing.T) {
	w := signedIn(t)
	for _, args := range [][]string{
		{"get-hybridapplication", "--app-id", "6ca7c832"},
		{"update-hybridapplication", "--app-id", labtenant.HybridAppID, "--target-uri", "https://u:p@x.contoso.com"},
		{"new-hybridapplication", "--target-uri", "192.0.2.10"},
		{"get-hybridagent", "--password", "Hunter22"},
		{"get-hybridagent", "--graph-endpoint", "http://127.0.0.1:1"},
	} {
		r := w.run("", nil, args...)
		assert.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
		assert.NotContains(t, r.stderr, "Hunter22")
	}
	assert.Empty(t, w.lab.Requests(), "hostile input must not reach the network")
}
