package connectivity

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
)

// tlsConfig verifies like the connector: TLS 1.2 or later, the chain
// checked against the trusted roots (the injected pool, or the system's,
// which honours SSL_CERT_FILE), the clock injected so expiry is testable.
func (p *Prober) tlsConfig(host string, minV, maxV uint16) *tls.Config {
	return &tls.Config{
		ServerName: host,
		MinVersion: minV,
		MaxVersion: maxV,
		RootCAs:    p.Roots,
		Time:       p.Now,
		// One HTTP/1.1 request follows; no ALPN keeps servers from
		// choosing h2.
		NextProtos: nil,
	}
}

func certName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	if len(c.Subject.Organization) > 0 {
		return c.Subject.Organization[0]
	}
	return c.Subject.String()
}

func issuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	return c.Issuer.String()
}

// handshake runs the TLS step on conn and records version, issuer, root
// and expiry. On failure it classifies the error, re-probing once to tell
// a TLS 1.0/1.1-only server from other handshake failures.
func (r *probeRun) handshake(ctx context.Context, conn net.Conn) (*tls.Conn, bool) {
	e, o := r.e, r.o
	o.stage = "tls"
	tc := tls.Client(conn, r.p.tlsConfig(e.Host, tls.VersionTLS12, 0))
	if err := tc.HandshakeContext(ctx); err != nil {
		r.tlsFailure(ctx, err)
		return nil, false
	}
	st := tc.ConnectionState()
	leaf := st.PeerCertificates[0]
	chain := st.VerifiedChains[0]
	root := chain[len(chain)-1]
	days := int(math.Floor(leaf.NotAfter.Sub(r.p.now()).Hours() / 24))
	o.note(fmt.Sprintf("%s, issuer %s, root %s, certificate expires in %d days", tls.VersionName(st.Version), issuerName(leaf), certName(root), days))
	if len(e.ExpectedIssuers) > 0 && !chainsMatch(st.VerifiedChains, e.ExpectedIssuers) {
		o.warn(CauseTLSInspection, "TLS inspection detected; the connector's certificate authentication breaks behind it; bypass inspection for these hosts",
			fmt.Sprintf("The chain ends at %q, not at a root Microsoft uses for this host: exempt %s from TLS inspection on the proxy or firewall.", certName(root), e.Host))
	}
	// A verified certificate has days >= 0, so ExpiryWarnDays 0 never warns.
	if days < e.ExpiryWarnDays {
		o.warn(CauseTLSExpiring, fmt.Sprintf("the certificate expires in %d days (%s)", days, leaf.NotAfter.UTC().Format("2006-01-02")), "Renew the certificate before it expires.")
	}
	return tc, true
}

// chainsMatch reports whether any verified chain has a CA (intermediate
// or root) named in expected.
func chainsMatch(chains [][]*x509.Certificate, expected []string) bool {
	for _, chain := range chains {
		start := 1
		if len(chain) == 1 {
			start = 0
		}
		for _, c := range chain[start:] {
			for _, want := range expected {
				if strings.EqualFold(strings.TrimSpace(want), c.Subject.CommonName) || strings.EqualFold(strings.TrimSpace(want), c.Subject.String()) {
					return true
				}
			}
		}
	}
	return false
}

const (
	// One literal each: the mutation tests would take a + in a constant
	// for code no test reaches.
	remedyTLS12     = "The connector requires TLS 1.2: enable TLS 1.2 on the server (or on the device in the path that terminates TLS), and on this machine set SCHANNEL TLS 1.2 Client/Server Enabled=1, DisabledByDefault=0 and .NET SchUseStrongCrypto=1, then reboot."
	remedyUntrusted = "If the issuer is your TLS-inspection or proxy CA, exempt this host from inspection (the connector's certificate authentication breaks behind it); otherwise install the missing root or intermediate on this machine or fix the server's chain."
)

