package connectivity

// Cause names why a check did not pass, as one code from a fixed,
// documented vocabulary (docs/test-hybridconnectivity.md): scripts and
// reports group on it, so codes are never renamed, only added.
type Cause string

// The vocabulary. Each code is set where the prober learns it from a
// typed outcome (a *net.DNSError, an errno, an x509 error, a CONNECT
// status), never by matching the error text afterwards.
const (
	CauseNone                Cause = ""
	CauseDNSNotFound         Cause = "dns-not-found"
	CauseDNSNoAnswer         Cause = "dns-no-answer"
	CauseTCPRefused          Cause = "tcp-refused"
	CauseTCPTimeout          Cause = "tcp-timeout"
	CauseTCPUnreachable      Cause = "tcp-unreachable"
	CauseIPFamily            Cause = "ip-family"
	CauseTLSTimeout          Cause = "tls-timeout"
	CauseTLSVersion          Cause = "tls-version"
	CauseTLSUntrusted        Cause = "tls-untrusted"
	CauseTLSNameMismatch     Cause = "tls-name-mismatch"
	CauseTLSExpired          Cause = "tls-expired"
	CauseTLSExpiring         Cause = "tls-expiring"
	CauseTLSInspection       Cause = "tls-inspection"
	CauseTLSHandshake        Cause = "tls-handshake"
	CauseHTTPTimeout         Cause = "http-timeout"
	CauseProxyUnreachable    Cause = "proxy-unreachable"
	CauseProxyDenied         Cause = "proxy-denied"
	CauseProxyAuthRequired   Cause = "proxy-auth-required"
	CauseProxyUpstreamFailed Cause = "proxy-upstream-failed"
	CauseAuthScheme          Cause = "auth-scheme"
	CauseHTTPError           Cause = "http-error"
	CauseExtendedProtection  Cause = "extended-protection"
	CauseNoActiveAgent       Cause = "no-active-agent"
	CauseSingleAgent         Cause = "single-agent"
	CauseAgentVersion        Cause = "agent-version"
	CauseDuplicateInternal   Cause = "duplicate-internal-url"
	CauseNotPublished        Cause = "not-published"
	CauseNoConnectorGroup    Cause = "no-connector-group"
	CauseIISConfig           Cause = "iis-config-unreadable"
	CauseMachineConfig       Cause = "machine-config"
	CauseClockSkew           Cause = "clock-skew"
	CauseUnsupportedCloud    Cause = "unsupported-cloud"
	CauseRunTimeLimit        Cause = "run-time-limit"
	CauseNotRun              Cause = "not-run"
)

// CauseInfo is what a report says about a cause: plain words for the
// network team and the one remediation that fixes most instances of it.
type CauseInfo struct {
	Code        Cause
	Words       string
	Remediation string
	// Network marks causes a firewall, proxy or TLS device in the path
	// produces: the ones a firewall request can fix.
	Network bool
}

