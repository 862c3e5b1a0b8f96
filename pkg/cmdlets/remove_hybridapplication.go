package cmdlets

import (
	"context"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
	"github.com/hybridmgmt/hybridmgmt/pkg/validate"
)

// RemoveHybridApplicationOptions are the inputs of remove-hybridapplication.
type RemoveHybridApplicationOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (appproxy.API, error)
	Context context.Context
	Output  func() (output.Format, error)
	Suffix  string

	AppID             string
	DeleteApplication bool
	DryRun            bool
	Force             bool
}

// NewCmdRemoveHybridApplication builds remove-hybridapplication.
func NewCmdRemoveHybridApplication(f *Factory, runF func(*RemoveHybridApplicationOptions) error) *cobra.Command {
	opts := &RemoveHybridApplicationOptions{IO: f.IO, Client: f.AppProxy, Output: f.outputFormat}
	cmd := &cobra.Command{
		Use:   "remove-hybridapplication",
		Short: "Unpublish the hybrid route (and optionally delete the application)",
		Long: heredoc.Doc(`
			Remove App Proxy publishing from the hybrid application, the way Entra
			PowerShell does it; with --delete-application the application (and its
			service principal) is deleted too. An application that is not published
			is exit code 4, unless --delete-application is given, which then only
			deletes it (the cleanup a failed new-hybridapplication suggests).

			The CLI never prompts: confirmation is Remove-HybridApplication's job
			in the PowerShell module (-Confirm, -WhatIf). Prints [] on success.
		`),
		Example: heredoc.Doc(`
			hybridmgmt remove-hybridapplication --app-id 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 --dry-run
			hybridmgmt remove-hybridapplication --app-id 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 --delete-application
		`),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := required(cmd, "app-id"); err != nil {
				return err
			}
			var err error
			if opts.AppID, err = validate.AppID("--app-id", opts.AppID); err != nil {
				return err
			}
			if err := f.requireModernHybridCloud(opts.Force); err != nil {
				return err
			}
			if err := f.requireSignInConfig(); err != nil {
				return err
			}
			opts.Context = cmd.Context()
			opts.Suffix = f.hybridSuffix()
			if runF != nil {
				return runF(opts)
			}
			return removeHybridApplicationRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.AppID, "app-id", "", "GUID of the hybrid route, or the route host or TargetSharingEpr URL (required)")
	cmd.Flags().BoolVar(&opts.DeleteApplication, "delete-application", false, "also delete the application and its service principal")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the planned change and write nothing")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "write even outside the Global cloud, where Modern Hybrid is unsupported")
	return cmd
}

func removeHybridApplicationRun(opts *RemoveHybridApplicationOptions) error {
	ctx := opts.Context
	format, err := opts.Output()
	if err != nil {
		return err
	}
	client, err := opts.Client()
	if err != nil {
		return err
	}
	app, err := client.GetApplication(ctx, opts.AppID)
	if err != nil {
		return appNotFound(ctx, client, opts.AppID, err)
	}
	published := app.Published()
	if !published && !opts.DeleteApplication {
		return exitcode.NotFoundf("application %s (%s) is not published through App Proxy; nothing to remove", opts.AppID, app.DisplayName)
	}
	if published {
		if _, ok := appproxy.HybridRouteGUID(app.ExternalURL(), opts.Suffix); !ok {
			return exitcode.NotFoundf("application %s is published at %s, which is not a hybrid route; refusing to remove it", opts.AppID, app.ExternalURL())
		}
	}
	if opts.DryRun {
		op := "unpublish"
		switch {
		case published && opts.DeleteApplication:
			op = "unpublish and delete"
		case opts.DeleteApplication:
			op = "delete"
		}
		plans := []DryRunView{{Operation: op, AppID: opts.AppID, Before: newApplicationView(app), After: nil}}
		return output.Print(opts.IO.Out, format, plans, func() output.TableData { return dryRunTable(plans) })
	}
	if published {
		if err := client.Unpublish(ctx, app.ID); err != nil {
			return err
		}
		if !opts.DeleteApplication {
			if err := client.ReadPublishing(ctx, app); err != nil {
				return fmt.Errorf("unpublish %s: Graph accepted the change, but reading it back failed: %w", opts.AppID, err)
			}
			if app.Published() {
				return fmt.Errorf("unpublish %s: Graph accepted the change but still reports it published at %s; check the application in Entra", opts.AppID, app.ExternalURL())
			}
		}
	}
	if opts.DeleteApplication {
		if err := client.DeleteApplication(ctx, app.ID); err != nil {
			return err
		}
	}
	return output.Print(opts.IO.Out, format, []ApplicationView{}, func() output.TableData {
		msg := "unpublished " + opts.AppID
		if opts.DeleteApplication {
			msg += " and deleted the application"
		}
		return output.TableData{Footer: []string{msg}}
	})
}
