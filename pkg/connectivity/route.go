package connectivity

import (
	"fmt"
	"strconv"
)

// AgentToExchangeEndpoints are the checks of one target of the hybrid
// route as the agent reaches it: TCP (each address family), TLS with the
// chain and the name, and the two EWS paths Exchange Online uses
// answering IIS's Windows-auth 401. Names start with the host so several
// targets sort apart in one category.
func AgentToExchangeEndpoints(category, host string, port int) []Endpoint {
	e := func(name string, check Check, path, advice string) Endpoint {
		return Endpoint{Category: category, Name: host + ": " + name, Host: host, Port: port, Check: check, Path: path,
			Direct: true, Advice: advice, Source: "route: agent to internalUrl"}
	}
	p := strconv.Itoa(port)
	tcp := e("TCP "+p, CheckTCP, "", "")
	cert := e("TLS certificate", CheckTLS, "",
		fmt.Sprintf("The certificate on %s must chain to a root the agent machine trusts and name %s (HCW8078 otherwise); renew it before it expires.", host, host))
	cert.ExpiryWarnDays = 30
	ews := e("EWS /EWS/Exchange.asmx", CheckWindowsAuth, "/EWS/Exchange.asmx", ewsRemediation)
	mrs := e("MRSProxy /EWS/mrsproxy.svc", CheckWindowsAuth, "/EWS/mrsproxy.svc", mrsProxyRemediation)
	return []Endpoint{tcp, cert, ews, mrs}
}

// WithCategory copies e into another category (test-hybridagent reports
// the catalogue's route entry as its "Published route" hop).
func WithCategory(e Endpoint, category string) Endpoint {
	e.Category = category
	return e
}

// MachineCategory is the category of the Windows machine checks and the
// clock check in a prober run.
const MachineCategory = catMachine
