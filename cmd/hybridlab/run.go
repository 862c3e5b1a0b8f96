package main

import (
	"context"
	"fmt"
	"io"
)

const usage = `usage:
  hybridlab serve [--dir DIR] [--addr 127.0.0.1:0] [--ready-file PATH] [knob and fault flags]
  hybridlab browse [--ca FILE] URL

serve   runs the lab tenant until interrupted; prints the environment that
        points hybridmgmt at it and writes the same to DIR/env.
browse  acts as the browser for an interactive sign-in (use it as $BROWSER).

Run 'hybridlab serve -h' for the knob and fault flags.
`

// run is main without the process: testable, and the only place that
// turns errors into exit codes (0 ok, 1 failure, 2 usage).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "browse":
		return browse(ctx, args[1:], stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "hybridlab: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
