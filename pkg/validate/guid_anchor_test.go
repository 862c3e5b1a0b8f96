package validate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// A GUID with anything before or after it is not a GUID: --app-id goes
// into Graph paths such as /applications(appId='<guid>'), so a value that
// only contains a GUID could address another object ("')/owners") or
// smuggle text into the request. Both ends of the pattern are anchored.
func TestGUIDRefusesTextAroundAGUID(t *testing.T) {
	const g = "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7"
	for _, s := range []string{
		g + "junk",
		"junk" + g,
		g + "')/owners",
		g + "0",
		"0" + g,
		g + "-" + g,
	} {
		t.Run(s, func(t *testing.T) {
			got, err := GUID("--app-id", s)
			require.Error(t, err, "accepted as %q", got)
			assert.Equal(t, exitcode.Usage, exitcode.Of(err))
			assert.Contains(t, err.Error(), "is not a GUID")
		})
	}
	// The injection shape is not a tenant either (it is no domain name).
	_, err := Tenant("--tenant-id", g+"')/owners")
	require.Error(t, err)
	assert.Equal(t, exitcode.Usage, exitcode.Of(err))
	// The bare GUID still passes, so the refusals above are about the
	// surrounding text.
	got, err := GUID("--app-id", g)
	require.NoError(t, err)
	assert.Equal(t, g, got)
}
