// Command hybridmgmt manages the Microsoft Hybrid Agent for Exchange hybrid
// deployments. See README.md and docs/.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hybridmgmt/hybridmgmt/pkg/cmdlets"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
	"github.com/hybridmgmt/hybridmgmt/pkg/redact"
)

// version is set at build time: -ldflags "-X main.version=1.2.3".
var version = "0.1.0-dev"

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt)
	go func() {
		// The first Ctrl-C cancels the work, which then reports what
		// finished; a second one ends the process at once.
		<-sigs
		cancel()
		<-sigs
		os.Exit(exitcode.Interrupted)
	}()
	code := Main(ctx, os.Args[1:], iostreams.System())
	signal.Stop(sigs)
	cancel()
	os.Exit(code)
}

// Main runs hybridmgmt with args on ios and returns the exit code. main
// adds only the process around it (signals, os.Exit), so tests run
// commands in process, as hybridlab's do.
func Main(ctx context.Context, args []string, ios *iostreams.IOStreams) int {
	f := cmdlets.NewFactory(version)
	f.IO = ios
	root := cmdlets.NewRootCmd(f)
	root.SetArgs(args)
	err := execute(ctx, root)
	interrupted := ctx.Err() != nil
	if err != nil && interrupted {
		err = exitcode.Wrap(exitcode.ErrInterrupted, err)
	}
	// A command that already told the user (the health gate's summary
	// lines) keeps stderr in the shape its contract fixes.
	if err != nil && !exitcode.IsReported(err) {
		fmt.Fprintln(ios.ErrOut, "hybridmgmt: "+output.EscapeTerminal(message(err, interrupted)))
	}
	return exitcode.Of(err)
}

// message is the one stderr line. After Ctrl-C it starts with
// "interrupted", and Go's "context canceled" is not repeated.
func message(err error, interrupted bool) string {
	msg := err.Error()
	if !interrupted {
		return msg
	}
	msg = strings.TrimSuffix(strings.TrimSuffix(msg, context.Canceled.Error()), ": ")
	if errors.Is(err, context.Canceled) && msg == "" {
		return "interrupted"
	}
	if strings.HasPrefix(msg, "interrupted") {
		return msg
	}
	return "interrupted: " + msg
}

// execute runs the command tree. A panic (a bug, whatever input caused
// it) becomes "internal error: <value>" and exit 1: left alone, Go prints
// a stack trace and exits 2, which scripts and the PowerShell module read
// as "invalid input". The value is redacted and bounded like server text:
// it may quote a request or an answer.
func execute(ctx context.Context, root *cobra.Command) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("internal error: %s (please report it with `hybridmgmt version`)", redact.ServerText(fmt.Sprint(v), 500))
		}
	}()
	return root.ExecuteContext(ctx)
}
