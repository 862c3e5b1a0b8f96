package cmdlets

import (
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/connectivity"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/netproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/validate"
)

// maxParallel keeps --parallel from exhausting file descriptors on
// machines with a low limit (and the probed hosts from a burst).
const maxParallel = 256

// The longest --timeout (one probe) and --max-duration (the whole run).
const (
	maxProbeTimeout = time.Hour
	maxRunDuration  = 24 * time.Hour
)

// ProbeRunOptions are the flags both test commands share: how probes run
// and when a run fails.
type ProbeRunOptions struct {
	Timeout     time.Duration
	Parallel    int
	MaxDuration time.Duration
	Strict      bool
}

func (o *ProbeRunOptions) addFlags(fl *pflag.FlagSet) {
	fl.DurationVar(&o.Timeout, "timeout", connectivity.DefaultTimeout, "time limit for all steps of one probe")
	fl.IntVar(&o.Parallel, "parallel", connectivity.DefaultParallel, "probes run at once (1 = one after another)")
	fl.DurationVar(&o.MaxDuration, "max-duration", connectivity.DefaultMaxDuration, "time limit for the whole run")
	fl.BoolVar(&o.Strict, "strict", false, "warnings fail the run too (exit 5)")
	annotateRange(fl, "timeout", 1, int64(maxProbeTimeout/time.Second))
	annotateRange(fl, "parallel", 1, maxParallel)
	annotateRange(fl, "max-duration", 1, int64(maxRunDuration/time.Second))
}

func (o *ProbeRunOptions) validate() error {
	if o.Timeout <= 0 || o.Timeout > maxProbeTimeout {
		return exitcode.Usagef("--timeout %s must be between 0 and 1h (e.g. 10s)", o.Timeout)
	}
	if o.MaxDuration <= 0 || o.MaxDuration > maxRunDuration {
		return exitcode.Usagef("--max-duration %s must be between 0 and 24h (e.g. 5m)", o.MaxDuration)
	}
	if o.Parallel < 1 || o.Parallel > maxParallel {
		return exitcode.Usagef("--parallel %d must be between 1 and %d", o.Parallel, maxParallel)
	}
	return nil
}

// exchangeServers validates --exchange-server values: repeatable, or
// comma-separated as PowerShell's -ExchangeServer a,b and a pasted
// Get-ExchangeServer column give them; duplicates are dropped.
func exchangeServers(values []string) ([]string, error) {
	seen := map[string]bool{}
	var servers []string
	for _, list := range values {
		for _, s := range strings.Split(list, ",") {
			if strings.TrimSpace(s) == "" && strings.Contains(list, ",") {
				continue
			}
			h, err := validate.Host("--exchange-server", s, false)
			if err != nil {
				return nil, err
			}
			if !seen[h] {
				seen[h] = true
				servers = append(servers, h)
			}
		}
	}
	return servers, nil
}

// probeSettings is what both test commands probe with: the cloud, and the
// proxy choice (flag, environment, then WinHTTP), refused before any probe
// when it is invalid.
func (f *Factory) probeSettings() (cloud.Cloud, netproxy.Choice, error) {
	s, err := f.Settings()
	if err != nil {
		return cloud.Cloud{}, netproxy.Choice{}, err
	}
	choice, err := netproxy.Resolver{Explicit: s.Proxy, Getenv: f.Getenv, System: f.System}.Resolve()
	if err != nil {
		return cloud.Cloud{}, netproxy.Choice{}, exitcode.Usagef("--proxy: %v", err)
	}
	return s.Cloud, choice, nil
}
