package cmdlets

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/hybridmgmt/hybridmgmt/pkg/cloud"
	"github.com/hybridmgmt/hybridmgmt/pkg/connectivity"
	"github.com/hybridmgmt/hybridmgmt/pkg/netproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/output"
)

// runInfo is a test run's metadata: what a report needs so that results
// from several servers can be told apart and merged.
type runInfo struct {
	Machine, OS, Version, Cloud, Proxy string
	Time                               time.Time
}

// newRunInfo collects the metadata; hostname is os.Hostname in
// production and fixed in tests.
func newRunInfo(hostname func() (string, error), version string, c cloud.Cloud, proxy netproxy.Choice, now time.Time) runInfo {
	if hostname == nil {
		hostname = os.Hostname
	}
	name, err := hostname()
	if err != nil || name == "" {
		name = "unknown"
	}
	p := "direct"
	if proxy.Func != nil {
		p = proxy.Describe(&url.URL{Scheme: "https", Host: "login.microsoftonline.com"})
		if p == "direct" && proxy.Source != "" && proxy.Source != "direct" {
			p = "direct (bypassed by the " + proxy.Source + " rules)"
		}
	}
	if version == "" {
		version = "dev"
	}
	return runInfo{Machine: name, OS: runtime.GOOS + "/" + runtime.GOARCH, Version: version, Cloud: c.Name, Proxy: p, Time: now.UTC()}
}

// stampMachine sets the machine field of every result (JSON contract).
func stampMachine(rs []connectivity.Result, machine string) {
	for i := range rs {
		rs[i].Machine = machine
	}
}

// headlineLines are the "Most likely cause" line and its one remediation,
// or nothing when no check failed.
func headlineLines(rs []connectivity.Result) ([]string, connectivity.Headline, bool) {
	h, ok := connectivity.MostLikelyCause(rs)
	if !ok {
		return nil, h, false
	}
	lines := []string{h.Line()}
	if h.Remediation != "" {
		lines = append(lines, "What to do: "+h.Remediation)
	}
	return lines, h, true
}

// fixLines are the per-row remediations after the table: one line per
// distinct advice (rows that share it are named together), without the
// advice the most-likely-cause line already gave.
func fixLines(rs []connectivity.Result, skip string) []string {
	type fix struct {
		labels []string
		text   string
	}
	var order []*fix
	byText := map[string]*fix{}
	for _, r := range rs {
		if r.Remediation == "" || (r.Status != connectivity.Failed && r.Status != connectivity.Warning) {
			continue
		}
		text := withoutHeadline(r.Remediation, skip)
		if text == "" {
			continue
		}
		f := byText[text]
		if f == nil {
			f = &fix{text: text}
			byText[text] = f
			order = append(order, f)
		}
		f.labels = append(f.labels, fmt.Sprintf("%s %s / %s", r.Status, r.Category, r.Name))
	}
	var out []string
	for _, f := range order {
		out = append(out, fmt.Sprintf("  %s: %s", strings.Join(f.labels, "; "), f.text))
	}
	return out
}

// withoutHeadline drops the advice the most-likely-cause line already
// gave from a row's remediation, keeping what is specific to the row.
func withoutHeadline(rem, headline string) string {
	if headline == "" {
		return rem
	}
	if rem == headline {
		return ""
	}
	return strings.TrimSpace(strings.TrimPrefix(rem, headline))
}

// target is host:port, or the host alone for checks without a port.
func target(r connectivity.Result) string {
	switch {
	case r.Host == "":
		return ""
	case r.Port == 0:
		return r.Host
	}
	return fmt.Sprintf("%s:%d", r.Host, r.Port)
}

