package connectivity

// chinaSignIn are the only documented 21Vianet hosts relevant here: the
// sign-in hosts (W1 and the cloud's authority). No connector endpoint
// list exists for China, so nothing else is probed. Their certificates
// come from CAs Microsoft does not list for Azure global, so no expected
// issuers are set.
var chinaSignIn = []Endpoint{
	{Category: catAgentSignIn, Name: "login.chinacloudapi.cn", Host: "login.chinacloudapi.cn", Port: 443, Check: CheckHTTPS, Source: "cloud authority host (pkg/cloud)"},
	{Category: catAgentSignIn, Name: "login.partner.microsoftonline.cn", Host: "login.partner.microsoftonline.cn", Port: 443, Check: CheckHTTPS, Source: "W1"},
}
