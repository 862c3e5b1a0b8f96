package cmdlets

import (
	"context"
	"errors"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
	"github.com/hybridmgmt/hybridmgmt/pkg/validate"
)

// GetHybridApplicationOptions are the inputs of get-hybridapplication.
type GetHybridApplicationOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (appproxy.API, error)
	Context context.Context
	Output  func() (output.Format, error)
	Suffix  string

	AppID string
}

// NewCmdGetHybridApplication builds get-hybridapplication.
func NewCmdGetHybridApplication(f *Factory, runF func(*GetHybridApplicationOptions) error) *cobra.Command {
	opts := &GetHybridApplicationOptions{IO: f.IO, Client: f.AppProxy, Output: f.outputFormat}
	cmd := &cobra.Command{
		Use:   "get-hybridapplication",
		Short: "Show the hybrid application(s): the published route and its on-premises target",
		Long: heredoc.Doc(`
			Show the hybrid application that publishes
			https://<appId>.resource.mailboxmigration.his.msappproxy.net to the
			on-premises Exchange server or load balancer (internalUrl).

			Without --app-id, the App Proxy applications are found the way
			Microsoft's own sample finds them (service principals tagged
			WindowsAzureActiveDirectoryOnPremApp), each application's publishing is
			read, and those published at a hybrid route of their own appId are listed. With --app-id, that application is shown; an application that
			exists but is not published through App Proxy is exit code 4.
			Works with app-only credentials (Application.Read.All).
		`),
		Example: heredoc.Doc(`
			hybridmgmt get-hybridapplication -o json
			hybridmgmt get-hybridapplication --app-id 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7
		`),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("app-id") {
				id, err := validate.AppID("--app-id", opts.AppID)
				if err != nil {
					return err
				}
				opts.AppID = id
			}
			if err := f.requireSignInConfig(); err != nil {
				return err
			}
			opts.Context = cmd.Context()
			opts.Suffix = f.hybridSuffix()
			if runF != nil {
				return runF(opts)
			}
			return getHybridApplicationRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.AppID, "app-id", "", "GUID of the hybrid route, or the route host or TargetSharingEpr URL it appears in")
	return cmd
}

func getHybridApplicationRun(opts *GetHybridApplicationOptions) error {
	format, err := opts.Output()
	if err != nil {
		return err
	}
	client, err := opts.Client()
	if err != nil {
		return err
	}
	var views []ApplicationView
	if opts.AppID != "" {
		app, err := getPublishedApplication(opts.Context, client, opts.AppID)
		if err != nil {
			return err
		}
		views = append(views, newApplicationView(app))
	} else {
		listing, err := client.ListHybridApplications(opts.Context)
		if err != nil {
			return err
		}
		for i := range listing.Hybrid {
			views = append(views, newApplicationView(&listing.Hybrid[i]))
		}
		if len(listing.Hybrid) == 0 && len(listing.Others) > 0 {
			fmt.Fprintf(opts.IO.ErrOut, "%d App Proxy application%s published in this tenant, none of them at a hybrid route (*.%s)\n",
				len(listing.Others), pluralIsAre(len(listing.Others)), opts.Suffix)
		}
	}
	return output.Print(opts.IO.Out, format, views, func() output.TableData { return applicationTable(views) })
}

// getPublishedApplication fetches the app and insists it is published:
// scripts treat "exists but not published" like "not there" (exit 4).
func getPublishedApplication(ctx context.Context, client appproxy.API, guid string) (*appproxy.Application, error) {
	app, err := client.GetApplication(ctx, guid)
	if err != nil {
		return nil, appNotFound(ctx, client, guid, err)
	}
	if !app.Published() {
		return nil, exitcode.NotFoundf("application %s (%s) exists but is not published through App Proxy", guid, app.DisplayName)
	}
	return app, nil
}

// appLookupError turns a Graph 404 for an app into the CLI's not-found
// message, keeping Graph's request id for support cases.
func appLookupError(guid string, err error) error {
	var ge *appproxy.Error
	if !errors.As(err, &ge) || !appproxy.IsNotFound(err) {
		return err
	}
	msg := fmt.Sprintf("no application with appId or object id %s", guid)
	if ge.RequestID != "" {
		msg += " [request-id " + ge.RequestID + "]"
	}
	return exitcode.Wrap(exitcode.ErrNotFound, errors.New(msg))
}

func pluralIsAre(n int) string {
	if n == 1 {
		return " is"
	}
	return "s are"
}
