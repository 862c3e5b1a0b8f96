package connectivity

import (
	"fmt"

	"github.com/hybridmgmt/hybridmgmt/pkg/iisconfig"
)

// ExtendedProtectionName is the result name of the Extended Protection
// check of one Exchange server.
const ExtendedProtectionName = "Extended Protection (" + iisconfig.FrontEndEWS + ")"

// ExtendedProtectionRemediation is Microsoft's fix for Modern Hybrid: the
// agent's requests cannot carry a channel binding to the Exchange front
// end's TLS session, so the front-end EWS must be excluded, and the
// exclusion is then compensated by limiting who may reach EWS.
func ExtendedProtectionRemediation(server string) string {
	return `On ` + server + `, exclude the front-end EWS from Extended Protection with Microsoft's script: ` +
		`.\ExchangeExtendedProtectionManagement.ps1 -ExchangeServerNames ` + server + ` -ExcludeVirtualDirectories "EWSFrontEnd" ` +
		`(from an elevated Exchange Management Shell); then, as Microsoft asks, restrict inbound EWS on ` + server +
		` to the Hybrid Agent machines (IIS IP restrictions on Default Web Site/EWS or the server firewall).`
}

// ExtendedProtectionCheck judges one server's applicationHost.config:
// Allow or Require on the front-end EWS is the conflict with the Hybrid
// Agent; the back end keeping Require is Exchange's normal state and only
// noted. source names the file for the detail; readErr is the error of
// reading it, if any.
func ExtendedProtectionCheck(category, server, source string, data []byte, readErr error) Result {
	o := &outcome{}
	e := Endpoint{Category: category, Name: ExtendedProtectionName, Host: server, Check: "iis-config"}
	o.note("read " + source)
	if readErr != nil {
		o.fail(CauseIISConfig, "cannot read "+source+": "+readErr.Error(),
			"Run as an administrator, or copy the file from the Exchange server and pass the copy with --iis-config.")
		return o.result(e, 0)
	}
	cfg, err := iisconfig.Parse(data)
	if err != nil {
		o.fail(CauseIISConfig, "cannot parse "+source+": "+err.Error(),
			"Pass an unmodified copy of %windir%\\System32\\inetsrv\\config\\applicationHost.config from the Exchange server.")
		return o.result(e, 0)
	}
	if !cfg.ExchangeServer {
		o.note("the file has no Exchange Back End site: it may not come from an Exchange server")
	}
	fe, be := cfg.FrontEnd, cfg.BackEnd
	o.note(describeEP(fe))
	if be.TokenChecking != "" {
		o.note(describeEP(be) + " (normal for the back end)")
	}
	if fe.Enabled() {
		o.fail(CauseExtendedProtection,
			fmt.Sprintf("Extended Protection is %s on %s of %s: Exchange Online's requests through the Hybrid Agent fail (504 or timeout on /EWS/mrsproxy.svc)",
				fe.TokenChecking, iisconfig.FrontEndEWS, server),
			ExtendedProtectionRemediation(server))
	}
	return o.result(e, 0)
}

func describeEP(s iisconfig.Setting) string {
	if s.TokenChecking == "" {
		return s.Path + ": tokenChecking absent (None)"
	}
	from := ""
	if s.From != "" && s.From != s.Path {
		from = ", inherited from " + s.From
	}
	return s.Path + ": tokenChecking=" + s.TokenChecking + from
}
