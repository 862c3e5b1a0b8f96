package connectivity

// usGovAgent is the documented Azure Government list (E5), which the
// connector shares with the pass-through authentication agent. E5 names
// *.msappproxy.us and *.servicebus.usgovcloudapi.net only as wildcards and
// no source gives a concrete host for them, so they are not probed here:
// --app-id probes the tenant's own *.msappproxy.us route.
var usGovAgent = []Endpoint{
	{Category: catAgentCerts, Name: "mscrl.microsoft.us", Host: "mscrl.microsoft.us", Port: 80, Check: CheckHTTP, Source: "E5"},
	{Category: catAgentCerts, Name: "crl.microsoft.us", Host: "crl.microsoft.us", Port: 80, Check: CheckHTTP, Source: "E5"},
	{Category: catAgentCerts, Name: "ocsp.msocsp.us", Host: "ocsp.msocsp.us", Port: 80, Check: CheckHTTP, Source: "E5"},
	{Category: catAgentCerts, Name: "www.microsoft.us", Host: "www.microsoft.us", Port: 80, Check: CheckHTTP, Source: "E5"},
	{Category: catAgentCerts, Name: "ctldl.windowsupdate.us", Host: "ctldl.windowsupdate.us", Port: 80, Check: CheckHTTP, Source: "E5"},

	{Category: catAgentSignIn, Name: "login.microsoftonline.us (*.microsoftonline.us)", Host: "login.microsoftonline.us", Port: 443, Check: CheckHTTPS, Source: "E5 *.microsoftonline.us; the US Gov authority host"},
	{Category: catAgentSignIn, Name: "login.windows.us", Host: "login.windows.us", Port: 443, Check: CheckHTTPS, Source: "E5"},
	{Category: catAgentSignIn, Name: "secure.aadcdn.microsoftonline-p.com", Host: "secure.aadcdn.microsoftonline-p.com", Port: 443, Check: CheckHTTPS, Source: "E5"},
	{Category: catAgentSignIn, Name: "enterpriseregistration.windows.net", Host: "enterpriseregistration.windows.net", Port: 443, Check: CheckHTTPS, Source: "E5"},
	{Category: catAgentSignIn, Name: "management.azure.com", Host: "management.azure.com", Port: 443, Check: CheckHTTPS, Source: "E5"},
	{Category: catAgentSignIn, Name: "policykeyservice.dc.ad.msft.net", Host: "policykeyservice.dc.ad.msft.net", Port: 443, Check: CheckHTTPS, Source: "E5"},
}
