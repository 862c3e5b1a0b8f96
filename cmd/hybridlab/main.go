// Command hybridlab runs the local lab tenant (Entra authority plus Graph
// beta) that hybridmgmt's tests sign in to, and plays the browser for its
// interactive sign-in. See package labtenant.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
