package connectivity

// Categories of the built-in catalogue. Results sort by category, so the
// names also fix the order of the table.
const (
	catAgentService = "Agent: cloud service (HTTPS 443)"
	catAgentCerts   = "Agent: certificates and revocation (HTTP 80)"
	catAgentSignIn  = "Agent: sign-in and registration (HTTPS 443)"
	catHCW          = "HCW (HTTPS 443)"
	catO365         = "Exchange Online (from every Mailbox server)"
	catRoute        = "Published route"
	catMachine      = "Machine"
	catCloud        = "Cloud"
)

// Source tags refer to the Sources section of docs/test-hybridconnectivity.md:
// E1 = Entra "configure connectors" (current connector URL table),
// E5 = Entra hybrid government cloud reference, E7 = connector download
// page, Q1 = later psm1 builds seen in Q&A transcripts, M1/M2 = Microsoft
// 365 endpoint lists, X1 = Hybrid Agent doc, W1 = national-cloud sign-in.

// globalAgent is the connector's current outbound list for the Global
// cloud (E1). Wildcards are probed through one concrete host each.
var globalAgent = []Endpoint{
	{Category: catAgentService, Name: "watchdog.servicebus.windows.net (*.servicebus.windows.net)", Host: "watchdog.servicebus.windows.net", Port: 443, Check: CheckHTTPS,
		Source: "E1 *.servicebus.windows.net; concrete host from the later psm1 builds (Q1)"},
	{Category: catAgentService, Name: "download.msappproxy.net (*.msappproxy.net)", Host: "download.msappproxy.net", Port: 443, Check: CheckHTTPS,
		Source: "E1 *.msappproxy.net; concrete host from the connector download page (E7)"},

	{Category: catAgentCerts, Name: "crl3.digicert.com", Host: "crl3.digicert.com", Port: 80, Check: CheckHTTP, Source: "E1 CRL"},
	{Category: catAgentCerts, Name: "crl4.digicert.com", Host: "crl4.digicert.com", Port: 80, Check: CheckHTTP, Source: "E1 CRL"},
	{Category: catAgentCerts, Name: "ocsp.digicert.com", Host: "ocsp.digicert.com", Port: 80, Check: CheckHTTP, Source: "E1 OCSP"},
	{Category: catAgentCerts, Name: "crl.microsoft.com", Host: "crl.microsoft.com", Port: 80, Check: CheckHTTP, Source: "E1 CRL"},
	{Category: catAgentCerts, Name: "oneocsp.microsoft.com", Host: "oneocsp.microsoft.com", Port: 80, Check: CheckHTTP, Source: "E1 OCSP"},
	{Category: catAgentCerts, Name: "ocsp.msocsp.com", Host: "ocsp.msocsp.com", Port: 80, Check: CheckHTTP, Source: "E1 OCSP"},
	{Category: catAgentCerts, Name: "ctldl.windowsupdate.com", Host: "ctldl.windowsupdate.com", Port: 80, Check: CheckHTTP, Source: "E1 registration, certificate trust lists"},
	{Category: catAgentCerts, Name: "www.microsoft.com/pkiops", Host: "www.microsoft.com", Port: 80, Check: CheckHTTP, Path: "/pkiops/", Source: "E1 registration, PKI"},

	{Category: catAgentSignIn, Name: "login.microsoftonline.com (*.microsoftonline.com)", Host: "login.microsoftonline.com", Port: 443, Check: CheckHTTPS,
		Path: "/common/v2.0/.well-known/openid-configuration", Source: "E1 *.microsoftonline.com"},
	{Category: catAgentSignIn, Name: "login.windows.net", Host: "login.windows.net", Port: 443, Check: CheckHTTPS, Source: "E1"},
	{Category: catAgentSignIn, Name: "secure.aadcdn.microsoftonline-p.com (*.microsoftonline-p.com)", Host: "secure.aadcdn.microsoftonline-p.com", Port: 443, Check: CheckHTTPS, Source: "E1"},
	{Category: catAgentSignIn, Name: "aadcdn.msauth.net (*.msauth.net)", Host: "aadcdn.msauth.net", Port: 443, Check: CheckHTTPS,
		Source: "E1 *.msauth.net; concrete host is our choice (the sign-in page's script CDN), not documented"},
	{Category: catAgentSignIn, Name: "aadcdn.msftauth.net (*.msftauth.net)", Host: "aadcdn.msftauth.net", Port: 443, Check: CheckHTTPS,
		Source: "E1 *.msftauth.net; concrete host is our choice (the sign-in page's script CDN), not documented"},
	{Category: catAgentSignIn, Name: "enterpriseregistration.windows.net", Host: "enterpriseregistration.windows.net", Port: 443, Check: CheckHTTPS, Source: "E1"},
	{Category: catAgentSignIn, Name: "management.azure.com", Host: "management.azure.com", Port: 443, Check: CheckHTTPS, Source: "E1"},
	{Category: catAgentSignIn, Name: "ctldl.windowsupdate.com", Host: "ctldl.windowsupdate.com", Port: 443, Check: CheckHTTPS, Source: "E1"},
	{Category: catAgentSignIn, Name: "www.microsoft.com/pkiops", Host: "www.microsoft.com", Port: 443, Check: CheckHTTPS, Path: "/pkiops/", Source: "E1"},
}

