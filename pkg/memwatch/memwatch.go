// Package memwatch measures the peak heap of the current process while a
// test runs a hostile scenario, so tests can assert that memory stays
// bounded (docs/security.md promises under 200 MB). Only tests import it.
package memwatch

import (
	"runtime"
	"sync"
	"time"
)

// Watch samples the heap until Stop.
type Watch struct {
	base uint64
	stop chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	peak uint64
}

// Start collects garbage (so the baseline is what is live), records the
// baseline and samples HeapAlloc, which counts garbage not yet collected
// too, every millisecond.
func Start() *Watch {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	w := &Watch{base: m.HeapAlloc, stop: make(chan struct{})}
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

func (w *Watch) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	w.mu.Lock()
	w.peak = max(w.peak, m.HeapAlloc)
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
