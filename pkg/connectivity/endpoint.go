package connectivity

// Check is how an endpoint is probed; each kind includes the steps of the
// one before it.
type Check string

const (
	// CheckTCP resolves the host and opens a TCP connection (through the
	// proxy: an HTTP CONNECT tunnel).
	CheckTCP Check = "tcp"
	// CheckTLS adds a TLS handshake that requires TLS 1.2 or later and a
	// chain verified against the trusted roots.
	CheckTLS Check = "tls"
	// CheckHTTPS adds GET Path; any HTTP answer over the verified session
	// means reachable (Microsoft hosts answer a bare GET with 400 or 404).
	CheckHTTPS Check = "https"
	// CheckHTTP is a plain-HTTP GET (CRL and OCSP on port 80); through a
	// proxy it is an absolute-URI GET, as Windows fetches CRLs.
	CheckHTTP Check = "http"
	// CheckWindowsAuth is an anonymous HTTPS GET that expects IIS's 401
	// challenge with Negotiate or NTLM (EWS and MRSProxy).
	CheckWindowsAuth Check = "windows-auth"
)

// tlsBased reports whether the check performs a TLS handshake.
func (c Check) tlsBased() bool {
	return c == CheckTLS || c == CheckHTTPS || c == CheckWindowsAuth
}

// scheme is the URL scheme used to ask the proxy configuration about this
// check: WinHTTP and NO_PROXY rules can differ per scheme.
func (c Check) scheme() string {
	if c == CheckHTTP {
		return "http"
	}
	return "https"
}

// Endpoint is one entry of the catalogue or of an --endpoints-file.
type Endpoint struct {
	Category string
	Name     string
	Host     string
	Port     int
	Check    Check
	// Path is the request path for http, https and windows-auth; "/" when
	// empty.
	Path string
	// ExpectedIssuers are the root (or intermediate) CA common names a
	// verified chain must contain; any other chain means TLS inspection.
	ExpectedIssuers []string
	// Source says where the entry comes from (docs and reviews).
	Source string
	// Direct probes never use the outbound proxy: the agent reaches
	// Exchange on the internal network, and WinRM cannot go through one.
	Direct bool
	// ExpiryWarnDays turns a certificate that expires sooner into a Warning.
	ExpiryWarnDays int
	// Advice is added to the remediation when the entry's own step fails
	// or warns (the HTTP step of an HTTP check, the handshake of a TLS
	// check), or the step AdviceStage names ("dns", ..., or "any").
	Advice      string
	AdviceStage string
}

func (e Endpoint) path() string {
	if e.Path == "" {
		return "/"
	}
	return e.Path
}

// mainStage is the step a check is about: its advice is for that step.
func (c Check) mainStage() string {
	switch c {
	case CheckTCP:
		return "tcp"
	case CheckTLS:
		return "tls"
	}
	return "http"
}
