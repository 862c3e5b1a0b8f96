package connectivity

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hybridmgmt/hybridmgmt/pkg/memwatch"
	"github.com/hybridmgmt/hybridmgmt/pkg/netproxy"
)

// endlessServer answers every connection with head (a status line, or a
// status line and the start of a header) followed by filler bytes without
// end, as fast as the client reads, until the client hangs up or the test
// ends. With tlsCert set it speaks TLS first; asProxy reads a CONNECT
// request before answering.
func endlessServer(t *testing.T, head string, cert *tls.Certificate, asProxy bool) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	if cert != nil {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*cert}})
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close(); wg.Wait() })
	filler := bytes.Repeat([]byte("a"), 32<<10)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				// Bounded in time like every load in these tests.
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				br := bufio.NewReader(c)
				if _, err := http.ReadRequest(br); err != nil {
					return
				}
				if _, err := c.Write([]byte(head)); err != nil {
					return
				}
				for {
					select {
					case <-done:
						return
					default:
					}
					if _, err := c.Write(filler); err != nil {
						return
					}
				}
			}()
		}
	}()
	return portOf(t, ln.Addr())
}

func TestEndlessAnswerHeadsFailWithinLimits(t *testing.T) {
	ca := newCA(t, "Test Root CA")
	cert := ca.valid(t, "hostile.test")
	heads := map[string]string{
		"status line": "HTTP/1.1 200 OK",
		"header":      "HTTP/1.1 200 OK\r\nX-Endless: ",
	}
	var es []Endpoint
	for name, head := range heads {
		for i := 0; i < 4; i++ {
			es = append(es,
				Endpoint{Category: "http", Name: fmt.Sprintf("%s %d", name, i), Host: "hostile.test", Port: endlessServer(t, head, nil, false), Check: CheckHTTP},
				Endpoint{Category: "https", Name: fmt.Sprintf("%s %d", name, i), Host: "hostile.test", Port: endlessServer(t, head, &cert, false), Check: CheckHTTPS},
			)
		}
	}
	const timeout = 10 * time.Second
	p := testProber(ca.pool(), "hostile.test")
	w := memwatch.Start()
	start := time.Now()
	rs := p.Run(t.Context(), Plan{Endpoints: es, Timeout: timeout, Parallel: 16, SkipMachine: "not in this test"})
	took := time.Since(start)
	peak := w.Stop()
	t.Logf("%d endless answers: %s, peak heap growth %.1f MiB", len(es), took, float64(peak)/(1<<20))
	checked := 0
	for _, r := range rs {
		if r.Category != "http" && r.Category != "https" {
			continue // machine notes
		}
		checked++
		assert.Equal(t, Failed, r.Status, "%s/%s", r.Category, r.Name)
		assert.Contains(t, r.Error, "larger than 64 KiB", "%s/%s", r.Category, r.Name)
	}
	assert.Equal(t, len(es), checked)
	assert.Less(t, took, timeout, "the limit, not the timeout, ends the probes")
	assert.Less(t, peak, uint64(200<<20), "peak memory must stay under 200 MB")
}

func TestEndlessProxyAnswerFailsWithinLimits(t *testing.T) {
	for name, head := range map[string]string{
		"status line": "HTTP/1.1 200 Connection established",
		"header":      "HTTP/1.1 200 Connection established\r\nX-Endless: ",
	} {
		t.Run(name, func(t *testing.T) {
			proxyPort := endlessServer(t, head, nil, true)
			proxy, err := netproxy.Resolver{Explicit: fmt.Sprintf("http://127.0.0.1:%d", proxyPort)}.Resolve()
			require.NoError(t, err)
			p := testProber(nil, "hostile.test")
			p.DirectTimeout = 100 * time.Millisecond // the direct-path comparison is not under test
			var es []Endpoint
			for i := 0; i < 8; i++ {
				es = append(es,
					Endpoint{Category: "via proxy", Name: fmt.Sprintf("https %d", i), Host: "hostile.test", Port: 443, Check: CheckHTTPS},
					Endpoint{Category: "via proxy", Name: fmt.Sprintf("http %d", i), Host: "hostile.test", Port: 80, Check: CheckHTTP},
				)
			}
			w := memwatch.Start()
			start := time.Now()
			rs := p.Run(t.Context(), Plan{Endpoints: es, Timeout: 10 * time.Second, Parallel: 16, SkipMachine: "x", Proxy: proxy})
			took := time.Since(start)
			peak := w.Stop()
			t.Logf("proxy with an endless %s: %s, peak heap growth %.1f MiB", name, took, float64(peak)/(1<<20))
			for _, r := range rs {
				if r.Category != "via proxy" {
					continue // machine notes
				}
				assert.Equal(t, Failed, r.Status, "%s", r.Name)
				assert.True(t, strings.Contains(r.Error, "larger than 64 KiB"), "%s: %s", r.Name, r.Error)
			}
			assert.Less(t, took, 10*time.Second)
			assert.Less(t, peak, uint64(200<<20), "peak memory must stay under 200 MB")
		})
	}
}
