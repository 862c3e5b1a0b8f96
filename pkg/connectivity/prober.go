package connectivity

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"runtime"
	"sync"
	"time"
)

// DefaultDirectTimeout bounds the direct-path comparison of a proxied
// entry.
const DefaultDirectTimeout = 3 * time.Second

// Prober runs plans. Every field is a dependency so that tests can run
// the real probing code against loopback servers.
type Prober struct {
	Resolver Resolver
	Dialer   Dialer
	// Roots verifies server chains; nil means the system roots (on Linux
	// they honour SSL_CERT_FILE). Verification is never turned off.
	Roots *x509.CertPool
	Now   func() time.Time
	// Machine reads the Windows configuration; nil reports the machine
	// checks Skipped (other operating systems).
	Machine MachineSource
	// DirectTimeout bounds the direct-path comparison next to a proxied
	// probe; 0 means DefaultDirectTimeout.
	DirectTimeout time.Duration
}

// NewProber wires the real network, the system roots and this OS's
// machine source.
func NewProber() *Prober {
	return &Prober{
		Resolver: net.DefaultResolver,
		Dialer:   &net.Dialer{},
		Now:      time.Now,
		Machine:  SystemMachine(),
	}
}

func (p *Prober) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

// Run probes every entry of the plan under plan.Parallel workers and
// returns one result per entry, per note and per machine check, sorted.
// Cancelling ctx (Ctrl-C) stops it promptly; what finished is reported
// as usual, the rest as Skipped. --max-duration reports the rest Failed.
func (p *Prober) Run(ctx context.Context, plan Plan) []Result {
	runCtx := ctx
	if plan.MaxDuration > 0 {
		var stop context.CancelFunc
		runCtx, stop = context.WithTimeout(ctx, plan.MaxDuration)
		defer stop()
	}
	if plan.Timeout <= 0 {
		plan.Timeout = DefaultTimeout
	}
	workers := min(max(plan.Parallel, 1), len(plan.Endpoints))

	runs := make([]*probeRun, len(plan.Endpoints))
	results := make([]Result, len(plan.Endpoints))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var progressMu sync.Mutex
	done := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				runs[i], results[i] = p.runOne(ctx, runCtx, &plan, plan.Endpoints[i])
				if plan.Progress != nil {
					progressMu.Lock()
					done++
					plan.Progress(done, len(plan.Endpoints))
					progressMu.Unlock()
				}
			}
		}()
	}
	for i := range plan.Endpoints {
		jobs <- i
	}
	close(jobs)

	// Machine checks read the registry and files only: no need to hold
	// them back behind the network probes.
	machine := p.machineChecks(plan.SkipMachine)
	wg.Wait()

	out := append(results, plan.Notes...)
	out = append(out, machine...)
	out = append(out, clockSkew(plan.Endpoints, runs))
	SortResults(out)
	return out
}

// runOne probes one entry under its own --timeout. An entry that the end
// of the run cut short (Ctrl-C, --max-duration) reports that instead of
// the timeout it caused.
func (p *Prober) runOne(userCtx, runCtx context.Context, plan *Plan, e Endpoint) (*probeRun, Result) {
	r := &probeRun{p: p, plan: plan, e: e, o: &outcome{}}
	start := p.now()
	if !ended(runCtx) {
		ctx, cancel := context.WithTimeout(runCtx, plan.Timeout)
		r.probe(ctx)
		cancel()
	}
	notStarted := r.o.status == "" && len(r.o.details) == 0
	if ended(runCtx) && (notStarted || r.o.failed()) {
		r.o = interrupted(userCtx, r.o, plan.MaxDuration)
	}
	return r, r.o.result(e, p.now().Sub(start))
}

// ended also looks at the deadline itself: a connection deadline set to
// the same instant can fire before the context's own timer does.
func ended(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) <= 0
}

func interrupted(userCtx context.Context, prev *outcome, max time.Duration) *outcome {
	o := &outcome{details: prev.details}
	if userCtx.Err() == nil {
		o.fail(CauseRunTimeLimit, fmt.Sprintf("not finished within --max-duration %s", max),
			"Raise --max-duration, or lower --timeout or raise --parallel so the run fits.")
		return o
	}
	o.status = Skipped
	o.errs = []string{InterruptedError}
	return o
}

// InterruptedError is the error of a check that Ctrl-C cut short.
const InterruptedError = "interrupted before this check finished"

// systemSkipReason is why machine checks do not run on this OS.
func systemSkipReason() string {
	return "Windows-only check; this machine runs " + runtime.GOOS
}
