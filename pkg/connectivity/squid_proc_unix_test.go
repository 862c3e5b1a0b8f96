//go:build unix

package connectivity

import (
	"os/exec"
	"syscall"
)

// setProcessGroup gives squid its own process group, so stopping the
// group also stops the helpers squid starts.
func setProcessGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// signalGroup signals only the group of the squid this test binary
// started, by its id.
func signalGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
