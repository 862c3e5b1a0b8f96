package cmdlets

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
)

// What the write commands share: the refusal of non-hybrid applications,
// the rendering of plans, the confirmation, and the warnings Exchange
// admins need before and after a change. The rule and the plans themselves
// live in pkg/appproxy; this file only renders them.

// requireHybrid refuses (exit 4, nothing written) an application that is
// not a hybrid application, unless force, in which case stderr says the
// safety check was overridden.
func requireHybrid(ctx context.Context, client appproxy.API, app *appproxy.Application, force bool, verb string, errOut io.Writer) error {
	why, err := client.WhyNotHybrid(ctx, app)
	if err != nil || why == "" {
		return err
	}
	name := appproxy.AppName(app.DisplayName, app.AppID)
	if !force {
		return exitcode.NotFoundf("refusing to %s %s: it is not a hybrid application: %s. Nothing was written; check the --app-id (--force overrides this check)", verb, name, why)
	}
	fmt.Fprintf(errOut, "warning: --force: the safety check was overridden: %s is not a hybrid application (%s)\n", name, why)
	return nil
}

// printPlans writes plans: JSON as [{operation, appId, displayName, before,
// after}], tables as one "property: before → after" line per change.
func printPlans(out io.Writer, format output.Format, plans []appproxy.Plan, dryRun bool) error {
	return output.Print(out, format, plans, func() output.TableData {
		var t output.TableData
		for _, p := range plans {
			t.Footer = append(t.Footer, p.Lines()...)
		}
		if dryRun {
			t.Footer = append(t.Footer, "dry run: nothing was changed")
		}
		return t
	})
}

// writeLines writes lines to stderr, escaped: they carry server text. On a
// terminal they wrap to its width.
func writeLines(w io.Writer, lines ...string) {
	escaped := make([]string, len(lines))
	for i, l := range lines {
		escaped[i] = output.EscapeTerminal(l)
	}
	for _, l := range output.WrapLines(w, escaped...) {
		fmt.Fprintln(w, l)
	}
}

// confirm asks on the terminal; only "y" or "yes" goes ahead.
func confirm(ios *iostreams.IOStreams, question string) bool {
	fmt.Fprint(ios.ErrOut, question+" [y/N]: ")
	// A read error (end of input included) keeps what was read: "y" with
	// no newline still answers, nothing read is a no.
	line, _ := bufio.NewReader(io.LimitReader(ios.In, 1024)).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

// guidWarning says what depends on the hybrid application's GUID in
// Exchange Online before that application is deleted or replaced (R10).
func guidWarning(guid, target string) []string {
	route := guid + ".resource.mailboxmigration.his.msappproxy.net"
	move := "hybridmgmt new-hybridapplication --app-id " + guid + " --target-uri <new target>"
	if target != "" {
		move = "hybridmgmt new-hybridapplication --app-id " + guid + " --target-uri " + target
	}
	return []string{
		"warning: Exchange Online depends on the hybrid application " + guid + ": the organization relationship (TargetSharingEpr),",
		"  the IntraOrganizationConnector and the migration endpoint (RemoteServer) point at " + route + ".",
		"  Deleting or replacing it breaks free/busy and mailbox moves until the Hybrid Configuration Wizard is re-run,",
		"  and a deleted HCW-created application breaks later HCW runs (Invalid_App ... soft-deleted) until it is restored.",
		"  To move the route, keep the GUID: unpublish (remove-hybridapplication without --delete-application), then",
		"  " + move,
		"  Where the GUID is used, in Exchange Online PowerShell:",
		"    Get-OrganizationRelationship | fl TargetSharingEpr",
		"    Get-MigrationEndpoint | fl RemoteServer",
	}
}

// nextSteps is what an admin checks after a route points somewhere new.
func nextSteps(guid, target string) []string {
	host := target
	if u, err := url.Parse(target); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return []string{
		"next steps:",
		"  1. on each Hybrid Agent machine: hybridmgmt test-hybridconnectivity --exchange-server " + host,
		"  2. in Exchange Online PowerShell: Test-MigrationServerAvailability -ExchangeRemoteMove -RemoteServer " +
			guid + ".resource.mailboxmigration.his.msappproxy.net -Credentials (Get-Credential)",
		"  3. if that fails through a load balancer, point the application at one Exchange server first (Microsoft's advice), then back at the load balancer",
	}
}

// warnTarget warns, before any write, about targets that validate but are
// likely wrong: a single-label host is rarely named by a certificate and
// must resolve on every agent machine.
func warnTarget(errOut io.Writer, target string) {
	u, err := url.Parse(target)
	if err != nil {
		return
	}
	if host := u.Hostname(); host != "" && !strings.Contains(host, ".") {
		fmt.Fprintf(errOut, "warning: --target-uri host %q is a single label: certificates rarely name it and every agent machine must resolve it; use the FQDN\n", host)
	}
}
