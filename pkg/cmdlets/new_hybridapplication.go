package cmdlets

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
	"github.com/hybridmgmt/hybridmgmt/pkg/validate"
)

// NewHybridApplicationOptions are the inputs of new-hybridapplication.
type NewHybridApplicationOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (appproxy.API, error)
	Context context.Context
	Output  func() (output.Format, error)
	Suffix  string
	Logf    func(string, ...any)

	TargetURI      string
	AppID          string
	ConnectorGroup string
	DryRun         bool
	Force          bool
}

// NewCmdNewHybridApplication builds new-hybridapplication.
func NewCmdNewHybridApplication(f *Factory, runF func(*NewHybridApplicationOptions) error) *cobra.Command {
	opts := &NewHybridApplicationOptions{IO: f.IO, Client: f.AppProxy, Output: f.outputFormat, Logf: f.verbosef}
	cmd := &cobra.Command{
		Use:   "new-hybridapplication",
		Short: "Publish a hybrid route to an on-premises Exchange target",
		Long: heredoc.Doc(`
			Create and publish the hybrid application, or with --app-id publish an
			existing application, so https://<appId>.resource.mailboxmigration.his.msappproxy.net
			reaches --target-uri through the Hybrid Agents.

			Without --app-id the documented Graph flow runs: instantiate the custom
			application template (Graph v1.0), add the route to its web redirect
			URIs, publish it with the body HCW itself sends (passthru), and assign a
			connector group: --connector-group, else "Default group for
			Exchange Online" when it exists, else the tenant's default group. The
			assignment is a delegated-only Graph call, so this needs a user sign-in.

			A re-run after a failure resumes with the application created before
			instead of creating a second one. If a step fails, the error names what
			was created and the command that removes it. hybridmgmt marks the
			applications it creates (a tag), so that cleanup needs no --force.

			--app-id publishes only a hybrid application (published at its own
			hybrid route, or created or unpublished by hybridmgmt): that is how a
			route moves while Exchange Online keeps pointing at the same GUID.
			Another application is refused (exit 4) unless --force. When the
			tenant already has a hybrid application, a warning says what in
			Exchange Online depends on its GUID.
		`),
		Example: heredoc.Doc(`
			hybridmgmt new-hybridapplication --target-uri exch01.contoso.local --dry-run
			hybridmgmt new-hybridapplication --target-uri https://mail-lb.contoso.com --connector-group "Default group for Exchange Online"
			hybridmgmt new-hybridapplication --app-id 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 --target-uri exch01.contoso.local
		`),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := required(cmd, "target-uri"); err != nil {
				return err
			}
			var err error
			if opts.TargetURI, err = validate.TargetURI("--target-uri", opts.TargetURI); err != nil {
				return err
			}
			if cmd.Flags().Changed("app-id") {
				if opts.AppID, err = validate.AppID("--app-id", opts.AppID); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("connector-group") {
				if opts.ConnectorGroup, err = validate.Name("--connector-group", opts.ConnectorGroup); err != nil {
					return err
				}
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
			return newHybridApplicationRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.TargetURI, "target-uri", "", "on-premises target: https URI or FQDN of the Exchange server or load balancer (required)")
	cmd.Flags().StringVar(&opts.AppID, "app-id", "", "publish this existing application instead of creating one")
	cmd.Flags().StringVar(&opts.ConnectorGroup, "connector-group", "", "connector group to assign (default: \""+appproxy.ExchangeGroupName+"\", else the default group)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the planned change and write nothing")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "with --app-id, publish an application that is not a hybrid application; also allows writing outside the Global cloud")
	return cmd
}

// hybridDisplayName names a created application after its target, which is
// also how a re-run recognises it.
func hybridDisplayName(target string) string {
	u, _ := url.Parse(target)
	return "Exchange Hybrid Agent - " + u.Host
}

// progress records what a multi-step create has done, for the error a
// failure reports.
type progress struct {
	created *appproxy.Application
	// marked says the created application carries appproxy.HybridMark, so
	// its cleanup needs no --force.
	marked bool
	done   []string
}

func (p *progress) fail(step string, err error) error {
	cause := err.Error()
	if !strings.HasPrefix(cause, step) {
		cause = step + ": " + cause
	}
	if p.created == nil {
		if cause == err.Error() {
			return err
		}
		return fmt.Errorf("%s: %w", step, err)
	}
	cleanup := "hybridmgmt remove-hybridapplication --app-id " + p.created.AppID + " --delete-application --yes"
	if !p.marked {
		cleanup += " --force"
	}
	// Exit 1 by design (not the cause's code): the tenant now holds a
	// half-configured app, and the message says how to finish or undo it.
	return fmt.Errorf("new-hybridapplication stopped: %s. Created so far: application %q (appId %s, object id %s); done: %s. Re-run the same command to resume, or clean up with: %s",
		cause, p.created.DisplayName, p.created.AppID, p.created.ID, strings.Join(p.done, ", "), cleanup)
}

func newHybridApplicationRun(opts *NewHybridApplicationOptions) error {
	ctx := opts.Context
	format, err := opts.Output()
	if err != nil {
		return err
	}
	client, err := opts.Client()
	if err != nil {
		return err
	}
	if client.AppOnly() {
		return exitcode.Authf("new-hybridapplication needs a signed-in user: assigning the connector group is a delegated-only Graph call. Sign in with --user-principal-name (Application Administrator or Global Administrator)")
	}
	group, err := pickConnectorGroup(ctx, client, opts.ConnectorGroup)
	if err != nil {
		return err
	}

	var app *appproxy.Application
	var p progress
	if opts.AppID != "" {
		if app, err = client.GetApplication(ctx, opts.AppID); err != nil {
			return appNotFound(ctx, client, opts.AppID, err)
		}
		if err := requireHybrid(ctx, client, app, opts.Force, "publish", opts.IO.ErrOut); err != nil {
			return err
		}
	} else {
		name := hybridDisplayName(opts.TargetURI)
		existing, err := client.FindApplicationsByDisplayName(ctx, name)
		if err != nil {
			return err
		}
		switch len(existing) {
		case 0:
		case 1:
			app = &existing[0]
			// An earlier run created it: a failure from here on must still
			// name it and its cleanup command.
			p.created = app
			opts.Logf("found %q (appId %s) from an earlier run; resuming with it", name, app.AppID)
			if err := client.ReadPublishing(ctx, app); err != nil {
				return p.fail("read the application from the earlier run", err)
			}
		default:
			return fmt.Errorf("%d applications are named %q; publish one explicitly with --app-id", len(existing), name)
		}
	}

	// What is left to do: an app already published to this target needs at
	// most the connector group an interrupted run did not assign.
	alreadyPublished := false
	if app != nil && app.Published() {
		if !client.IsHybrid(app) && !opts.Force {
			return exitcode.NotFoundf("%s is already published at %s, which is not its hybrid route; refusing to overwrite it (--force overrides)",
				appproxy.AppName(app.DisplayName, app.AppID), app.ExternalURL())
		}
		if !appproxy.SameURL(app.InternalURL(), opts.TargetURI) {
			return fmt.Errorf("%s is already published to %s; use update-hybridapplication to retarget it", appproxy.AppName(app.DisplayName, app.AppID), app.InternalURL())
		}
		alreadyPublished = true
		// Published at its route, the rule recognises it: the cleanup
		// needs no --force.
		p.marked = client.IsHybrid(app)
	}
	if app != nil && !alreadyPublished {
		if err := client.ReadWeb(ctx, app); err != nil {
			return p.fail("read the application's web settings", err)
		}
		if p.created != nil {
			p.marked = app.Marked()
		}
	}
	// Re-assigning is idempotent; it is done for a resumed create or when a
	// group was asked for, never to move an app HCW placed elsewhere.
	assign := !alreadyPublished || p.created != nil || opts.ConnectorGroup != ""

	routeGUID := "<appId>"
	if app != nil {
		routeGUID = app.AppID
	}
	want := appproxy.HybridPublishing(routeGUID, opts.Suffix, opts.TargetURI)
	if app == nil {
		// Known once Entra assigns it; the plan shows the placeholder.
		want.ExternalURL = "https://<appId>." + opts.Suffix + ":443/"
	}
	groupName := ""
	if assign {
		groupName = group.Name
	}
	plan := appproxy.PublishPlan(app, hybridDisplayName(opts.TargetURI), want, groupName)

	// Another hybrid application means Exchange Online points at its GUID:
	// a second one is not a move (R10).
	if listing, err := client.ListHybridApplications(ctx); err != nil {
		fmt.Fprintf(opts.IO.ErrOut, "warning: could not check for an existing hybrid application: %s\n", output.EscapeTerminal(err.Error()))
	} else {
		for _, h := range listing.Hybrid {
			if app == nil || !strings.EqualFold(h.AppID, app.AppID) {
				writeLines(opts.IO.ErrOut, "warning: the tenant already has a hybrid application, "+appproxy.AppName(h.DisplayName, h.AppID)+"; this creates another one.")
				writeLines(opts.IO.ErrOut, guidWarning(h.AppID, opts.TargetURI)...)
				break
			}
		}
	}
	if opts.DryRun {
		return printPlans(opts.IO.Out, format, []appproxy.Plan{plan}, true)
	}
	warnTarget(opts.IO.ErrOut, opts.TargetURI)

	if app == nil {
		created, err := client.Instantiate(ctx, hybridDisplayName(opts.TargetURI))
		if created != nil {
			// Recorded the moment the create answered: every later failure
			// names it and its cleanup command.
			p.created = created
			p.done = append(p.done, "created application")
		}
		if err != nil {
			var ge *appproxy.Error
			var lost *appproxy.LostCreateError
			if created == nil && !errors.As(err, &lost) && !errors.Is(err, exitcode.ErrAuth) && (!errors.As(err, &ge) || ge.Status >= 500) {
				// No answer, or a 5xx: the POST may have created the app
				// anyway. Exit 1 (a half-known state, not an outage), and
				// say how to find out.
				return fmt.Errorf("create application: %s; Graph may have created %q anyway: re-run the same command, which resumes with it if it exists",
					err.Error(), hybridDisplayName(opts.TargetURI))
			}
			return p.fail("create application", err)
		}
		app = created
		want = appproxy.HybridPublishing(app.AppID, opts.Suffix, opts.TargetURI)
	}
	if p.created != nil && !p.marked && !alreadyPublished {
		// The mark lets the printed cleanup, and a later move, work
		// without --force.
		if err := client.Mark(ctx, app); err != nil {
			return p.fail("mark the application as hybridmgmt's", err)
		}
		p.marked = true
		p.done = append(p.done, "marked")
	}
	if !alreadyPublished {
		if err := client.SetWebURIs(ctx, app, want.ExternalURL); err != nil {
			return p.fail("set the application's web URIs", err)
		}
		p.done = append(p.done, "set web URIs")
		if err := client.UpdatePublishing(ctx, app.ID, want); err != nil {
			return p.fail("set onPremisesPublishing", err)
		}
		p.done = append(p.done, "published")
	}
	if assign {
		if err := client.AssignConnectorGroup(ctx, app.ID, group.ID); err != nil {
			return p.fail("assign connector group "+group.Name, err)
		}
		p.done = append(p.done, "assigned connector group")
	} else {
		opts.Logf("application %s is already published to %s; nothing to do", app.AppID, opts.TargetURI)
	}
	// Read back by object id and compare: Entra may store something other
	// than what was written (R7), and only what it stores routes traffic.
	if err := client.ReadPublishing(ctx, app); err != nil {
		return p.fail("read back the application", err)
	}
	if !appproxy.SameURL(app.ExternalURL(), want.ExternalURL) || !appproxy.SameURL(app.InternalURL(), want.InternalURL) {
		return p.fail("check what Entra stored", fmt.Errorf("the publishing was accepted, but Graph reports externalUrl %q and internalUrl %q (written: %s and %s)",
			app.ExternalURL(), app.InternalURL(), want.ExternalURL, want.InternalURL))
	}
	if format == output.Table {
		plan.AppID, plan.DisplayName = app.AppID, app.DisplayName
		writeLines(opts.IO.ErrOut, plan.Lines()...)
		writeLines(opts.IO.ErrOut, nextSteps(app.AppID, opts.TargetURI)...)
	}
	views := []ApplicationView{newApplicationView(app)}
	return output.Print(opts.IO.Out, format, views, func() output.TableData { return applicationTable(views) })
}

// pickConnectorGroup applies the documented preference: the named group,
// else HCW's Exchange group, else the tenant's default group.
func pickConnectorGroup(ctx context.Context, client appproxy.API, name string) (*appproxy.ConnectorGroup, error) {
	groups, err := client.ListConnectorGroups(ctx)
	if err != nil {
		return nil, err
	}
	find := func(match func(g appproxy.ConnectorGroup) bool) *appproxy.ConnectorGroup {
		for i := range groups {
			if match(groups[i]) {
				return &groups[i]
			}
		}
		return nil
	}
	if name != "" {
		if g := find(func(g appproxy.ConnectorGroup) bool { return strings.EqualFold(g.Name, name) }); g != nil {
			return g, nil
		}
		return nil, exitcode.NotFoundf("no connector group named %q", name)
	}
	if g := find(func(g appproxy.ConnectorGroup) bool { return strings.EqualFold(g.Name, appproxy.ExchangeGroupName) }); g != nil {
		return g, nil
	}
	if g := find(func(g appproxy.ConnectorGroup) bool { return g.IsDefault }); g != nil {
		return g, nil
	}
	return nil, exitcode.NotFoundf("the tenant has no connector group to assign (no %q and no default group); install a Hybrid Agent first", appproxy.ExchangeGroupName)
}
