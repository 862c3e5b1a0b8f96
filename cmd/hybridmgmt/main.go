// Command hybridmgmt manages the Microsoft Hybrid Agent for Exchange hybrid
// deployments. See README.md and docs/.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/hybridmgmt/hybridmgmt/pkg/cmdlets"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
	"github.com/hybridmgmt/hybridmgmt/pkg/redact"
)

// version is set at build time: -ldflags "-X main.version=1.2.3".
var version = "0.1.0-dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	f := cmdlets.NewFactory(version)
	err := execute(ctx, cmdlets.NewRootCmd(f))
	interrupted := ctx.Err() != nil // before stop(), which cancels ctx too
	stop()
	// A command that already told the user (the health gate's summary
	// lines) keeps stderr in the shape its contract fixes.
	if err != nil && !exitcode.IsReported(err) {
		msg := err.Error()
		if errors.Is(err, context.Canceled) && interrupted {
			msg = "interrupted (Ctrl-C): " + msg
		}
		fmt.Fprintln(f.IO.ErrOut, "hybridmgmt: "+output.EscapeTerminal(msg))
	}
	os.Exit(exitcode.Of(err))
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
