package auth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/hybridmgmt/hybridmgmt/pkg/output"
	"github.com/hybridmgmt/hybridmgmt/pkg/redact"
)

// maxDeviceCodeMessage bounds the authority's instructions (a sentence
// or two with a URL and a code).
const maxDeviceCodeMessage = 1000

// deviceCodeFlow is ModeDeviceCode: print the authority's instructions
// (a URL and a one-time code) and poll until the user finishes on any
// device with a browser.
type deviceCodeFlow struct{}

func (deviceCodeFlow) acquire(ctx context.Context, c *Client) (public.AuthResult, error) {
	dc, err := c.pub.AcquireTokenByDeviceCode(ctx, c.cfg.Scopes)
	if err != nil {
		return public.AuthResult{}, err
	}
	// The user is sent to this page to type the code and sign in: only an
	// https one, whatever the authority says.
	if u, err := url.Parse(dc.Result.VerificationURL); err != nil || !strings.EqualFold(u.Scheme, "https") {
		return public.AuthResult{}, &refusedError{msg: "the authority's device code page is not https; refusing to send you there"}
	}
	// The message is the authority's instruction for the user (it holds
	// the one-time user code, which is meant to be shown; the device code
	// itself is not printed or logged). Bounded: it is server text.
	fmt.Fprintln(c.cfg.prompt(), output.EscapeTerminal(redact.Cut(dc.Result.Message, maxDeviceCodeMessage)))
	c.logf("auth: waiting for the device code sign-in (expires %s)", dc.Result.ExpiresOn.Format("15:04:05"))
	if c.cfg.Progress != nil {
		c.cfg.Progress(fmt.Sprintf("Waiting for the sign-in to finish (the code expires at %s; Ctrl-C stops)…", dc.Result.ExpiresOn.Local().Format("15:04")))
	}
	res, err := dc.AuthenticationResult(ctx)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		// MSAL bounds the wait by the code's lifetime.
		return res, signInFailed("sign-in failed: the device code expired before sign-in was completed.", "", "Run the command again and enter the code before it expires.")
	}
	return res, err
}
