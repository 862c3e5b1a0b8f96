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
	if err != nil {
		msg := err.Error()
		if errors.Is(err, context.Canceled) && interrupted {
			msg = "interrupted (Ctrl-C): " + msg
		}
		fmt.Fprintln(f.IO.ErrOut, "hybridmgmt: "+output.EscapeTerminal(msg))
		if format, _ := output.ParseFormat(f.Global.Output); format == output.JSON {
			exitcode.WriteJSONLine(f.IO.ErrOut, err, output.EscapeTerminal(msg)) // last line: docs/exit-codes.md
		}
	}
	os.Exit(exitcode.Of(err))
}