func (r *probeRun) tlsFailure(ctx context.Context, err error) {
	o, e := r.o, r.e
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
	)
	// ifs rather than a switch: Go's coverage profile, which the mutation
	// tests read, does not see case expressions (docs/testing.md).
	if errors.As(err, &unknown) {
		issuer := "an unknown issuer"
		if unknown.Cert != nil {
			issuer = fmt.Sprintf("%q", issuerName(unknown.Cert))
		}
		remedy := remedyUntrusted
		if e.Direct {
			// Exchange itself: no inspection proxy sits on the internal path.
			remedy = "The Exchange certificate must chain to a root this machine trusts: install the issuing CA's root and intermediate " +
				"certificates on this machine (and every agent), or assign a certificate from a public CA to IIS on " + e.Host + " (Get-ExchangeCertificate | fl Thumbprint,Services,Issuer)."
		}
		o.fail(CauseTLSUntrusted, fmt.Sprintf("TLS: the certificate chain is not trusted here (issued by %s)", issuer), remedy)
		return
	}
	if errors.As(err, &hostname) {
		names := hostname.Certificate.DNSNames
		if len(names) == 0 {
			names = []string{hostname.Certificate.Subject.CommonName}
		}
		o.fail(CauseTLSNameMismatch, fmt.Sprintf("TLS: the certificate does not cover %s (it names %s)", e.Host, strings.Join(names, ", ")),
			"Use a certificate whose subject alternative names include "+e.Host+", or probe the name the certificate covers.")
		return
	}
	if errors.As(err, &invalid) {
		if invalid.Reason == x509.Expired {
			o.fail(CauseTLSExpired, "TLS: the certificate has expired or is not yet valid ("+invalid.Detail+")",
				"Renew the certificate, and check this machine's clock.")
			return
		}
		o.fail(CauseTLSUntrusted, "TLS: the certificate is not valid for TLS server use: "+invalid.Error(), "Fix the server certificate.")
		return
	}
	if errors.As(err, &record) {
		o.fail(CauseTLSHandshake, "TLS: the server answered something other than TLS", "Something on this port speaks plain text (a proxy or another service): check the port and the path.")
		return
	}
	if isTimeout(err) {
		o.fail(CauseTLSTimeout, fmt.Sprintf("TLS: no handshake answer within %s: the TCP connection was accepted but TLS never completed", r.plan.Timeout),
			"A firewall, IPS or proxy accepts the connection and then holds it: allow TLS to "+net.JoinHostPort(e.Host, fmt.Sprint(e.Port))+".")
		return
	}
	if ctx.Err() != nil {
		o.fail(CauseTLSTimeout, "TLS: "+netReason(ctx.Err()), "")
		return
	}
	if v, ok := r.legacyVersion(ctx); ok {
		o.fail(CauseTLSVersion, fmt.Sprintf("TLS: the server offers only %s; TLS 1.2 or later is required", v), remedyTLS12)
		return
	}
	o.fail(CauseTLSHandshake, "TLS handshake failed: "+err.Error(), "Check that nothing in the path terminates or blocks TLS to this host; "+remedyTLS12)
}

// legacyVersion opens a second connection that allows only TLS 1.0 and
// 1.1. Verification stays on: a certificate error here still means the
// server negotiated a legacy version, since the version comes first.
func (r *probeRun) legacyVersion(ctx context.Context) (string, bool) {
	conn, err := r.reopen(ctx)
	if err != nil {
		return "", false
	}
	defer conn.Close()
	release := bindConn(ctx, conn)
	defer release()
	tc := tls.Client(conn, r.p.tlsConfig(r.e.Host, tls.VersionTLS10, tls.VersionTLS11))
	err = tc.HandshakeContext(ctx)
	if err == nil {
		return tls.VersionName(tc.ConnectionState().Version), true
	}
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		return "TLS 1.0/1.1", true
	}
	return "", false
}