// causes is the documented vocabulary in its documented order.
var causes = []CauseInfo{
	{CauseDNSNotFound, "the name does not resolve (DNS: not found)", "Make sure this machine's DNS resolves public names, including every CNAME in the chain (Resolve-DnsName <host>).", true},
	{CauseDNSNoAnswer, "the DNS server did not answer", "Check this machine's DNS servers and that outbound DNS (UDP/TCP 53) to them is allowed.", true},
	{CauseTCPRefused, "the connection is refused (TCP reset)", "Allow outbound TCP to this host and port on the firewall for Network Service, or configure the outbound proxy.", true},
	{CauseTCPTimeout, "the connection is silently dropped (TCP timeout)", "A firewall drops outbound TCP to this host: allow it for Network Service, or configure the outbound proxy.", true},
	{CauseTCPUnreachable, "no network route to the host", "Check routing and firewalls between this machine and the host.", true},
	{CauseIPFamily, "one address family (usually IPv6) is broken", "Fix the IPv6 path (firewall, routing) or stop using IPv6 for this host on this machine: Windows prefers IPv6.", true},
	{CauseTLSTimeout, "TLS never completes (a device accepts the connection and holds it)", "A firewall, IPS or proxy accepts the connection and then holds it: allow TLS to the host.", true},
	{CauseTLSVersion, "the server or path offers only TLS 1.0/1.1", remedyTLS12, true},
	{CauseTLSUntrusted, "the certificate chain is not trusted", remedyUntrusted, true},
	{CauseTLSNameMismatch, "the certificate does not name the host", "Use a certificate whose subject alternative names include the host name that is tested.", false},
	{CauseTLSExpired, "the certificate has expired", "Renew the certificate, and check this machine's clock.", false},
	{CauseTLSExpiring, "the certificate expires soon", "Renew the certificate before it expires.", false},
	{CauseTLSInspection, "TLS inspection replaces Microsoft's certificate", "Exempt the Microsoft hosts from TLS inspection on the proxy or firewall: the connector's certificate authentication breaks behind it.", true},
	{CauseTLSHandshake, "the TLS handshake fails", "Check that nothing in the path terminates or blocks TLS to this host.", true},
	{CauseHTTPTimeout, "the request gets no answer", "The connection works but the request gets no answer: check proxies, IPS or load balancers in the path.", true},
	{CauseProxyUnreachable, "the outbound proxy cannot be reached or used", "Check the proxy address (--proxy, HTTPS_PROXY or WinHTTP) and that this machine may reach it.", true},
	{CauseProxyDenied, "the proxy denies the connection (HTTP 403)", "Allow CONNECT (and plain GET on port 80) to the Microsoft hosts on the proxy for this machine.", true},
	{CauseProxyAuthRequired, "the proxy requires authentication (HTTP 407)", remedyProxyAuth, true},
	{CauseProxyUpstreamFailed, "the proxy cannot reach the host (proxy 5xx)", "The proxy itself cannot reach the host: check the proxy's DNS and outbound firewall.", true},
	{CauseAuthScheme, "EWS does not offer Windows authentication", `Enable Windows authentication on EWS: Set-WebServicesVirtualDirectory -Identity "<server>\EWS (Default Web Site)" -WindowsAuthentication $true; check load balancers that change the answer.`, false},
	{CauseHTTPError, "the server answers with an HTTP error", ewsRemediation, false},
	{CauseExtendedProtection, "Extended Protection is on for the front-end EWS", `Exclude the front-end EWS from Extended Protection: .\ExchangeExtendedProtectionManagement.ps1 -ExchangeServerNames <server> -ExcludeVirtualDirectories "EWSFrontEnd", then restrict inbound EWS on that server to the agent machines.`, false},
	{CauseNoActiveAgent, "no active agent serves the application (the 504 case)", "Start the Microsoft Hybrid Service (mshybridsvc) on an agent machine in the application's connector group, or install an agent there; check its outbound path with test-hybridconnectivity.", false},
	{CauseSingleAgent, "only one agent is active (no redundancy)", "Install a second Hybrid Agent on another machine so the route survives one machine being down.", false},
	{CauseAgentVersion, "an agent is too old (below 1.5.1526.0, TLS 1.2-only service)", "Upgrade the Hybrid Agent: re-run the Modern HCW on that machine, or install the current agent.", false},
	{CauseDuplicateInternal, "another App Proxy application uses the same internal URL", "Remove or change the other application (InternalUrl_Duplicate), then re-run the Modern HCW.", false},
	{CauseNotPublished, "the hybrid application is missing or not published", "Re-run the Modern HCW (or new-hybridapplication) to publish the route.", false},
	{CauseNoConnectorGroup, "no connector group serves the application", "Assign the application to the connector group with the agents (new-hybridapplication assigns it; or re-run the Modern HCW).", false},
	{CauseIISConfig, "the IIS configuration could not be read or parsed", "Copy %windir%\\System32\\inetsrv\\config\\applicationHost.config from the Exchange server (as an administrator) and pass the copy with --iis-config.", false},
	{CauseMachineConfig, "this machine's configuration", "Fix the machine setting the row names (TLS 1.2, .NET, service, proxy), then restart mshybridsvc.", false},
	{CauseClockSkew, "the clock is skewed", "Synchronise the clock (w32tm /resync; check the domain time hierarchy).", false},
	{CauseUnsupportedCloud, "Modern Hybrid is not supported in this cloud", "Use Classic Hybrid in this cloud.", false},
	{CauseRunTimeLimit, "the run hit --max-duration", "Raise --max-duration, or lower --timeout or raise --parallel so the run fits.", false},
	{CauseNotRun, "the check did not run here", "", false},
}

// Causes returns the vocabulary in its documented order.
func Causes() []CauseInfo { return append([]CauseInfo(nil), causes...) }

// Info describes c; an unknown code gets its code as its words.
func (c Cause) Info() CauseInfo {
	for _, ci := range causes {
		if ci.Code == c {
			return ci
		}
	}
	return CauseInfo{Code: c, Words: string(c)}
}

// Headline is the "Most likely cause" of a run: the cause shared by the
// most Failed results (ties go to the one met first in result order,
// which is route order for test-hybridagent), with the remediation most
// of those results carry.
type Headline struct {
	Cause       CauseInfo
	Count       int
	Remediation string
}

// MostLikelyCause returns the headline, or false when nothing Failed.
func MostLikelyCause(rs []Result) (Headline, bool) {
	count := map[Cause]int{}
	var order []Cause
	for _, r := range rs {
		if r.Status != Failed || r.Cause == "" {
			continue
		}
		if count[r.Cause] == 0 {
			order = append(order, r.Cause)
		}
		count[r.Cause]++
	}
	if len(order) == 0 {
		return Headline{}, false
	}
	best := order[0]
	for _, c := range order[1:] {
		if count[c] > count[best] {
			best = c
		}
	}
	// The rows' own remediation is specific (it names the host and port
	// or the proxy); when most rows of the cause share one text, that
	// text is the headline's, so the rows need not repeat it.
	h := Headline{Cause: best.Info(), Count: count[best], Remediation: best.Info().Remediation}
	texts := map[string]int{}
	for _, r := range rs {
		if r.Status == Failed && r.Cause == best && r.Remediation != "" {
			texts[r.Remediation]++
		}
	}
	// At most one text is shared by more than half of the rows, so the
	// map's order does not matter.
	for text, n := range texts {
		if n*2 > count[best] {
			h.Remediation = text
		}
	}
	return h, true
}

// Line is the contract line: "Most likely cause: <words> (<N> checks)",
// "(1 check)" for one.
func (h Headline) Line() string {
	return "Most likely cause: " + h.Cause.Words + " (" + Plural(h.Count, "check") + ")"
}
