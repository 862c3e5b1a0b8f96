package cmdlets

import (
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/hybridmgmt/hybridmgmt/pkg/connectivity"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/validate"
)

// maxParallel keeps --parallel from exhausting file descriptors on
// machines with a low limit (and the probed hosts from a burst).
const maxParallel = 256

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
}

func (o *ProbeRunOptions) validate() error {
	if o.Timeout <= 0 || o.Timeout > time.Hour {
		return exitcode.Usagef("--timeout %s must be between 0 and 1h (e.g. 10s)", o.Timeout)
	}
	if o.MaxDuration <= 0 || o.MaxDuration > 24*time.Hour {
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
