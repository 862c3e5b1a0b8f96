package cmdlets

import (
	"context"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/hybridmgmt/hybridmgmt/pkg/auth"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
)

// ConnectOptions are the inputs of connect.
type ConnectOptions struct {
	IO      *iostreams.IOStreams
	SignIn  func(ctx context.Context) (auth.Account, error)
	Status  func(ctx context.Context) (auth.Status, bool, error)
	Now     func() time.Time
	Context context.Context
	Output  func() (output.Format, error)

	// ShowStatus (--status) prints the cached sign-in, offline.
	ShowStatus bool
	// Force (--force) signs in again even when the cache could serve.
	Force bool
}

// NewCmdConnect builds connect: sign in once, so later commands run
// silently from the token cache.
func NewCmdConnect(f *Factory, runF func(*ConnectOptions) error) *cobra.Command {
	opts := &ConnectOptions{IO: f.IO, SignIn: f.signIn, Status: f.cachedStatus, Now: f.Now, Output: f.outputFormat}
	cmd := &cobra.Command{
		Use:     "connect",
		Aliases: []string{"Connect-HybridManagement"},
		Short:   "Sign in and cache the tokens for later commands",
		Long: heredoc.Doc(`
			Sign in once; later commands use the cached tokens silently until the
			refresh token expires. Without credential flags a browser opens (or a
			device code is shown when no browser can open). Prints the signed-in
			account: username, tenantId, cloud, authority; for app-only sign-in
			the client id and the credential (certificate thumbprint or "secret").

			--status shows the cached sign-in (account, tenant, cloud, how later
			commands sign in, when the access token expires) without prompting or
			touching the network; exit 3 when there is none. --force signs in
			again even when the cache could serve, e.g. after activating a PIM role.
		`),
		Example: heredoc.Doc(`
			hybridmgmt connect --user-principal-name admin@contoso.com
			hybridmgmt connect --device-code --tenant-id contoso.com
			hybridmgmt connect --tenant-id $TENANT --client-id $APP --certificate ./ci.pem
			hybridmgmt connect --status
			hybridmgmt connect --force --user-principal-name admin@contoso.com
		`),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context = cmd.Context()
			if opts.ShowStatus {
				if opts.Force {
					return exitcode.Usagef("--status only reads the cache; it cannot be combined with --force")
				}
				if runF != nil {
					return runF(opts)
				}
				return connectStatusRun(opts)
			}
			f.interactiveDefault = true
			f.forceSignIn = opts.Force
			if err := f.requireSignInConfig(); err != nil {
				return err
			}
			opts.Context = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return connectRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.ShowStatus, "status", false, "show the cached sign-in without signing in or touching the network (exit 3 when none)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "sign in again even when the cache could serve (e.g. after activating a PIM role)")
	return cmd
}

func connectStatusRun(opts *ConnectOptions) error {
	format, err := opts.Output()
	if err != nil {
		return err
	}
	st, ok, err := opts.Status(opts.Context)
	if err != nil {
		return err
	}
	if !ok {
		return exitcode.WithDetails(exitcode.Authf("not signed in: run `hybridmgmt connect`"),
			exitcode.Details{Hint: "Run `hybridmgmt connect` (Connect-HybridManagement in PowerShell) to sign in."})
	}
	expires := "none cached"
	if !st.TokenExpires.IsZero() {
		expires = st.TokenExpires.Local().Format("2006-01-02 15:04 MST")
		if st.TokenExpires.Before(opts.Now()) {
			expires += " (expired)"
		}
	}
	return output.Print(opts.IO.Out, format, []auth.Status{st}, func() output.TableData {
		return output.TableData{
			// One row, every field wanted: a narrow terminal gets a list.
			Columns: []output.Column{
				{Header: "ACCOUNT", Min: 20},
				{Header: "TENANT ID", Min: 36},
				{Header: "CLOUD"},
				{Header: "SIGN-IN", Wrap: true, Min: 20},
				{Header: "TOKEN EXPIRES", Wrap: true, Min: 20},
			},
			Rows: [][]string{{st.Account, st.TenantID, st.Cloud, st.SignIn, expires}},
		}
	})
}

func connectRun(opts *ConnectOptions) error {
	format, err := opts.Output()
	if err != nil {
		return err
	}
	acct, err := opts.SignIn(opts.Context)
	if err != nil {
		return err
	}
	accts := []auth.Account{acct}
	return output.Print(opts.IO.Out, format, accts, func() output.TableData {
		if acct.AppOnly {
			// An app has no user name: say which app, and with what.
			return output.TableData{
				Columns: []output.Column{
					{Header: "CLIENT ID", Min: 36},
					{Header: "CREDENTIAL", Wrap: true, Min: 17},
					{Header: "TENANT ID", Min: 36},
					{Header: "CLOUD"},
					{Header: "AUTHORITY", Priority: 1, URL: true, Min: 20},
				},
				Rows: [][]string{{acct.ClientID, acct.Credential, acct.TenantID, acct.Cloud, acct.Authority}},
			}
		}
		return output.TableData{
			Columns: []output.Column{
				{Header: "USERNAME", Min: 20},
				{Header: "TENANT ID", Min: 36},
				{Header: "CLOUD"},
				{Header: "AUTHORITY", Priority: 1, URL: true, Min: 20},
			},
			Rows: [][]string{{acct.Username, acct.TenantID, acct.Cloud, acct.Authority}},
		}
	})
}

// DisconnectOptions are the inputs of disconnect.
type DisconnectOptions struct {
	IO       *iostreams.IOStreams
	CacheDir func() (string, error)
	Clear    func(dir string) error
	Output   func() (output.Format, error)
}

// NewCmdDisconnect builds disconnect: forget every cached sign-in.
func NewCmdDisconnect(f *Factory, runF func(*DisconnectOptions) error) *cobra.Command {
	opts := &DisconnectOptions{
		IO:       f.IO,
		CacheDir: func() (string, error) { return defaultCacheDir(f.Getenv) },
		Clear:    auth.ClearCache,
		Output:   f.outputFormat,
	}
	return &cobra.Command{
		Use:     "disconnect",
		Aliases: []string{"Disconnect-HybridManagement"},
		Short:   "Remove the cached tokens",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return disconnectRun(opts)
		},
	}
}

func disconnectRun(opts *DisconnectOptions) error {
	format, err := opts.Output()
	if err != nil {
		return err
	}
	dir, err := opts.CacheDir()
	if err != nil {
		return err
	}
	if err := opts.Clear(dir); err != nil {
		return err
	}
	return output.Print(opts.IO.Out, format, []auth.Account{}, func() output.TableData {
		return output.TableData{Footer: []string{"signed out: token cache removed"}}
	})
}
