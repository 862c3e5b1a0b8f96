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
			Microsoft's own guidance does; the application is read back and printed.
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
	cmd.Flags().BoolVar(&opts.Force, "force", false, "write even outside the Global cloud, where Modern Hybrid is unsupported")
	return cmd
}

func updateHybridApplicationRun(opts *UpdateHybridApplicationOptions) error {
	format, err := opts.Output()
	if err != nil {
		return err
	}
	client, err := opts.Client()
	if err != nil {
		return err
	}
	app, err := getPublishedApplication(opts.Context, client, opts.AppID)
	if err != nil {
		return err
	}
	external := app.ExternalURL()
	if _, ok := appproxy.HybridRouteGUID(external, opts.Suffix); !ok {
		return exitcode.NotFoundf("application %s is published at %s, which is not a hybrid route (*.%s); refusing to retarget it", opts.AppID, external, opts.Suffix)
	}
	before := newApplicationView(app)
	if opts.DryRun {
		after := before
		after.InternalURL = opts.TargetURI
		plan := []DryRunView{{Operation: "update", AppID: opts.AppID, Before: before, After: after}}
		return output.Print(opts.IO.Out, format, plan, func() output.TableData { return dryRunTable(plan) })
	}
	if appproxy.SameURL(app.InternalURL(), opts.TargetURI) {
		opts.Logf("internalUrl is already %s; nothing to change", opts.TargetURI)
	} else {
		if err := client.UpdatePublishing(opts.Context, app.ID, appproxy.Retarget(external, opts.TargetURI)); err != nil {
			return err
		}
		// Read back by object id: only what Graph now reports counts.
		if err := client.ReadPublishing(opts.Context, app); err != nil {
			return fmt.Errorf("retarget %s: Graph accepted the change to %s, but reading it back failed: %w", opts.AppID, opts.TargetURI, err)
		}
		if !appproxy.SameURL(app.InternalURL(), opts.TargetURI) {
			return fmt.Errorf("retarget %s: Graph accepted the change but still reports internalUrl %q (asked for %s); check the application in Entra before relying on it",
				opts.AppID, app.InternalURL(), opts.TargetURI)
		}
	}
	views := []ApplicationView{newApplicationView(app)}
	return output.Print(opts.IO.Out, format, views, func() output.TableData { return applicationTable(views) })
}
