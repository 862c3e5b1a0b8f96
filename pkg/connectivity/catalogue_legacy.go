package connectivity

// Categories of --legacy-list, named after the original module's groups.
const (
	catLegacyHTTP  = "Legacy: httpEndpoints"
	catLegacyHTTPS = "Legacy: httpsEndpoints"
	catLegacyO365  = "Legacy: o365Endpoints"
)

// legacyAgent is the host set of the original HybridManagement.psm1
// (H1, the 2019 list). The original only opened TCP connections; the same
// hosts get this tool's HTTP and HTTPS probes, which pass wherever a TCP
// test would and also catch proxy denials and TLS problems.
var legacyAgent = []Endpoint{
	{Category: catLegacyHTTP, Name: "mscrl.microsoft.com", Host: "mscrl.microsoft.com", Port: 80, Check: CheckHTTP, Source: "H1 $httpEndpoints"},
	{Category: catLegacyHTTP, Name: "crl.microsoft.com", Host: "crl.microsoft.com", Port: 80, Check: CheckHTTP, Source: "H1 $httpEndpoints"},
	{Category: catLegacyHTTP, Name: "ocsp.msocsp.com", Host: "ocsp.msocsp.com", Port: 80, Check: CheckHTTP, Source: "H1 $httpEndpoints"},
	{Category: catLegacyHTTP, Name: "www.microsoft.com", Host: "www.microsoft.com", Port: 80, Check: CheckHTTP, Source: "H1 $httpEndpoints"},
	{Category: catLegacyHTTPS, Name: "login.windows.net", Host: "login.windows.net", Port: 443, Check: CheckHTTPS, Source: "H1 $httpsEndpoints"},
	{Category: catLegacyHTTPS, Name: "login.microsoftonline.com", Host: "login.microsoftonline.com", Port: 443, Check: CheckHTTPS, Source: "H1 $httpsEndpoints"},
}

// legacyO365 is the original -TestO365Endpoints group (H1 $o365Endpoints).
var legacyO365 = []Endpoint{
	{Category: catLegacyO365, Name: "outlook.office.com", Host: "outlook.office.com", Port: 443, Check: CheckHTTPS, Source: "H1 $o365Endpoints"},
	{Category: catLegacyO365, Name: "outlook.office365.com", Host: "outlook.office365.com", Port: 443, Check: CheckHTTPS, Source: "H1 $o365Endpoints"},
	{Category: catLegacyO365, Name: "nexus.microsoftonline-p.com", Host: "nexus.microsoftonline-p.com", Port: 443, Check: CheckHTTPS, Source: "H1 $o365Endpoints"},
	{Category: catLegacyO365, Name: "login.microsoftonline.com", Host: "login.microsoftonline.com", Port: 443, Check: CheckHTTPS, Source: "H1 $o365Endpoints"},
}
