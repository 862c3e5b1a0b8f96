package cmdlets

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
	Yes               bool
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

			Only a hybrid application is touched: one published at
			https://<its appId>.resource.mailboxmigration.his.msappproxy.net, or one
			hybridmgmt created or unpublished (it marks those with a tag). Any other
			application is refused (exit 4) unless --force.

			On a terminal the command shows what it will do and asks; --yes skips
			the question, and without a terminal --yes is required (exit 2
			otherwise). The PowerShell module asks through -Confirm/-WhatIf and
			passes --yes. Prints [] on success.

			Deleting the hybrid application changes nothing in Exchange Online,
			whose organization relationship, IntraOrganizationConnector and
			migration endpoint keep its GUID: free/busy and moves break until HCW
			runs again. To move the route, unpublish and publish the same
			application again with new-hybridapplication --app-id.
		`),
		Example: heredoc.Doc(`
			hybridmgmt remove-hybridapplication --app-id 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 --dry-run
			hybridmgmt remove-hybridapplication --app-id 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 --yes
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
			if !opts.DryRun && !opts.Yes && !(f.IO.IsStdinTTY() && f.IO.IsStderrTTY()) {
				// As gh does for deletes: no terminal, no prompt, so the
				// script must say --yes.
				return exitcode.Usagef("remove-hybridapplication changes the tenant: pass --yes to confirm when not running in a terminal (nothing was changed)")
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
	cmd.Flags().BoolVar(&opts.Force, "force", false, "act on an application that is not a hybrid application, or outside the Global cloud")
	cmd.Flags().BoolVar(&opts.Yes, "yes", false, "do not ask for confirmation (required when not running in a terminal)")
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
	verb := "unpublish"
	if opts.DeleteApplication {
		verb = "delete"
	}
	if err := requireHybrid(ctx, client, app, opts.Force, verb, opts.IO.ErrOut); err != nil {
		return err
	}
	published := app.Published()
	if !published && !opts.DeleteApplication {
		return exitcode.NotFoundf("%s is not published through App Proxy; nothing to remove", appproxy.AppName(app.DisplayName, app.AppID))
	}
	plan := appproxy.RemovePlan(app, opts.DeleteApplication)
	if opts.DryRun {
		return printPlans(opts.IO.Out, format, []appproxy.Plan{plan}, true)
	}
	if opts.DeleteApplication && (client.IsHybrid(app) || app.Marked()) {
		writeLines(opts.IO.ErrOut, guidWarning(app.AppID, "")...)
	}
	if !opts.Yes {
		writeLines(opts.IO.ErrOut, plan.Lines()...)
		if !confirm(opts.IO, strings.ToUpper(verb[:1])+verb[1:]+" "+plan.Name()+"?") {
			return errors.New("cancelled: nothing was changed")
		}
	}
	if published {
		if !opts.DeleteApplication {
			// Marked first, so that publishing the same application again
			// (new-hybridapplication --app-id, the way to move a route
			// without changing its GUID) needs no --force.
			if err := client.Mark(ctx, app); err != nil {
				fmt.Fprintf(opts.IO.ErrOut, "warning: could not mark %s as hybridmgmt's (%s); publishing it again will need --force\n",
					plan.Name(), output.EscapeTerminal(err.Error()))
			}
		}
		if err := client.Unpublish(ctx, app.ID); err != nil {
			return err
		}
		if !opts.DeleteApplication {
			if err := client.ReadPublishing(ctx, app); err != nil {
				return fmt.Errorf("unpublish %s: Graph accepted the change, but reading it back failed, so the route's state is unknown: %w", plan.Name(), err)
			}
			if app.Published() {
				return fmt.Errorf("unpublish %s: Graph accepted the change but still reports it published at %s; check the application in Entra", plan.Name(), app.ExternalURL())
			}
		}
	}
	if opts.DeleteApplication {
		if err := client.DeleteApplication(ctx, app.ID); err != nil {
			if published && appproxy.IsNotFound(err) {
				// Gone before our DELETE (deleted meanwhile, outside any
				// create's replication window): not a half-done remove but
				// a not-found, exit 4 like the same 404 on any other write.
				return fmt.Errorf("unpublished %s, but it was gone when deleting it (deleted meanwhile?): %w", plan.Name(), err)
			}
			if published {
				// Half done: say exactly what state the tenant is in.
				return fmt.Errorf("unpublished %s, but deleting it failed: %s. The application still exists, unpublished; run the same command again to delete it",
					plan.Name(), err.Error())
			}
			return err
		}
	}
	done := map[string]string{"unpublish": "unpublished", "delete": "deleted", "unpublish and delete": "unpublished and deleted"}[plan.Operation]
	return output.Print(opts.IO.Out, format, []ApplicationView{}, func() output.TableData {
		return output.TableData{Footer: []string{done + " " + plan.Name()}}
	})
}
