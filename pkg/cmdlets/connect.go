package cmdlets

import (
	"context"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/hybridmgmt/hybridmgmt/pkg/auth"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
)

// ConnectOptions are the inputs of connect.
type ConnectOptions struct {
	IO      *iostreams.IOStreams
	SignIn  func(ctx context.Context) (auth.Account, error)
	Context context.Context
	Output  func() (output.Format, error)
}

// NewCmdConnect builds connect: sign in once, so later commands run
// silently from the token cache.
func NewCmdConnect(f *Factory, runF func(*ConnectOptions) error) *cobra.Command {
	opts := &ConnectOptions{IO: f.IO, SignIn: f.signIn, Output: f.outputFormat}
	cmd := &cobra.Command{
		Use:     "connect",
		Aliases: []string{"Connect-HybridManagement"},
		Short:   "Sign in and cache the tokens for later commands",
		Long: heredoc.Doc(`
			Sign in once; later commands use the cached tokens silently until the
			refresh token expires. Without credential flags a browser opens (or a
			device code is shown when no browser can open). Prints the signed-in
			account: username, tenantId, cloud, authority.
		`),
		Example: heredoc.Doc(`
			hybridmgmt connect --user-principal-name admin@contoso.com
			hybridmgmt connect --device-code --tenant-id contoso.com
			hybridmgmt connect --tenant-id $TENANT --client-id $APP --certificate ./ci.pem
		`),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f.interactiveDefault = true
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
	return cmd
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
		return output.TableData{
			Columns: []output.Column{
				{Header: "USERNAME", Min: 20},
				{Header: "TENANT ID", Min: 36},
				{Header: "CLOUD", Priority: 1},
				{Header: "AUTHORITY", Priority: 2, URL: true, Min: 20},
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
