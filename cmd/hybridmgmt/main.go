// Command hybridmgmt manages the Microsoft Hybrid Agent for Exchange hybrid
// deployments. See README.md and docs/.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/hybridmgmt/hybridmgmt/pkg/cmdlets"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
)

// version is set at build time: -ldflags "-X main.version=1.2.3".
var version = "0.1.0-dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	f := cmdlets.NewFactory(version)
	err := cmdlets.NewRootCmd(f).ExecuteContext(ctx)
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
