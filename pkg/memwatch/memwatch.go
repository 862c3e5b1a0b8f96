// Package memwatch measures the peak heap of the current process while a
// test runs a hostile scenario, so tests can assert that memory stays
// bounded (docs/security.md promises under 200 MB). Only tests import it.
package memwatch

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// heapObjects is the heap held by objects, live or not yet swept: what
// HeapAlloc reports, read without stopping the world (ReadMemStats does,
// which every millisecond would slow the very test it measures).
const heapObjects = "/memory/classes/heap/objects:bytes"

// Watch samples the heap until Stop.
type Watch struct {
	base uint64
	stop chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	peak uint64
}

// Start collects garbage (so the baseline is what is live), records the
// baseline and samples the heap's objects, garbage not yet collected
// included, every millisecond.
func Start() *Watch {
	runtime.GC()
	w := &Watch{base: heapNow(), stop: make(chan struct{})}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			w.sample()
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func heapNow() uint64 {
	s := []metrics.Sample{{Name: heapObjects}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

func (w *Watch) sample() {
	h := heapNow()
	w.mu.Lock()
	w.peak = max(w.peak, h)
	w.mu.Unlock()
}

// Stop ends sampling and returns the peak heap growth over the baseline,
// in bytes.
func (w *Watch) Stop() uint64 {
	close(w.stop)
	w.wg.Wait()
	w.sample()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.peak < w.base {
		return 0
	}
	return w.peak - w.base
}
