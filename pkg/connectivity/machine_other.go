//go:build !windows

package connectivity

// SystemMachine returns nil: the machine checks read Windows state and
// are reported Skipped elsewhere.
func SystemMachine() MachineSource { return nil }
