package auth

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMergeCache(t *testing.T) {
	base := `{"AccessToken":{"u-at":{"secret":"u1"},"gone-at":{"secret":"g"}},"RefreshToken":{"u-rt":{"secret":"r1"}}}`
	// We refreshed the user's access token and removed gone-at.
	ours := `{"AccessToken":{"u-at":{"secret":"u2"}},"RefreshToken":{"u-rt":{"secret":"r1"}}}`
	// Meanwhile another process signed an app in, rotated the refresh
	// token and still has gone-at.
	theirs := `{"AccessToken":{"u-at":{"secret":"u1"},"gone-at":{"secret":"g"},"app-at":{"secret":"a1"}},"RefreshToken":{"u-rt":{"secret":"r2"}},"AppMetadata":{"m":{"client_id":"c"}}}`

	out, err := mergeCache([]byte(base), []byte(ours), []byte(theirs))
	require.NoError(t, err)
	var got map[string]map[string]map[string]string
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, map[string]map[string]map[string]string{
		"AccessToken":  {"u-at": {"secret": "u2"}, "app-at": {"secret": "a1"}},
		"RefreshToken": {"u-rt": {"secret": "r2"}},
		"AppMetadata":  {"m": {"client_id": "c"}},
	}, got)
}

func TestMergeCacheFirstWriteAndBadInput(t *testing.T) {
	out, err := mergeCache([]byte(`{}`), []byte(`{"Account":{"a":{"username":"x"}}}`), []byte(`{}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"Account":{"a":{"username":"x"}}}`, string(out))

	_, err = mergeCache(nil, []byte(`{}`), []byte(`not json`))
	assert.Error(t, err, "the caller then writes its own data")

	// A section that is not an object is taken from ours.
	out, err = mergeCache(nil, []byte(`{"AccessToken":{"k":{}},"X":1}`), []byte(`{"X":[2]}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"AccessToken":{"k":{}},"X":1}`, string(out))
}

func TestSameJSON(t *testing.T) {
	assert.True(t, sameJSON(json.RawMessage(`{"a":1,"b":"x"}`), json.RawMessage(`{ "b":"x", "a":1 }`)))
	assert.False(t, sameJSON(json.RawMessage(`{"a":1}`), json.RawMessage(`{"a":2}`)))
}

func TestMergeCacheSectionEdges(t *testing.T) {
	// We removed a section's only entry: the section goes, not an empty {}.
	out, err := mergeCache([]byte(`{"AccessToken":{"k":{"s":1}}}`), []byte(`{}`), []byte(`{"AccessToken":{"k":{"s":1}}}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, string(out))

	// A section only the file has, and not an object, is kept as it is.
	out, err = mergeCache(nil, []byte(`{"AccessToken":{"k":{}}}`), []byte(`{"Odd":5}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"AccessToken":{"k":{}},"Odd":5}`, string(out))

	// A damaged ancestor counts as none: nothing we did not write is
	// taken as removed by us.
	out, err = mergeCache([]byte(`{broken`), []byte(`{"AccessToken":{"a":{}}}`), []byte(`{"AccessToken":{"b":{}}}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"AccessToken":{"a":{},"b":{}}}`, string(out))
	// Ancestor sections that are null are empty.
	out, err = mergeCache([]byte(`{"AccessToken":null}`), []byte(`{"AccessToken":{"a":{}}}`), []byte(`{"AccessToken":{"b":{}}}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"AccessToken":{"a":{},"b":{}}}`, string(out))
}
