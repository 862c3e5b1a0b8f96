//go:build !linux

package e2e

import "os"

// maxRSS is not measured off Linux (ru_maxrss units and availability vary).
func maxRSS(*os.ProcessState) (int64, bool) { return 0, false }
