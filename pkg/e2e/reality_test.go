package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/labtenant"
)

// The strict lab (graph-reality.md R1–R13) with a fresh tenant's consent:
// exactly the two delegated scopes the CLI requests. Every command works,
// whichever of the two publishing reads the tenant serves (R5).
func TestEveryCommandWorksAgainstTheStrictLab(t *testing.T) {
	for name, settings := range map[string]labtenant.Settings{
		"publishing by $select":       {},
		"publishing only by its path": {PublishingOnlyByPath: true},
		"slow replication (4 misses)": {ReplicationMisses: 4},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // separate labs and homes; mostly paced waits
			w := newWorld(t, settings)
			// Replication retries are paced 1 s apart inside the retry
			// budget; the harness's 3 s budget holds two of them.
			w.env["HYBRIDMGMT_RETRY_BUDGET"] = "10s"
			r := w.run("", browserEnv(), "connect", "--user-principal-name", "admin@contoso.com")
			require.Equal(t, 0, r.code, r.stderr)

			r = w.run("", nil, "get-hybridagent", "-o", "json")
			require.Equal(t, 0, r.code, r.stderr)
			assert.Equal(t, 3, strings.Count(r.stdout, `"machineName"`))

			var apps []map[string]any
			r = w.run("", nil, "get-hybridapplication", "-o", "json")
			require.Equal(t, 0, r.code, r.stderr)
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &apps))
			require.Len(t, apps, 1, "the intranet app is published, but not at a hybrid route")
			assert.Equal(t, labtenant.HybridAppID, apps[0]["appId"])
			assert.Equal(t, labtenant.HybridInternalURL, apps[0]["internalUrl"])

			r = w.run("", nil, "get-hybridapplication", "--app-id", labtenant.HybridAppID, "-o", "json")
			require.Equal(t, 0, r.code, r.stderr)
			r = w.run("", nil, "get-hybridapplication", "--app-id", labtenant.HybridAppObjectID, "-o", "json")
			require.Equal(t, 0, r.code, "the object id works too: %s", r.stderr)

			r = w.run("", nil, "update-hybridapplication", "--app-id", labtenant.HybridAppID, "--target-uri", "mail-lb.contoso.com", "--dry-run", "-o", "json")
			require.Equal(t, 0, r.code, r.stderr)
			r = w.run("", nil, "update-hybridapplication", "--app-id", labtenant.HybridAppID, "--target-uri", "mail-lb.contoso.com", "-o", "json")
			require.Equal(t, 0, r.code, r.stderr)
			assert.Contains(t, r.stdout, `"internalUrl": "https://mail-lb.contoso.com/"`)

			r = w.run("", nil, "new-hybridapplication", "--target-uri", "exch05.contoso.local", "-o", "json")
			require.Equal(t, 0, r.code, r.stderr)
			apps = nil
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &apps))
			newID := apps[0]["appId"].(string)
			assert.Equal(t, "https://"+newID+".resource.mailboxmigration.his.msappproxy.net:443/", apps[0]["externalUrl"])
			// Instantiated on v1.0, which answers application.id (R3).
			assert.Equal(t, 1, w.lab.CountRequests("/v1.0/applicationTemplates/"))
			assert.Zero(t, w.lab.CountRequests("/beta/applicationTemplates/"))

			r = w.run("", nil, "get-hybridapplication", "-o", "json")
			require.Equal(t, 0, r.code, r.stderr)
			assert.Contains(t, r.stdout, newID, "the new app is tagged and listed (R6)")

			r = w.run("", nil, "remove-hybridapplication", "--app-id", newID, "--yes", "-o", "json")
			require.Equal(t, 0, r.code, r.stderr)
			r = w.run("", nil, "remove-hybridapplication", "--app-id", newID, "--delete-application", "--yes", "-o", "json")
			require.Equal(t, 0, r.code, r.stderr)

			for _, req := range w.lab.Requests() {
				if strings.Contains(req.Query, "filter") {
					assert.NotContains(t, req.Query, "onPremisesPublishing", "R5: never in a $filter query: %s", req.Path)
				}
				assert.NotEqual(t, http.StatusForbidden, req.Status, "no 403 with the scopes the CLI asks for: %s %s", req.Method, req.Path)
			}
		})
	}
}

// App-only with Application.ReadWrite.All reads and retargets applications
// (connector APIs stay delegated-only).
func TestAppOnlyReadsAndUpdatesApplications(t *testing.T) {
	w := newWorld(t, labtenant.Settings{})
	env := w.appEnv()
	r := w.run("", env, "get-hybridapplication", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, labtenant.HybridAppID)
	r = w.run("", env, "update-hybridapplication", "--app-id", labtenant.HybridAppID, "--target-uri", "mail-lb.contoso.com", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "https://mail-lb.contoso.com/")
}

// The App Proxy backend's vague errors: an $expand refused with code ""
// falls back to /members; a one-off 500 on a read is retried (R9).
func TestBackendQuirksAreRiddenOut(t *testing.T) {
	w := signedIn(t)
	require.NoError(t, w.lab.SetFaults([]labtenant.Fault{
		{Kind: labtenant.FaultRejectExpandBlank, Count: 1},
		{Kind: labtenant.FaultStatus, Status: 500, Method: http.MethodGet, Path: "/beta/servicePrincipals", Count: 1},
	}))
	r := w.run("", nil, "get-hybridagent", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, 3, strings.Count(r.stdout, `"machineName"`))
	r = w.run("", nil, "get-hybridapplication", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, labtenant.HybridAppID)
	for _, f := range w.lab.Faults() {
		assert.Equal(t, 1, f.Fired, "%+v", f)
	}
}
