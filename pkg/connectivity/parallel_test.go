package connectivity

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// countingDialer holds every dial until release closes (or the probe's
// own context ends) and records how many were in flight at once.
type countingDialer struct {
	mu       sync.Mutex
	inFlight int
	most     int
	release  chan struct{}
	once     sync.Once
	// settle is how long the dialer waits, once want dials are in flight,
	// for one more to arrive before it releases them all.
	want   int
	settle time.Duration
}

func (d *countingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.inFlight++
	d.most = max(d.most, d.inFlight)
	if d.inFlight >= d.want {
		d.once.Do(func() { time.AfterFunc(d.settle, func() { close(d.release) }) })
	}
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.inFlight--
		d.mu.Unlock()
	}()
	select {
	case <-d.release:
	case <-ctx.Done():
	}
	return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError("held by the test")}
}

// --parallel N probes at most N entries at once, and does reach N: with
// one entry more than N, N dials are in flight together and never N+1.
// (A correct prober can never exceed N, so the assertion cannot fail
// spuriously; the settle time only gives an extra worker the chance to
// show itself.)
func TestParallelIsTheNumberOfEntriesInFlight(t *testing.T) {
	for _, parallel := range []int{1, 2, 3} {
		d := &countingDialer{release: make(chan struct{}), want: parallel, settle: 300 * time.Millisecond}
		names := []string{"a.test", "b.test", "c.test", "d.test"}
		resolver := mapResolver{}
		var es []Endpoint
		for _, n := range names[:parallel+1] {
			resolver[n] = []string{"127.0.0.1"}
			es = append(es, Endpoint{Category: "c", Name: n, Host: n, Port: 443, Check: CheckTCP})
		}
		p := &Prober{Resolver: resolver, Dialer: d, Now: time.Now}
		rs := p.Run(context.Background(), Plan{Endpoints: es, Timeout: longTimeout, Parallel: parallel, SkipMachine: "not in this test"})
		probed := 0
		for _, r := range rs {
			if r.Category == "c" {
				probed++
			}
		}
		assert.Equal(t, parallel+1, probed, "every entry is probed once")
		assert.Equal(t, parallel, d.most, "entries in flight at once with --parallel %d", parallel)
	}
}