// reportFor builds the markdown/HTML report of a test run.
func reportFor(title string, info runInfo, verdict []string, rs []connectivity.Result, sum connectivity.Summary) output.Report {
	r := output.Report{
		Title: title,
		Meta: []output.Field{
			{Label: "Machine", Value: info.Machine},
			{Label: "Operating system", Value: info.OS},
			{Label: "Time (UTC)", Value: info.Time.Format("2006-01-02 15:04:05") + " UTC"},
			{Label: "hybridmgmt version", Value: info.Version},
			{Label: "Cloud", Value: info.Cloud},
			{Label: "Outbound proxy", Value: info.Proxy},
		},
		Lead:           append([]string(nil), verdict...),
		FirewallIntro:  "Each row is a path from " + info.Machine + " that a firewall, proxy or TLS device blocks. The Hybrid Agent service runs as Network Service: allow the path for this machine, not for a user.",
		EmptyFirewall:  "No failed check points at the network: nothing to open.",
		ResultsHeading: "Every result",
		Columns:        []string{"Category", "Check", "Target", "Status", "Cause", "Detail", "Remediation"},
		Summary:        sum.String(),
	}
	lead, h, ok := headlineLines(rs)
	r.Lead = append(r.Lead, lead...)
	seen := map[output.FirewallRow]bool{}
	for _, res := range rs {
		// Several checks of one host and port fail for one reason; the
		// network team needs one line for it.
		if row, ok := firewallRow(res); ok && !seen[row] {
			seen[row] = true
			r.Firewall = append(r.Firewall, row)
		}
	}
	for _, res := range rs {
		detail := res.Detail
		if res.Error != "" {
			detail = strings.TrimPrefix(detail+" => "+res.Error, " => ")
		}
		fix := res.Remediation
		if ok && res.Status == connectivity.Failed && res.Cause == h.Cause.Code {
			if fix = withoutHeadline(fix, h.Remediation); fix == "" {
				fix = "see Most likely cause"
			}
		}
		if res.Status == connectivity.Passed || res.Status == connectivity.Skipped {
			fix = ""
		}
		r.Rows = append(r.Rows, output.ReportRow{Status: string(res.Status),
			Cells: []string{res.Category, res.Name, target(res), string(res.Status), string(res.Cause), detail, fix}})
	}
	return r
}

// firewallRow turns a Failed network result into a firewall request
// line; results whose cause the network team cannot fix are left out.
func firewallRow(r connectivity.Result) (output.FirewallRow, bool) {
	info := r.Cause.Info()
	if r.Status != connectivity.Failed || !info.Network || r.Host == "" {
		return output.FirewallRow{}, false
	}
	internal := strings.HasPrefix(r.Category, "Exchange server") || r.Category == catAgentToExchange
	switch r.Cause {
	case connectivity.CauseTLSUntrusted, connectivity.CauseTLSVersion, connectivity.CauseTLSHandshake:
		// On the internal path to Exchange these are the server's
		// certificate or TLS settings, not something a firewall opens.
		if internal {
			return output.FirewallRow{}, false
		}
	}
	via := "no (direct)"
	if strings.HasPrefix(r.Detail, "via proxy ") {
		p := strings.TrimPrefix(r.Detail, "via proxy ")
		if i := strings.Index(p, ";"); i >= 0 {
			p = p[:i]
		}
		via = "yes: " + p
	}
	account := "Network Service on this machine (the Hybrid Agent service, mshybridsvc)"
	ref := "https://learn.microsoft.com/exchange/hybrid-deployment/hybrid-agent"
	switch {
	case strings.Contains(r.Category, "Exchange Online"):
		account = "the Exchange servers' computer accounts (LocalSystem; free/busy and MRS run as services)"
		ref = "https://learn.microsoft.com/microsoft-365/enterprise/urls-and-ip-address-ranges"
	case internal:
		account = "Network Service on the agent machine (the Hybrid Agent reaches Exchange on the internal network)"
	case strings.Contains(r.Category, "Agent") || strings.Contains(r.Category, "Published route"):
		ref = "https://learn.microsoft.com/entra/identity/app-proxy/application-proxy-add-on-premises-application#allow-access-to-urls"
	}
	return output.FirewallRow{
		Host: r.Host, Port: fmt.Sprint(r.Port), Protocol: protocolOf(r.Check), Blocked: info.Words,
		ViaProxy: via, Account: account, Reference: ref,
	}, true
}

func protocolOf(check string) string {
	switch connectivity.Check(check) {
	case connectivity.CheckTCP:
		return "TCP"
	case connectivity.CheckHTTP:
		return "TCP (HTTP)"
	}
	return "TCP (HTTPS, TLS 1.2+)"
}

// writeReport renders rep in the report format f.
func writeReport(w io.Writer, f output.Format, rep output.Report) error {
	if f == output.HTML {
		return output.WriteHTML(w, rep)
	}
	return output.WriteMarkdown(w, rep)
}

// Hop categories of test-hybridagent, in route order.
const (
	catHybridApp       = "Hybrid application"
	catConnectorGroup  = "Connector group"
	catAgents          = "Agents"
	catPublishedRoute  = "Published route"
	catAgentToExchange = "Agent to Exchange"
	catExchangeServer  = "Exchange server"
	catThisMachine     = "This machine"
)
