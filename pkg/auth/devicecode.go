package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
)

// deviceCodeFlow is ModeDeviceCode: print the authority's instructions
// (a URL and a one-time code) and poll until the user finishes on any
// device with a browser.
type deviceCodeFlow struct{}

func (deviceCodeFlow) acquire(ctx context.Context, c *Client) (public.AuthResult, error) {
	dc, err := c.pub.AcquireTokenByDeviceCode(ctx, c.cfg.Scopes)
	if err != nil {
		return public.AuthResult{}, err
	}
	// The message is the authority's instruction for the user (it holds
	// the one-time user code, which is meant to be shown; the device code
	// itself is not printed or logged).
	fmt.Fprintln(c.cfg.prompt(), output.EscapeTerminal(dc.Result.Message))
	c.logf("auth: waiting for the device code sign-in (expires %s)", dc.Result.ExpiresOn.Format("15:04:05"))
	if c.cfg.Progress != nil {
		c.cfg.Progress(fmt.Sprintf("Waiting for the sign-in to finish (the code expires at %s; Ctrl-C stops)…", dc.Result.ExpiresOn.Local().Format("15:04")))
	}
	res, err := dc.AuthenticationResult(ctx)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		// MSAL bounds the wait by the code's lifetime.
		return res, exitcode.Authf("sign-in failed: the device code expired before sign-in was completed; run the command again")
	}
	return res, err
}
