package cmdlets

import (
	"context"
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
		`),
		Example: heredoc.Doc(`
			hybridmgmt get-hybridagent --user-principal-name admin@contoso.com
			hybridmgmt get-hybridagent -o json --connector-group "Default group for Exchange Online"
			echo "$PW" | hybridmgmt get-hybridagent --username admin@contoso.com --password-stdin
		`),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("connector-group") {
				if _, err := validate.Name("--connector-group", opts.ConnectorGroup); err != nil {
					return err
				}
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
	found := false
	for _, g := range groups {
		if opts.ConnectorGroup != "" && !strings.EqualFold(g.Name, opts.ConnectorGroup) {
			continue
		}
		found = true
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
	return output.Print(opts.IO.Out, format, agents, func() output.TableData {
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
}
