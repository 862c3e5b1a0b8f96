package connectivity

import (
	"context"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A DNS failure that is neither "not found" nor a timeout keeps the
// resolver's own words, and counts as a server that did not answer.
func TestOtherDNSFailures(t *testing.T) {
	p := testProber(nil)
	p.Resolver = failingResolver{&net.DNSError{Err: "server misbehaving", Name: "a.test", Server: "10.0.0.53:53"}}
	r := byName(t, run(t, p, longTimeout, Endpoint{Category: "c", Name: "a", Host: "a.test", Port: 443, Check: CheckTCP}), "a")
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, CauseDNSNoAnswer, r.Cause)
	assert.Equal(t, "DNS: a.test: DNS lookup failed (server misbehaving)", r.Error)
}

type failingResolver struct{ err error }

func (f failingResolver) LookupIPAddr(context.Context, string) ([]net.IPAddr, error) {
	return nil, f.err
}
