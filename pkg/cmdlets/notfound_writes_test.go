package cmdlets

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/httpstub"
)

// An application deleted by someone else between our read and our write
// answers the write with a raw 404 (no create of ours is replicating). That
// is "not found", exit 4, on every write path: scripts tell it from a bug
// (exit 1) and from an outage (exit 6).
func TestWriteOnADeletedApplicationIsExit4(t *testing.T) {
	gone := httpstub.GraphError(404, "Request_ResourceNotFound",
		"Resource 'obj-1' does not exist or one of its queried reference-property objects are not present.")
	cases := []struct {
		name string
		stub func(e *testEnv)
		args []string
	}{
		{"update: the PATCH", func(e *testEnv) {
			e.stubHybrid("https://exch01.contoso.local/")
			e.reg.Register("patch", httpstub.REST("PATCH", "/beta/applications/obj-1"), gone)
		}, []string{"update-hybridapplication", "--app-id", hybridGUID, "--target-uri", "mail-lb.contoso.com"}},
		{"remove: the unpublish PATCH", func(e *testEnv) {
			e.stubHybrid("https://exch01.contoso.local/")
			e.stubWeb("obj-1", hybridGUID, `[]`)
			e.reg.Register("mark", httpstub.REST("PATCH", "/beta/applications/obj-1"), gone)
			e.reg.Register("unpublish", httpstub.REST("PATCH", "/beta/applications/obj-1"), gone)
		}, []string{"remove-hybridapplication", "--app-id", hybridGUID, "--yes"}},
		{"remove --delete-application: the DELETE after the unpublish", func(e *testEnv) {
			e.stubHybrid("https://exch01.contoso.local/")
			e.reg.Register("unpublish", httpstub.REST("PATCH", "/beta/applications/obj-1"), httpstub.Status(204))
			e.reg.Register("delete", httpstub.REST("DELETE", "/beta/applications/obj-1"), gone)
		}, []string{"remove-hybridapplication", "--app-id", hybridGUID, "--delete-application", "--yes"}},
		{"remove --delete-application: the DELETE of an unpublished app", func(e *testEnv) {
			e.stubApp("obj-1", hybridGUID, "Hybrid Agent Exchange", "")
			e.stubWeb("obj-1", hybridGUID, `["`+appproxy.HybridMark+`"]`)
			e.reg.Register("delete", httpstub.REST("DELETE", "/beta/applications/obj-1"), gone)
		}, []string{"remove-hybridapplication", "--app-id", hybridGUID, "--delete-application", "--yes"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newTestEnv(t)
			c.stub(e)
			r := e.run(c.args...)
			assert.Equal(t, 4, r.code, r.stderr)
			assert.Contains(t, r.stderr, "Graph returned 404 Request_ResourceNotFound")
			assert.NotContains(t, r.stderr, "still exists", "the application is gone: do not say it exists")
			assert.Empty(t, r.stdout)
		})
	}
}
