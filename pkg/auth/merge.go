package auth

import (
	"bytes"
	"encoding/json"
	"errors"
)

// mergeCache merges MSAL cache contents three ways. An MSAL cache is a
// JSON object of sections ("AccessToken", "RefreshToken", "IdToken",
// "Account", "AppMetadata"), each an object of entries by cache key.
// base is what this process loaded, ours what it wants to save, theirs
// the file as it is now. Per entry: one we added or changed wins; one we
// left as loaded takes the file's current value (another process may have
// refreshed it) or goes if another process removed it; one we removed
// stays removed; one only the file has (another process's sign-in) is
// kept. Sections that are not objects are taken from ours.
func mergeCache(base, ours, theirs []byte) ([]byte, error) {
	var b, o, t map[string]json.RawMessage
	if err := json.Unmarshal(ours, &o); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(theirs, &t); err != nil {
		return nil, err
	}
	if len(base) > 0 {
		if err := json.Unmarshal(base, &b); err != nil {
			b = nil
		}
	}
	out := make(map[string]json.RawMessage, len(o)+len(t))
	for s, v := range t {
		out[s] = v
	}
	for s, v := range o {
		out[s] = v
	}
	for s := range out {
		oe, oerr := entries(o[s])
		te, terr := entries(t[s])
		be, berr := entries(b[s])
		if oerr != nil || terr != nil || berr != nil {
			if v, ok := o[s]; ok {
				out[s] = v
			}
			continue
		}
		merged := make(map[string]json.RawMessage, len(oe)+len(te))
		for k, v := range te {
			_, inBase := be[k]
			_, inOurs := oe[k]
			if inBase && !inOurs {
				continue // we removed it
			}
			merged[k] = v
		}
		for k, v := range oe {
			if bv, inBase := be[k]; inBase && sameJSON(bv, v) {
				continue // unchanged by us: the file's value (or absence) stands
			}
			merged[k] = v
		}
		if len(merged) == 0 {
			delete(out, s)
			continue
		}
		raw, err := json.Marshal(merged)
		if err != nil {
			return nil, err
		}
		out[s] = raw
	}
	return json.Marshal(out)
}

// entries decodes a section; a missing section is empty.
func entries(raw json.RawMessage) (map[string]json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return m, nil
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, errors.New("not an object")
	}
	return m, nil
}

// sameJSON compares two JSON values independent of key order and spacing.
func sameJSON(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var av, bv any
	if json.Unmarshal(a, &av) != nil || json.Unmarshal(b, &bv) != nil {
		return false
	}
	ac, _ := json.Marshal(av)
	bc, _ := json.Marshal(bv)
	return bytes.Equal(ac, bc)
}
