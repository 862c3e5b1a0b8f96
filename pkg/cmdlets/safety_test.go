package cmdlets

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/httpstub"
)

// Issue 9: writes act only on hybrid applications, name what changes,
// confirm deletes, and warn about the GUID Exchange Online depends on.

const (
	payrollID  = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c41"
	intranetID = "2b4d6f80-1a3c-4e5f-9b7d-8c6e4a2f0d31"
	intranetPb = `{"externalUrl":"https://intranet-contoso.msappproxy.net/","internalUrl":"https://intranet.contoso.local/"}`
)

func onlyReads(t *testing.T, e *testEnv) {
	t.Helper()
	for _, req := range e.reg.Requests {
		assert.True(t, strings.HasPrefix(req, "GET "), "nothing may be written: %s", req)
	}
}

func TestWritesRefuseApplicationsThatAreNotHybrid(t *testing.T) {
	cases := []struct {
		name  string
		stub  func(e *testEnv)
		args  []string
		wants []string
	}{
		{"remove --delete-application on an unpublished unrelated app", func(e *testEnv) {
			e.stubApp("obj-p", payrollID, "Contoso Payroll", "")
			e.stubWeb("obj-p", payrollID, `[]`)
		}, []string{"remove-hybridapplication", "--app-id", payrollID, "--delete-application", "--yes"},
			[]string{`refusing to delete "Contoso Payroll" (appId ` + payrollID + `)`, "not published through App Proxy"}},
		{"remove on a published non-hybrid app", func(e *testEnv) {
			e.stubApp("obj-i", intranetID, "Contoso Intranet", intranetPb)
			e.stubWeb("obj-i", intranetID, `[]`)
		}, []string{"remove-hybridapplication", "--app-id", intranetID, "--yes"},
			[]string{`refusing to unpublish "Contoso Intranet"`, "https://intranet-contoso.msappproxy.net/, which is not a hybrid route"}},
		{"update of a published non-hybrid app", func(e *testEnv) {
			e.stubApp("obj-i", intranetID, "Contoso Intranet", intranetPb)
			e.stubWeb("obj-i", intranetID, `[]`)
		}, []string{"update-hybridapplication", "--app-id", intranetID, "--target-uri", "mail.contoso.com"},
			[]string{`refusing to retarget "Contoso Intranet"`}},
		{"new --app-id on an unrelated app", func(e *testEnv) {
			e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
			e.stubApp("obj-p", payrollID, "Contoso Payroll", "")
			e.stubWeb("obj-p", payrollID, `["SomeOtherTag"]`)
		}, []string{"new-hybridapplication", "--app-id", payrollID, "--target-uri", "exch01.contoso.local"},
			[]string{`refusing to publish "Contoso Payroll" (appId ` + payrollID + `)`, "--force"}},
		{"a route that names another app's GUID", func(e *testEnv) {
			e.stubApp("obj-p", payrollID, "Contoso Payroll", `{"externalUrl":"`+hybridExt+`","internalUrl":"https://x.contoso.local/"}`)
			e.stubWeb("obj-p", payrollID, `[]`)
		}, []string{"remove-hybridapplication", "--app-id", payrollID, "--yes"},
			[]string{"the route of another application (" + hybridGUID + ")"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newTestEnv(t)
			c.stub(e)
			r := e.run(c.args...)
			assert.Equal(t, 4, r.code, r.stderr)
			assert.True(t, contains(r.stderr, append(c.wants, "Nothing was written")...), r.stderr)
			onlyReads(t, e)
			assert.Empty(t, r.stdout)
		})
	}
}

func TestForceOverridesTheSafetyCheckAndSaysSo(t *testing.T) {
	e := newTestEnv(t)
	e.stubApp("obj-i", intranetID, "Contoso Intranet", intranetPb)
	e.stubWeb("obj-i", intranetID, `["Keep"]`)
	e.reg.Register("mark", httpstub.REST("PATCH", "/beta/applications/obj-i"), httpstub.Status(204))
	e.reg.Register("unpublish", httpstub.REST("PATCH", "/beta/applications/obj-i"), httpstub.Status(204))
	e.stubPublishing("obj-i", intranetID, "Contoso Intranet", "")
	r := e.run("remove-hybridapplication", "--app-id", intranetID, "--yes", "--force")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, `warning: --force: the safety check was overridden: "Contoso Intranet" (appId `+intranetID+`) is not a hybrid application`)
	assert.JSONEq(t, `{"tags":["Keep","`+appproxy.HybridMark+`"]}`, e.reg.Bodies[3], "the mark keeps the other tags")
	assert.Contains(t, r.stdout, `unpublished "Contoso Intranet"`)
}

