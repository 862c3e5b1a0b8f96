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

// UpdateHybridApplicationOptions are the inputs of update-hybridapplication.
type UpdateHybridApplicationOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (appproxy.API, error)
	Context context.Context
	Output  func() (output.Format, error)
	Suffix  string
	Logf    func(string, ...any)

	AppID     string
	TargetURI string
	DryRun    bool
	Force     bool
}

// NewCmdUpdateHybridApplication builds update-hybridapplication.
func NewCmdUpdateHybridApplication(f *Factory, runF func(*UpdateHybridApplicationOptions) error) *cobra.Command {
	opts := &UpdateHybridApplicationOptions{IO: f.IO, Client: f.AppProxy, Output: f.outputFormat, Logf: f.verbosef}
	cmd := &cobra.Command{
		Use:   "update-hybridapplication",
		Short: "Retarget the hybrid route to another Exchange server or load balancer",
		Long: heredoc.Doc(`
			Point the hybrid route https://<appId>.resource.mailboxmigration.his.msappproxy.net
			at a new on-premises target, e.g. a load balancer in front of the
			Mailbox servers. The target is an https URI or a bare FQDN (normalised
			to https://fqdn/); IP addresses, paths, queries and credentials are
			refused. Both internalUrl and externalUrl are sent in one PATCH, as
			Microsoft's own guidance does; the application is read back and printed,
			and stderr shows the change (before → after: the rollback value) and
			what to test next.

			Only a hybrid application is changed: one published at
			https://<its appId>.resource.mailboxmigration.his.msappproxy.net, or one
			hybridmgmt created or unpublished. Any other application is refused
			(exit 4) unless --force.
		`),
		Example: heredoc.Doc(`
			hybridmgmt update-hybridapplication --app-id 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 --target-uri https://mail-lb.contoso.com --dry-run
			hybridmgmt update-hybridapplication --app-id 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 --target-uri mail-lb.contoso.com
		`),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := required(cmd, "app-id", "target-uri"); err != nil {
				return err
			}
			var err error
			if opts.AppID, err = validate.AppID("--app-id", opts.AppID); err != nil {
				return err
			}
			if opts.TargetURI, err = validate.TargetURI("--target-uri", opts.TargetURI); err != nil {
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
			return updateHybridApplicationRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.AppID, "app-id", "", "GUID of the hybrid route, or the route host or TargetSharingEpr URL (required)")
	cmd.Flags().StringVar(&opts.TargetURI, "target-uri", "", "new on-premises target: https URI or FQDN (required)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the planned change and write nothing")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "act on an application that is not a hybrid application, or outside the Global cloud")
	return cmd
}

func updateHybridApplicationRun(opts *UpdateHybridApplicationOptions) error {
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
	if err := requireHybrid(ctx, client, app, opts.Force, "retarget", opts.IO.ErrOut); err != nil {
		return err
	}
	if !app.Published() {
		return exitcode.NotFoundf("%s is not published through App Proxy: there is no route to retarget (publish it with new-hybridapplication --app-id %s)",
			appproxy.AppName(app.DisplayName, app.AppID), app.AppID)
	}
	plan := appproxy.RetargetPlan(app, opts.TargetURI)
	if opts.DryRun {
		return printPlans(opts.IO.Out, format, []appproxy.Plan{plan}, true)
	}
	if len(plan.Changes) == 0 {
		fmt.Fprintf(opts.IO.ErrOut, "nothing to change: %s already points at %s\n", output.EscapeTerminal(plan.Name()), opts.TargetURI)
	} else {
		warnTarget(opts.IO.ErrOut, opts.TargetURI)
		if err := client.UpdatePublishing(ctx, app.ID, appproxy.Retarget(app.ExternalURL(), opts.TargetURI)); err != nil {
			return err
		}
		// Read back by object id: only what Graph now reports counts.
		if err := client.ReadPublishing(ctx, app); err != nil {
			return fmt.Errorf("retarget %s: Graph accepted the change to %s, but reading it back failed, so the route's state is unknown: %w",
				plan.Name(), opts.TargetURI, err)
		}
		if !appproxy.SameURL(app.InternalURL(), opts.TargetURI) {
			return fmt.Errorf("retarget %s: Graph accepted the change but still reports internalUrl %q (asked for %s); check the application in Entra before relying on it",
				plan.Name(), app.InternalURL(), opts.TargetURI)
		}
		if format == output.Table {
			// The before line is the rollback value: never lost.
			plan.Operation = "updated"
			writeLines(opts.IO.ErrOut, plan.Lines()...)
			writeLines(opts.IO.ErrOut, nextSteps(app.AppID, opts.TargetURI)...)
		}
	}
	views := []ApplicationView{newApplicationView(app)}
	return output.Print(opts.IO.Out, format, views, func() output.TableData { return applicationTable(views) })
}
