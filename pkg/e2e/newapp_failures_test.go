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

const (
	failTarget = "exch09.contoso.local"
	failName   = "Exchange Hybrid Agent - " + failTarget
)

// appsNamed returns the lab's applications with the given display name.
func appsNamed(w *world, name string) []labtenant.Application {
	var out []labtenant.Application
	for _, a := range w.lab.Snapshot().Applications {
		if a.DisplayName == name {
			out = append(out, a)
		}
	}
	return out
}

func serverError(method, path string) labtenant.Fault {
	return labtenant.Fault{Kind: labtenant.FaultStatus, Status: http.StatusInternalServerError, Method: method, Path: path, Count: 1}
}

func skip(f labtenant.Fault, n int) labtenant.Fault {
	f.Skip = n
	return f
}

// refused is a one-off 400: unlike a 500 (retried on idempotent calls,
// R9) it fails the step at once.
func refused(method, path string) labtenant.Fault {
	return labtenant.Fault{Kind: labtenant.FaultStatus, Status: http.StatusBadRequest, Method: method, Path: path, Count: 1}
}

// new-hybridapplication makes five writes and reads in a row. Failing each
// in turn: exit 1, one stderr line that names what exists by then and the
// exact command that removes it; a re-run without the fault finishes the job
// with the same application, never a second one.
func TestNewHybridApplicationFailsAtEachStep(t *testing.T) {
	steps := []struct {
		name    string
		faults  []labtenant.Fault
		created bool // whether the application exists when the step fails
	}{
		{"create (instantiate POST)", []labtenant.Fault{serverError(http.MethodPost, "/v1.0/applicationTemplates/")}, false},
		// The writes on /applications/{id} come in order: the mark (tags),
		// the web URIs, the publishing; Skip picks one.
		{"mark (first PATCH)", []labtenant.Fault{refused(http.MethodPatch, "/beta/applications/")}, true},
		{"set web URIs (second PATCH)", []labtenant.Fault{skip(refused(http.MethodPatch, "/beta/applications/"), 1)}, true},
		{"set onPremisesPublishing (third PATCH)", []labtenant.Fault{skip(refused(http.MethodPatch, "/beta/applications/"), 2)}, true},
		{"assign connector group (PUT $ref)", []labtenant.Fault{refused(http.MethodPut, "/beta/applications/")}, true},
		// Before the create, the check for an existing hybrid application
		// reads the two published apps by object id.
		{"read back (GET)", []labtenant.Fault{skip(refused(http.MethodGet, "/beta/applications/"), 2)}, true},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			// Each step has its own lab and home; most of a run is the
			// paced replication wait, so the steps overlap it.
			t.Parallel()
			w := signedIn(t)
			// Under load the harness's 3 s budget can run out in the
			// replication waits before the faulted step is reached; the
			// faults here are one-off, so a larger budget costs nothing.
			w.env["HYBRIDMGMT_RETRY_BUDGET"] = "10s"
			require.NoError(t, w.lab.SetFaults(s.faults))
			r := w.run("", nil, "new-hybridapplication", "--target-uri", failTarget, "-o", "json")
			assert.Equal(t, 1, r.code, r.stderr)
			assert.Empty(t, r.stdout, "nothing is presented as a result")
			line := errorLine(t, r.stderr)
			for _, f := range w.lab.Faults() {
				assert.Positive(t, f.Fired, "fault %+v never fired", f)
			}
			apps := appsNamed(w, failName)
			if !s.created {
				assert.Empty(t, apps, "nothing was created")
				assert.NotContains(t, line, "remove-hybridapplication", "no cleanup when nothing exists")
			} else {
				require.Len(t, apps, 1)
				assert.Contains(t, line, `"`+failName+`"`, "names the application")
				assert.Contains(t, line, apps[0].AppID)
				assert.Contains(t, line, "hybridmgmt remove-hybridapplication --app-id "+apps[0].AppID+" --delete-application")
			}

			w.lab.ClearFaults()
			r = w.run("", nil, "new-hybridapplication", "--target-uri", failTarget, "-o", "json")
			require.Equal(t, 0, r.code, r.stderr)
			var out []map[string]any
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
			require.Len(t, out, 1)
			assert.Equal(t, "https://"+failTarget+"/", out[0]["internalUrl"])

			apps = appsNamed(w, failName)
			require.Len(t, apps, 1, "exactly one application after the re-run")
			a := apps[0]
			assert.Equal(t, out[0]["appId"], a.AppID)
			ext := "https://" + a.AppID + ".resource.mailboxmigration.his.msappproxy.net:443/"
			assert.Equal(t, ext, a.OnPremisesPublishing["externalUrl"])
			assert.Equal(t, "passthru", a.OnPremisesPublishing["externalAuthenticationType"])
			assert.Empty(t, a.IdentifierURIs, "R4: the route never goes into identifierUris")
			assert.Equal(t, []any{ext}, a.Web["redirectUris"], "the web URIs are set")
			assert.Equal(t, labtenant.ExchangeGroupID, a.ConnectorGroupID, "the connector group is assigned")
		})
	}
}

// The cleanup command the failure prints works as printed.
func TestNewHybridApplicationCleanupCommandWorks(t *testing.T) {
	w := signedIn(t)
	require.NoError(t, w.lab.SetFaults([]labtenant.Fault{refused(http.MethodPut, "/beta/applications/")}))
	r := w.run("", nil, "new-hybridapplication", "--target-uri", failTarget)
	require.Equal(t, 1, r.code, r.stderr)
	_, cmdline, ok := strings.Cut(strings.TrimSpace(r.stderr), "clean up with: ")
	require.True(t, ok, r.stderr)
	args := strings.Fields(cmdline)
	require.Equal(t, "hybridmgmt", args[0])
	w.lab.ClearFaults()
	r = w.run("", nil, args[1:]...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, appsNamed(w, failName), "the half-created application is gone")
}

// A re-run that resumes with the application of an earlier run and fails
// again must still name that application and its cleanup command.
func TestNewHybridApplicationResumedRunFailureNamesTheApp(t *testing.T) {
	w := signedIn(t)
	require.NoError(t, w.lab.SetFaults([]labtenant.Fault{refused(http.MethodPatch, "/beta/applications/")}))
	require.Equal(t, 1, w.run("", nil, "new-hybridapplication", "--target-uri", failTarget).code)
	apps := appsNamed(w, failName)
	require.Len(t, apps, 1)

	require.NoError(t, w.lab.SetFaults([]labtenant.Fault{refused(http.MethodPatch, "/beta/applications/")}))
	r := w.run("", nil, "new-hybridapplication", "--target-uri", failTarget)
	assert.Equal(t, 1, r.code, r.stderr)
	line := errorLine(t, r.stderr)
	assert.Len(t, appsNamed(w, failName), 1, "the re-run reused the application")
	assert.Contains(t, line, "hybridmgmt remove-hybridapplication --app-id "+apps[0].AppID+" --delete-application")
}
