package connectivity

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// BenchmarkParallelVsSequential probes 100 loopback HTTPS endpoints, 10 of
// which accept and never answer (each costs the full per-entry timeout),
// once with --parallel 1 and once with the default, and reports both wall
// times, their ratio, and the default run against the slowest single
// probe (the goal is <= 1.2).
//
//	go test -run '^$' -bench ParallelVsSequential -benchtime 2x ./pkg/connectivity/
func BenchmarkParallelVsSequential(b *testing.B) {
	const timeout = time.Second
	ca := newCA(b, "Bench Root CA")
	var es []Endpoint
	var names []string
	for i := 0; i < 100; i++ {
		name := fmt.Sprintf("ep%03d.test", i)
		names = append(names, name)
		var port int
		if i%10 == 9 {
			port = silentListener(b)
		} else {
			port = tlsServer(b, ca.valid(b, name), 0, 0, http.HandlerFunc(ok))
		}
		es = append(es, Endpoint{Category: "bench", Name: name, Host: name, Port: port, Check: CheckHTTPS})
	}
	p := testProber(ca.pool(), names...)
	runPlan := func(parallel int) (time.Duration, time.Duration) {
		plan := Plan{Endpoints: es, Timeout: timeout, Parallel: parallel, SkipMachine: "bench"}
		start := time.Now()
		rs := p.Run(context.Background(), plan)
		wall := time.Since(start)
		var slowest time.Duration
		failed := 0
		for _, r := range rs {
			if d := time.Duration(r.DurationMs) * time.Millisecond; d > slowest {
				slowest = d
			}
			if r.Status == Failed {
				failed++
			}
		}
		if failed != 10 {
			b.Fatalf("parallel %d: %d failed, want the 10 silent endpoints", parallel, failed)
		}
		return wall, slowest
	}
	var seq, par, slow time.Duration
	for b.Loop() {
		s, _ := runPlan(1)
		d, sl := runPlan(DefaultParallel)
		seq += s
		par += d
		slow += sl
	}
	n := float64(b.N)
	b.ReportMetric(seq.Seconds()/n, "seq-s")
	b.ReportMetric(par.Seconds()/n, "default-s")
	b.ReportMetric(seq.Seconds()/par.Seconds(), "speedup")
	b.ReportMetric(par.Seconds()/slow.Seconds(), "default/slowest-probe")
}
