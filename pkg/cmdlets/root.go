// Package cmdlets holds one file per cmdlet: each builds its options, binds
// flags, validates (exit 2 before any request) and calls a run function that
// talks only to interfaces. Layout after the GitHub CLI's pkg/cmd.
//
// It must never import pkg/labtenant or pkg/httpstub: the release binary
// links no test double (rules in pkg/architecture).
package cmdlets

import (
	"github.com/spf13/cobra"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// annotationReports marks the commands that write -o markdown and -o html.
const annotationReports = "hybridmgmt/reports"

// NewRootCmd builds the hybridmgmt command tree.
func NewRootCmd(f *Factory) *cobra.Command {
	// The cmdlet names work as commands in any case (Get-HybridAgent,
	// update-HybridApplication): admins type what they know from PowerShell.
	cobra.EnableCaseInsensitive = true
	var showVersion bool
	root := &cobra.Command{
		Use:   "hybridmgmt",
		Short: "Manage the Microsoft Hybrid Agent for Exchange hybrid deployments",
		Long: `hybridmgmt manages the Microsoft Hybrid Agent (an Entra Application Proxy
connector) through Microsoft Graph beta: list agents, inspect, publish,
retarget and unpublish the hybrid route, and test this machine's connectivity.

Output is a table for people or, with -o json, one JSON array for scripts.
Exit codes: 0 ok, 1 unexpected error, 2 invalid input, 3 authentication or
authorization failure, 4 not found, 5 connectivity checks failed, 6 service
unreachable from here or unavailable after retries, 130 interrupted (Ctrl-C).`,
		Args: cobra.ArbitraryArgs,
		// Without a RunE cobra prints help for an unknown command and
		// exits 0; scripts need exit 2.
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownCommand(cmd, args[0])
			}
			if showVersion {
				return printVersion(f)
			}
			return cmd.Help()
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			s, err := f.Settings()
			if err != nil {
				return err
			}
			// resolveSettings words each refused combination itself; this
			// keeps any group it misses a usage error (cobra's is exit 1).
			if err := cmd.ValidateFlagGroups(); err != nil {
				return exitcode.Usagef("%v (see '%s --help')", err, cmd.CommandPath())
			}
			// Checked before any request: new-hybridapplication must not
			// create an app and only then refuse the output format.
			if s.Output.IsReport() && cmd.Annotations[annotationReports] != "true" {
				return exitcode.Usagef("-o %s is a report format written only by test-hybridconnectivity and test-hybridagent: use table, wide or json", s.Output)
			}
			return nil
		},
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(flagError)
	// cobra sets this default only on its own unknown-command path, which
	// the root RunE replaces.
	root.SuggestionsMinimumDistance = 2
	root.CompletionOptions.HiddenDefaultCmd = false
	addGlobalFlags(root, f.Global)
	// Not cobra's Version field: its template ignores -o json, and
	// --version should print exactly what the version command prints.
	root.Flags().BoolVar(&showVersion, "version", false, "print the version (as 'hybridmgmt version' does)")

	signsIn := []*cobra.Command{
		NewCmdGetHybridAgent(f, nil),
		NewCmdGetHybridApplication(f, nil),
		NewCmdNewHybridApplication(f, nil),
		NewCmdUpdateHybridApplication(f, nil),
		NewCmdRemoveHybridApplication(f, nil),
		NewCmdTestHybridAgent(f, nil),
		NewCmdConnect(f, nil),
	}
	for _, c := range signsIn {
		addSignInFlags(c, f.Global)
	}
	root.AddCommand(signsIn...)
	root.AddCommand(
		NewCmdTestHybridConnectivity(f, nil),
		NewCmdDisconnect(f, nil),
		NewCmdVersion(f),
	)
	return root
}
