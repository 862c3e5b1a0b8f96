package cmdlets

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
	"github.com/hybridmgmt/hybridmgmt/pkg/iostreams"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
	"github.com/hybridmgmt/hybridmgmt/pkg/validate"
)

// GetHybridAgentOptions are the inputs of get-hybridagent.
type GetHybridAgentOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (appproxy.API, error)
	Context context.Context
	Output  func() (output.Format, error)

	ConnectorGroup string
	// MinActive, when > 0, is the health gate: exit 5 when a selected
	// group has fewer active agents.
	MinActive int
}

// AgentView is one agent (connector) as printed.
type AgentView struct {
	ID                 string `json:"id"`
	MachineName        string `json:"machineName"`
	ExternalIP         string `json:"externalIp"`
	Status             string `json:"status"`
	Version            string `json:"version"`
	ConnectorGroupID   string `json:"connectorGroupId"`
	ConnectorGroupName string `json:"connectorGroupName"`
}

// NewCmdGetHybridAgent builds get-hybridagent.
func NewCmdGetHybridAgent(f *Factory, runF func(*GetHybridAgentOptions) error) *cobra.Command {
	opts := &GetHybridAgentOptions{IO: f.IO, Client: f.AppProxy, Output: f.outputFormat}
	cmd := &cobra.Command{
		Use:   "get-hybridagent",
		Short: "List the Hybrid Agents (App Proxy connectors) with their group and status",
		Long: heredoc.Doc(`
			List the tenant's App Proxy connectors with their connector group, status
			and version. Hybrid Agents installed by the Hybrid Configuration Wizard
			sit in the group "Default group for Exchange Online"; ordinary App Proxy
			connectors are listed too, as Microsoft's module did.

			Graph allows connector listing only to a signed-in user with the
			Application Administrator or Global Administrator role: app-only
			credentials fail with exit code 3.

			--min-active N is a health gate for monitoring: after printing the
			list, exit 5 when the --connector-group (else any group that has
			agents) has fewer than N active agents. In table mode stderr then
			ends with one line per group, e.g.
			"Default group for Exchange Online: 2 of 3 active".
		`),
		Example: heredoc.Doc(`
			hybridmgmt get-hybridagent --user-principal-name admin@contoso.com
			hybridmgmt get-hybridagent -o json --connector-group "Default group for Exchange Online"
			echo "$PW" | hybridmgmt get-hybridagent --username admin@contoso.com --password-stdin
			hybridmgmt get-hybridagent --min-active 2 -o json   # monitoring: exit 5 below two active agents
		`),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("connector-group") {
				if _, err := validate.Name("--connector-group", opts.ConnectorGroup); err != nil {
					return err
				}
			}
			if opts.MinActive < 0 || opts.MinActive > 1000 {
				return exitcode.Usagef("--min-active %d must be between 1 and 1000", opts.MinActive)
			}
			if err := f.requireSignInConfig(); err != nil {
				return err
			}
			opts.Context = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return getHybridAgentRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.ConnectorGroup, "connector-group", "", "only agents in the connector group with this name")
	cmd.Flags().IntVar(&opts.MinActive, "min-active", 0, "exit 5 when a selected connector group has fewer active agents than this (health gate)")
	return cmd
}

func getHybridAgentRun(opts *GetHybridAgentOptions) error {
	format, err := opts.Output()
	if err != nil {
		return err
	}
	client, err := opts.Client()
	if err != nil {
		return err
	}
	if client.AppOnly() {
		return exitcode.Authf("get-hybridagent needs a signed-in user: Graph's connector APIs are delegated-only. Sign in with --user-principal-name (Application Administrator or Global Administrator); app-only credentials can manage applications but not list agents")
	}
	groups, err := client.ListConnectorGroups(opts.Context)
	if err != nil {
		return err
	}
	var agents []AgentView
	var selected []appproxy.ConnectorGroup
	found := false
	for _, g := range groups {
		if opts.ConnectorGroup != "" && !strings.EqualFold(g.Name, opts.ConnectorGroup) {
			continue
		}
		found = true
		if opts.ConnectorGroup != "" || len(g.Members) > 0 {
			selected = append(selected, g)
		}
		for _, m := range g.Members {
			agents = append(agents, AgentView{
				ID: m.ID, MachineName: m.MachineName, ExternalIP: m.ExternalIP, Status: m.Status,
				Version: m.Version, ConnectorGroupID: g.ID, ConnectorGroupName: g.Name,
			})
		}
	}
	if opts.ConnectorGroup != "" && !found {
		return exitcode.NotFoundf("no connector group named %q", opts.ConnectorGroup)
	}
	sort.SliceStable(agents, func(i, j int) bool {
		if agents[i].ConnectorGroupName != agents[j].ConnectorGroupName {
			return agents[i].ConnectorGroupName < agents[j].ConnectorGroupName
		}
		return strings.ToLower(agents[i].MachineName) < strings.ToLower(agents[j].MachineName)
	})
	err = output.Print(opts.IO.Out, format, agents, func() output.TableData {
		// On a narrow terminal the id goes first (get-hybridagent -o json
		// or -o wide has it), then the IP, the version, the group.
		t := output.TableData{Columns: []output.Column{
			{Header: "MACHINE NAME", Min: 20},
			{Header: "STATUS"},
			{Header: "VERSION", Priority: 2},
			{Header: "EXTERNAL IP", Priority: 3},
			{Header: "CONNECTOR GROUP", Priority: 1, Min: 16},
			{Header: "ID", Priority: 4, Min: 36},
		}}
		for _, a := range agents {
			t.Rows = append(t.Rows, []string{a.MachineName, a.Status, a.Version, a.ExternalIP, a.ConnectorGroupName, a.ID})
		}
		if len(agents) == 0 {
			t.Footer = []string{"no agents found"}
		}
		return t
	})
	if err != nil || opts.MinActive == 0 {
		return err
	}
	return healthGate(opts, format, selected)
}

// healthGate checks --min-active after the list is printed, so the
// evidence is on stdout even when the gate fails.
func healthGate(opts *GetHybridAgentOptions, format output.Format, groups []appproxy.ConnectorGroup) error {
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Name < groups[j].Name })
	var short, lines []string
	for _, g := range groups {
		active := ActiveAgents(g)
		lines = append(lines, fmt.Sprintf("%s: %d of %d active", output.EscapeTerminal(g.Name), active, len(g.Members)))
		if active < opts.MinActive {
			short = append(short, fmt.Sprintf("%q has %d of %d active", g.Name, active, len(g.Members)))
		}
	}
	if len(groups) == 0 {
		short = append(short, "no connector group has agents")
	}
	var err error
	if len(short) > 0 {
		err = exitcode.Wrap(exitcode.ErrChecksFailed, fmt.Errorf("fewer than %d active agents (--min-active): %s", opts.MinActive, strings.Join(short, "; ")))
	}
	if format != output.Table {
		// JSON callers (the PowerShell module) read the error line.
		return err
	}
	// Table mode: stderr ends with one line per group (the contract), so
	// the failure is said first and main adds nothing after the lines.
	if err != nil {
		fmt.Fprintln(opts.IO.ErrOut, "hybridmgmt: "+output.EscapeTerminal(err.Error()))
	}
	for _, l := range lines {
		fmt.Fprintln(opts.IO.ErrOut, l)
	}
	return exitcode.Reported(err)
}

// ActiveAgents counts the group's agents whose status is active.
func ActiveAgents(g appproxy.ConnectorGroup) int {
	n := 0
	for _, m := range g.Members {
		if strings.EqualFold(m.Status, "active") {
			n++
		}
	}
	return n
}
