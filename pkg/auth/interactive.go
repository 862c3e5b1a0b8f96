package auth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/pkg/browser"

	"github.com/hybridmgmt/hybridmgmt/pkg/output"
	"github.com/hybridmgmt/hybridmgmt/pkg/redact"
)

// interactiveFlow is ModeInteractive: authorization code with PKCE through
// the system browser; MSAL listens on http://localhost:<port> for the
// redirect.
type interactiveFlow struct{}

func (interactiveFlow) acquire(ctx context.Context, c *Client) (public.AuthResult, error) {
	var opts []public.AcquireInteractiveOption
	if c.cfg.Username != "" {
		opts = append(opts, public.WithLoginHint(c.cfg.Username))
	}
	open, how := c.opener()
	if open == nil {
		// As the help promises: where no browser can open (an SSH session
		// to a Linux jump host), the device code works from any device.
		getenv := c.cfg.Getenv
		if getenv == nil {
			getenv = func(string) string { return "" }
		}
		if reason := noBrowserReason(getenv, runtime.GOOS); reason != "" {
			fmt.Fprintf(c.cfg.prompt(), "No browser can be opened here (%s); signing in with a device code instead.\n", reason)
			return deviceCodeFlow{}.acquire(ctx, c)
		}
		// MSAL's own default, named here so that it is wrapped too.
		open, how = browser.OpenURL, "the system browser"
	}
	c.logf("auth: opening the sign-in page with %s", how)
	// openErr records only the browser's own failure (device code is the
	// fallback); a page refused for not being https is not retried.
	var openErr error
	opts = append(opts, public.WithOpenURL(httpsPageOnly(func(u string) error {
		openErr = open(u)
		return openErr
	})))
	fmt.Fprintln(c.cfg.prompt(), "Opening a browser to sign in to Microsoft Entra (or rerun with --device-code).")
	res, err := c.pub.AcquireTokenInteractive(ctx, c.cfg.Scopes, opts...)
	if err != nil && openErr != nil && ctx.Err() == nil {
		fmt.Fprintf(c.cfg.prompt(), "The browser could not be opened (%s); signing in with a device code instead.\n",
			output.EscapeTerminal(strings.Join(strings.Fields(openErr.Error()), " ")))
		return deviceCodeFlow{}.acquire(ctx, c)
	}
	return res, err
}

// noBrowserReason says why no graphical browser can open on this machine,
// or "" when one may: Unix desktops need an X11 or Wayland display.
func noBrowserReason(getenv func(string) string, goos string) string {
	switch goos {
	case "windows", "darwin", "ios", "android":
		return ""
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return "no DISPLAY"
	}
	return ""
}

// httpsPageOnly refuses to open a sign-in page that is not https: its
// address comes from the authority's discovery document, and the user
// types a password into it.
func httpsPageOnly(open func(string) error) func(string) error {
	return func(u string) error {
		if pu, err := url.Parse(u); err != nil || !strings.EqualFold(pu.Scheme, "https") {
			scheme := "an unparsable address"
			if err == nil {
				scheme = redact.ServerText(pu.Scheme+"://"+pu.Host, 200)
			}
			return &refusedError{msg: "the authority's sign-in page is not https (" + scheme + "); refusing to open it"}
		}
		return open(u)
	}
}

// opener picks how to open the sign-in page: cfg.OpenURL, else $BROWSER,
// else nil (MSAL's default opener for the OS). how is for diagnostics.
func (c *Client) opener() (open func(string) error, how string) {
	if c.cfg.OpenURL != nil {
		return c.cfg.OpenURL, "the configured opener"
	}
	if b := c.cfg.Browser; strings.TrimSpace(b) != "" {
		return browserEnvOpener(b), "$BROWSER"
	}
	return nil, ""
}

// browserEnvOpener opens a URL with the commands in a $BROWSER value: a
// list (separated like PATH) of commands, each split on blanks, where %s
// is replaced by the URL or the URL is appended as the last argument. The
// command runs directly, never through a shell, so the URL cannot inject
// anything. The first command that starts and exits 0 wins. Like Python's
// webbrowser module it waits for the command: a terminal browser (w3m,
// lynx) needs the terminal until the user is done, and MSAL's redirect
// listener already runs meanwhile.
func browserEnvOpener(value string) func(string) error {
	return func(url string) error {
		var errs []error
		for _, entry := range filepath.SplitList(value) {
			args := strings.Fields(entry)
			if len(args) == 0 {
				continue
			}
			substituted := false
			for i := 1; i < len(args); i++ {
				if strings.Contains(args[i], "%s") {
					args[i] = strings.ReplaceAll(args[i], "%s", url)
					substituted = true
				}
			}
			if !substituted {
				args = append(args, url)
			}
			cmd := exec.Command(args[0], args[1:]...)
			// stdout stays clean for the command's real output.
			cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stderr, os.Stderr
			err := cmd.Run()
			if err == nil {
				return nil
			}
			// Name the command, never the URL (it carries the PKCE state).
			errs = append(errs, fmt.Errorf("$BROWSER command %s: %w", args[0], unwrapExit(err)))
		}
		if len(errs) == 0 {
			return errors.New("$BROWSER names no command")
		}
		return errors.Join(errs...)
	}
}

// unwrapExit shortens exec errors to their cause.
func unwrapExit(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("exited with %s", ee.ProcessState.String())
	}
	return err
}