func TestRemoveWithoutTerminalNeedsYes(t *testing.T) {
	e := newTestEnv(t)
	r := e.run("remove-hybridapplication", "--app-id", hybridGUID)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "pass --yes")
	assert.Zero(t, e.reg.Count(), "no request")
	assert.Zero(t, e.clients, "no Graph client")

	// A dry run writes nothing, so it needs no --yes; with or without
	// --delete-application, and even with --yes (nothing to confirm), it
	// only reads (a dry run that wrote would hit a PATCH or DELETE the
	// registry does not know: onlyReads and Verify).
	for _, extra := range [][]string{nil, {"--delete-application"}, {"--yes"}, {"--delete-application", "--yes"}} {
		e = newTestEnv(t)
		e.stubHybrid("https://exch01.contoso.local/")
		r = e.run(append([]string{"remove-hybridapplication", "--app-id", hybridGUID, "--dry-run"}, extra...)...)
		require.Equal(t, 0, r.code, "%v: %s", extra, r.stderr)
		assert.Contains(t, r.stdout, "dry run: nothing was changed")
		onlyReads(t, e)
	}
}

func TestRemovePromptsOnATerminal(t *testing.T) {
	for answer, proceeds := range map[string]bool{"y\n": true, "YES\n": true, "n\n": false, "\n": false, "yep\n": false, "": false} {
		t.Run(strings.TrimSpace(answer), func(t *testing.T) {
			e := newTestEnv(t)
			e.tty = true
			e.stdin = answer
			e.stubHybrid("https://exch01.contoso.local/")
			if proceeds {
				e.reg.Register("unpublish", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
				e.reg.Register("delete", httpstub.REST("DELETE", "/beta/applications/obj-1"), httpstub.Status(204))
			}
			r := e.run("remove-hybridapplication", "--app-id", hybridGUID, "--delete-application")
			assert.True(t, contains(r.stderr, `Delete "Hybrid Agent Exchange" (appId `+hybridGUID+`)? [y/N]`,
				"externalUrl: "+hybridExt+" → (none)", "internalUrl: https://exch01.contoso.local/ → (none)"), "the prompt names app, route and target: %s", r.stderr)
			if proceeds {
				require.Equal(t, 0, r.code, r.stderr)
				assert.Contains(t, r.stdout, "unpublished and deleted")
			} else {
				assert.Equal(t, 1, r.code)
				assert.Contains(t, r.stderr, "cancelled: nothing was changed")
				onlyReads(t, e)
			}
		})
	}
}

func TestDryRunsNameTheApplicationInOneShape(t *testing.T) {
	type plan struct {
		Operation   string         `json:"operation"`
		AppID       string         `json:"appId"`
		DisplayName string         `json:"displayName"`
		Before      map[string]any `json:"before"`
		After       map[string]any `json:"after"`
	}
	decode := func(t *testing.T, s string) plan {
		var ps []plan
		require.NoError(t, json.Unmarshal([]byte(s), &ps), s)
		require.Len(t, ps, 1)
		return ps[0]
	}
	e := newTestEnv(t)
	e.stubHybrid("https://exch01.contoso.local/")
	r := e.run("update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "mail-lb.contoso.com", "--dry-run", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	p := decode(t, r.stdout)
	assert.Equal(t, plan{"update", hybridGUID, "Hybrid Agent Exchange",
		map[string]any{"internalUrl": "https://exch01.contoso.local/"}, map[string]any{"internalUrl": "https://mail-lb.contoso.com/"}}, p)

	e = newTestEnv(t)
	e.stubHybrid("https://exch01.contoso.local/")
	r = e.run("remove-hybridapplication", "--app-id", hybridGUID, "--delete-application", "--dry-run", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	p = decode(t, r.stdout)
	assert.Equal(t, "unpublish and delete", p.Operation)
	assert.Equal(t, "Hybrid Agent Exchange", p.DisplayName)
	assert.Equal(t, hybridExt, p.Before["externalUrl"])
	assert.Nil(t, p.After, "the application goes away")

	e = newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e.reg.Register("find", httpstub.REST("GET", "/beta/applications"), httpstub.JSON(200, `{"value":[]}`))
	e.stubNoHybridApps()
	r = e.run("new-hybridapplication", "--target-uri", "exch01.contoso.local", "--dry-run", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	p = decode(t, r.stdout)
	assert.Equal(t, "create", p.Operation)
	assert.Equal(t, newName, p.DisplayName)
	assert.Equal(t, "https://exch01.contoso.local/", p.After["internalUrl"])
	assert.Equal(t, "Default group for Exchange Online", p.After["connectorGroup"])

	// Tables: one "property: before → after" line per change, never JSON.
	e = newTestEnv(t)
	e.stubHybrid("https://exch01.contoso.local/")
	r = e.run("update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "mail-lb.contoso.com", "--dry-run")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, `update "Hybrid Agent Exchange" (appId `+hybridGUID+`):
  internalUrl: https://exch01.contoso.local/ → https://mail-lb.contoso.com/
dry run: nothing was changed
`, r.stdout)
}

func TestUpdateShowsTheChangeAndNextSteps(t *testing.T) {
	e := newTestEnv(t)
	e.stubHybrid("https://exch01.contoso.local/")
	e.reg.Register("patch", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
	e.stubPublishing("obj-1", hybridGUID, "Hybrid Agent Exchange", hybridPub("https://mail-lb.contoso.com/"))
	r := e.run("update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "mail-lb.contoso.com")
	require.Equal(t, 0, r.code, r.stderr)
	assert.True(t, contains(r.stderr,
		`updated "Hybrid Agent Exchange" (appId `+hybridGUID+`):`,
		"internalUrl: https://exch01.contoso.local/ → https://mail-lb.contoso.com/",
		"hybridmgmt test-hybridconnectivity --exchange-server mail-lb.contoso.com",
		"Test-MigrationServerAvailability -ExchangeRemoteMove -RemoteServer "+hybridGUID+".resource.mailboxmigration.his.msappproxy.net -Credentials (Get-Credential)",
		"point the application at one Exchange server first"), r.stderr)

	// -o json: stdout is the read-back application, stderr stays quiet.
	e = newTestEnv(t)
	e.stubHybrid("https://exch01.contoso.local/")
	e.reg.Register("patch", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
	e.stubPublishing("obj-1", hybridGUID, "Hybrid Agent Exchange", hybridPub("https://mail-lb.contoso.com/"))
	r = e.run("update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "mail-lb.contoso.com", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stderr)
}

func TestNoOpUpdateWritesNothing(t *testing.T) {
	e := newTestEnv(t)
	e.stubHybrid("https://exch01.contoso.local/")
	r := e.run("update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "exch01.contoso.local")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "nothing to change")
	onlyReads(t, e)
}

func TestSingleLabelTargetWarnsBeforeWriting(t *testing.T) {
	e := newTestEnv(t)
	e.stubHybrid("https://exch01.contoso.local/")
	e.reg.Register("patch", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
	e.stubPublishing("obj-1", hybridGUID, "Hybrid Agent Exchange", hybridPub("https://exch02/"))
	r := e.run("update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "exch02")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, `--target-uri host "exch02" is a single label`)
}

func TestNewWarnsWhenAHybridApplicationExists(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e.reg.Register("find", httpstub.REST("GET", "/beta/applications"), httpstub.JSON(200, `{"value":[]}`))
	e.reg.Register("sps", httpstub.REST("GET", spPath), httpstub.JSON(200, `{"value":[{"id":"s1","appId":"`+hybridGUID+`"}]}`))
	e.stubHybrid("https://exch01.contoso.local/")
	r := e.run("new-hybridapplication", "--target-uri", "exch09.contoso.local", "--dry-run")
	require.Equal(t, 0, r.code, r.stderr)
	assert.True(t, contains(r.stderr, `already has a hybrid application, "Hybrid Agent Exchange" (appId `+hybridGUID+`)`,
		"TargetSharingEpr", "IntraOrganizationConnector", "RemoteServer",
		"hybridmgmt new-hybridapplication --app-id "+hybridGUID+" --target-uri https://exch09.contoso.local/",
		"Get-OrganizationRelationship | fl TargetSharingEpr", "Get-MigrationEndpoint | fl RemoteServer"), r.stderr)
}

func TestHalfDoneWritesAreSaid(t *testing.T) {
	t.Run("update read-back fails", func(t *testing.T) {
		e := newTestEnv(t)
		e.stubHybrid("https://exch01.contoso.local/")
		e.reg.Register("patch", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
		e.reg.Register("read back", httpstub.REST("GET", "/beta/applications/obj-1"), httpstub.GraphError(403, "Authorization_RequestDenied", "no"))
		r := e.run("update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "mail-lb.contoso.com")
		assert.NotEqual(t, 0, r.code)
		assert.Contains(t, r.stderr, "Graph accepted the change to https://mail-lb.contoso.com/, but reading it back failed, so the route's state is unknown")
	})
	t.Run("unpublished but the delete failed", func(t *testing.T) {
		e := newTestEnv(t)
		e.stubHybrid("https://exch01.contoso.local/")
		e.reg.Register("unpublish", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
		e.reg.Register("delete", httpstub.REST("DELETE", "/beta/applications/obj-1"), httpstub.GraphError(403, "Authorization_RequestDenied", "no"))
		r := e.run("remove-hybridapplication", "--app-id", hybridGUID, "--delete-application", "--yes")
		assert.Equal(t, 1, r.code)
		assert.Contains(t, r.stderr, `unpublished "Hybrid Agent Exchange" (appId `+hybridGUID+`), but deleting it failed`)
		assert.Contains(t, r.stderr, "The application still exists, unpublished")
	})
	t.Run("a delete whose answer was lost", func(t *testing.T) {
		e := newTestEnv(t)
		e.stubHybrid("https://exch01.contoso.local/")
		e.reg.Register("unpublish", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
		e.reg.Register("lost", httpstub.REST("DELETE", "/beta/applications/obj-1"), httpstub.GraphError(504, "GatewayTimeout", "lost"))
		e.reg.Register("gone", httpstub.REST("DELETE", "/beta/applications/obj-1"), httpstub.GraphError(404, "Request_ResourceNotFound", "gone"))
		r := e.run("remove-hybridapplication", "--app-id", hybridGUID, "--delete-application", "--yes")
		require.Equal(t, 0, r.code, "an applied DELETE is success: %s", r.stderr)
		assert.Contains(t, r.stdout, "unpublished and deleted")
	})
	t.Run("a create whose answer was lost", func(t *testing.T) {
		e := newTestEnv(t)
		e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
		e.reg.Register("find", httpstub.REST("GET", "/beta/applications"), httpstub.JSON(200, `{"value":[]}`))
		e.stubNoHybridApps()
		e.reg.Register("create", httpstub.REST("POST", instPath), httpstub.GraphError(502, "BadGateway", "lost"))
		r := e.run("new-hybridapplication", "--target-uri", "exch01.contoso.local")
		assert.Equal(t, 1, r.code)
		assert.Contains(t, r.stderr, `Graph may have created "`+newName+`" anyway: re-run the same command, which resumes with it if it exists`)
	})
}

// Unpublish marks the app, so the recommended move (unpublish, then publish
// the same GUID again) needs no --force.
func TestUnpublishedHybridAppCanBePublishedAgain(t *testing.T) {
	e := newTestEnv(t)
	e.reg.Register("groups", httpstub.REST("GET", groupsPath), httpstub.JSON(200, groupsJSON))
	e.stubApp("obj-1", hybridGUID, "Hybrid Agent Exchange", "")
	e.stubWeb("obj-1", hybridGUID, `["`+appproxy.HybridMark+`"]`)
	e.stubNoHybridApps()
	r := e.run("new-hybridapplication", "--app-id", hybridGUID, "--target-uri", "exch02.contoso.local", "--dry-run", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"operation": "publish"`)
	assert.NotContains(t, r.stderr, "--force")
}
