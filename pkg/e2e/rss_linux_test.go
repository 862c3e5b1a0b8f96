//go:build linux

package e2e

import (
	"os"
	"syscall"
)

// maxRSS is the peak resident memory of a finished child in bytes
// (getrusage's ru_maxrss is in KiB on Linux).
func maxRSS(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0, false
	}
	return ru.Maxrss * 1024, true
}
