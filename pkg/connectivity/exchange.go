package connectivity

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/hybridmgmt/hybridmgmt/pkg/redact"
)

// ExchangeCategory is the category of one --exchange-server's checks.
func ExchangeCategory(server string) string { return "Exchange server " + server }

// mrsProxyRemediation is the documented way to enable MRSProxy (X3).
// One literal each: the mutation tests would take a + in a constant for
// code no test reaches.
const mrsProxyRemediation = `Enable MRSProxy with Windows authentication on every Mailbox server the agent targets: Set-WebServicesVirtualDirectory -Identity "<server>\EWS (Default Web Site)" -MRSProxyEnabled $true -WindowsAuthentication $true, then check IIS and the MSExchange services; confirm with Get-WebServicesVirtualDirectory | fl MRSProxyEnabled.`

const ewsRemediation = `Check that the EWS virtual directory answers on this server (Get-WebServicesVirtualDirectory -Server <server> | fl *Url,*Authentication), that IIS and the MSExchange services run, and that nothing in front of Exchange strips authentication.`

// ExchangeEndpoints are the agent-to-Exchange checks for one server or
// load balancer (X1: 443, 80, 5985 and 5986 open; X3: MRSProxy; X5:
// remote PowerShell on 80). They always go direct: the agent reaches
// Exchange on the internal network, and WinRM does not use a web proxy.
func ExchangeEndpoints(server string) []Endpoint {
	cat := ExchangeCategory(server)
	e := func(name string, port int, check Check, path, advice string) Endpoint {
		return Endpoint{Category: cat, Name: name, Host: server, Port: port, Check: check, Path: path,
			Direct: true, Advice: advice, Source: "X1/X3/X5"}
	}
	tcp := e("TCP 443 (HTTPS: EWS, MRSProxy, Autodiscover)", 443, CheckTCP, "", "")
	tcp80 := e("TCP 80 (remote PowerShell)", 80, CheckTCP, "", "")
	winrm := e("TCP 5985 (WinRM HTTP)", 5985, CheckTCP, "", "")
	winrms := e("TCP 5986 (WinRM HTTPS)", 5986, CheckTCP, "", "")
	cert := e("Certificate (443)", 443, CheckTLS, "",
		"The Exchange certificate must chain to a root this machine trusts and name "+server+" (HCW8078 otherwise); renew it before it expires.")
	cert.ExpiryWarnDays = 30
	ews := e("EWS /EWS/Exchange.asmx", 443, CheckWindowsAuth, "/EWS/Exchange.asmx", ewsRemediation)
	mrs := e("MRSProxy /EWS/mrsproxy.svc", 443, CheckWindowsAuth, "/EWS/mrsproxy.svc", mrsProxyRemediation)
	ps := e("Remote PowerShell /PowerShell/", 80, CheckHTTP, "/PowerShell/",
		"The HCW configures Exchange through http://"+server+"/PowerShell/ (Kerberos, port 80): open TCP 80 and check the PowerShell virtual directory.")
	return []Endpoint{tcp, tcp80, winrm, winrms, cert, ews, mrs, ps}
}

// authSchemes lists the scheme names of every WWW-Authenticate challenge
// (one header may carry several, e.g. `Negotiate, NTLM` or
// `Basic realm="x", Negotiate`).
func authSchemes(h http.Header) []string {
	var out []string
	for _, v := range h.Values("WWW-Authenticate") {
		for _, part := range splitChallenges(v) {
			f := strings.Fields(part)
			if len(f) > 0 && !strings.Contains(f[0], "=") {
				out = append(out, f[0])
			}
		}
	}
	return out
}

// splitChallenges splits on commas outside quotes; auth-params after a
// scheme contain "=", which authSchemes then ignores.
func splitChallenges(v string) []string {
	var parts []string
	inQuote := false
	start := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				parts = append(parts, strings.TrimSpace(v[start:i]))
				start = i + 1
			}
		}
	}
	return append(parts, strings.TrimSpace(v[start:]))
}

func hasScheme(schemes []string, names ...string) bool {
	for _, s := range schemes {
		for _, n := range names {
			if strings.EqualFold(s, n) {
				return true
			}
		}
	}
	return false
}

// classifyWindowsAuth interprets an anonymous GET of an IIS virtual
// directory. A 401 with Negotiate or NTLM proves only that the directory
// is published with Windows authentication: IIS answers before WCF runs,
// so whether MRSProxy is enabled cannot be seen anonymously.
func classifyWindowsAuth(o *outcome, e Endpoint, resp *http.Response) {
	schemes := authSchemes(resp.Header)
	status := fmt.Sprintf("HTTP %d", resp.StatusCode)
	if len(schemes) > 0 {
		status += " (WWW-Authenticate: " + strings.Join(schemes, ", ") + ")"
	}
	o.note(status)
	isMRS := strings.Contains(strings.ToLower(e.Path), "mrsproxy")
	// ifs rather than a switch: Go's coverage profile, which the mutation
	// tests read, does not see case expressions (docs/testing.md).
	if resp.StatusCode == http.StatusUnauthorized {
		unauthorized(o, schemes, isMRS)
		return
	}
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode >= 500 {
		o.fail(CauseHTTPError, fmt.Sprintf("%s %s answered HTTP %d", e.Host, e.path(), resp.StatusCode), "")
		return
	}
	if resp.StatusCode >= 400 {
		o.fail(CauseHTTPError, fmt.Sprintf("%s %s refused the request with HTTP %d", e.Host, e.path(), resp.StatusCode),
			"Check the virtual directory's SSL and IP restrictions in IIS.")
		return
	}
	what := "answered without asking for authentication"
	if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && loc != "" {
		what = "redirects to " + redact.ServerText(loc, redact.MaxServerText)
	}
	o.warn(CauseAuthScheme, fmt.Sprintf("%s %s: expected a 401 Windows-auth challenge", e.path(), what),
		"Something in front of Exchange (load balancer, reverse proxy, SSL offloading) changes the answer; MRSProxy does not support SSL offloading.")
}

// unauthorized judges IIS's 401 by the schemes it offers.
func unauthorized(o *outcome, schemes []string, isMRS bool) {
	if hasScheme(schemes, "Negotiate", "NTLM") {
		if isMRS {
			o.note("reachable, Windows auth (an anonymous probe cannot tell whether MRSProxy is enabled: confirm with Get-WebServicesVirtualDirectory | fl MRSProxyEnabled)")
		} else {
			o.note("reachable, Windows auth")
		}
		return
	}
	if hasScheme(schemes, "Basic") {
		o.warn(CauseAuthScheme, "only Basic authentication is offered: Exchange Online needs Windows authentication (Negotiate/NTLM) on the EWS virtual directory",
			`Enable Windows authentication: Set-WebServicesVirtualDirectory -Identity "<server>\EWS (Default Web Site)" -WindowsAuthentication $true.`)
		return
	}
	o.warn(CauseAuthScheme, "401 without a Negotiate or NTLM challenge: something in front of Exchange answers instead of IIS",
		"Check load balancers or reverse proxies between this machine and Exchange; the agent needs Windows authentication end to end.")
}