// globalHCW are the Hybrid Configuration Wizard's download and
// configuration hosts (M2 rows 9 and 11).
var globalHCW = []Endpoint{
	{Category: catHCW, Name: "aka.ms/hybridwizard", Host: "aka.ms", Port: 443, Check: CheckHTTPS, Path: "/hybridwizard", Source: "M2 row 9"},
	{Category: catHCW, Name: "shcwreleaseprod.blob.core.windows.net", Host: "shcwreleaseprod.blob.core.windows.net", Port: 443, Check: CheckHTTPS, Path: "/shcw/", Source: "M2 row 9"},
	{Category: catHCW, Name: "mshybridservice.trafficmanager.net", Host: "mshybridservice.trafficmanager.net", Port: 443, Check: CheckHTTPS, Source: "M2 row 9"},
	{Category: catHCW, Name: "asl.configure.office.com", Host: "asl.configure.office.com", Port: 443, Check: CheckHTTPS, Source: "M2 row 9"},
	{Category: catHCW, Name: "tds.configure.office.com", Host: "tds.configure.office.com", Port: 443, Check: CheckHTTPS, Source: "M2 row 9"},
}

// o365Advice travels with every Exchange Online entry: on-premises to
// cloud free/busy does not use the agent (X1), so each Mailbox server
// needs these hosts itself.
const o365Advice = "Run this check on every Exchange Mailbox server: on-premises free/busy to Exchange Online goes direct from each server (or through its InternetWebProxy: Get-ExchangeServer | fl InternetWebProxy), not through the agent."

// globalO365 are the Exchange Online hosts the on-premises servers need
// (M1 IDs 1 and 56, OAuth and DAuth metadata hosts from HCW transcripts).
var globalO365 = []Endpoint{
	{Category: catO365, Name: "outlook.office365.com", Host: "outlook.office365.com", Port: 443, Check: CheckHTTPS, Path: "/EWS/Exchange.asmx", Source: "M1 ID 1; EWS endpoint of the organization relationship"},
	{Category: catO365, Name: "outlook.office.com", Host: "outlook.office.com", Port: 443, Check: CheckHTTPS, Source: "M1 ID 1"},
	{Category: catO365, Name: "autodiscover-s.outlook.com", Host: "autodiscover-s.outlook.com", Port: 443, Check: CheckHTTPS, Path: "/autodiscover/autodiscover.svc", Source: "IntraOrganizationConnector discovery endpoint (HCW transcript)"},
	{Category: catO365, Name: "nexus.microsoftonline-p.com", Host: "nexus.microsoftonline-p.com", Port: 443, Check: CheckHTTPS, Path: "/FederationMetadata/2006-12/FederationMetadata.xml", Source: "M1 ID 56; Microsoft Federation Gateway metadata (DAuth)"},
	{Category: catO365, Name: "login.microsoftonline.com", Host: "login.microsoftonline.com", Port: 443, Check: CheckHTTPS, Source: "M1 ID 56"},
	{Category: catO365, Name: "login.windows.net", Host: "login.windows.net", Port: 443, Check: CheckHTTPS, Source: "M1 ID 56; AuthServer federation metadata"},
	{Category: catO365, Name: "accounts.accesscontrol.windows.net", Host: "accounts.accesscontrol.windows.net", Port: 443, Check: CheckHTTPS, Source: "M1 ID 56; AuthServer metadata (OAuth)"},
}
