package connectivity

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Resolver is the DNS lookup the probes use; *net.Resolver satisfies it,
// tests map names to 127.0.0.1.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Dialer opens TCP connections; *net.Dialer satisfies it.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// bindConn makes blocking reads and writes on conn honour ctx: its
// deadline bounds them, and cancelling (Ctrl-C) unblocks them at once.
func bindConn(ctx context.Context, conn net.Conn) (release func()) {
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	return func() { stop() }
}

// resolved holds one host's addresses per family.
type resolved struct {
	literal bool
	v4, v6  []net.IP
}

func (p *Prober) resolve(ctx context.Context, host string) (resolved, error) {
	if ip := net.ParseIP(host); ip != nil {
		if ip.To4() != nil {
			return resolved{literal: true, v4: []net.IP{ip}}, nil
		}
		return resolved{literal: true, v6: []net.IP{ip}}, nil
	}
	addrs, err := p.Resolver.LookupIPAddr(ctx, host)
	if err != nil {
		return resolved{}, err
	}
	var r resolved
	for _, a := range addrs {
		if a.IP.To4() != nil {
			r.v4 = append(r.v4, a.IP)
		} else {
			r.v6 = append(r.v6, a.IP)
		}
	}
	if len(r.v4)+len(r.v6) == 0 {
		return r, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	return r, nil
}

// describe is the DNS step's detail: both families, always named, so an
// admin sees at once when IPv6 is in play.
func (r resolved) describe() string {
	list := func(ips []net.IP) string {
		if len(ips) == 0 {
			return "none"
		}
		var s []string
		for i, ip := range ips {
			if i == 3 {
				s = append(s, fmt.Sprintf("+%d more", len(ips)-3))
				break
			}
			s = append(s, ip.String())
		}
		return strings.Join(s, ", ")
	}
	if r.literal {
		return "IP literal"
	}
	return "DNS: IPv4 " + list(r.v4) + "; IPv6 " + list(r.v6)
}

// dialAny tries ips in order until one connects, as Windows does.
func (p *Prober) dialAny(ctx context.Context, network string, ips []net.IP, port int) (net.Conn, error) {
	var last error
	for _, ip := range ips {
		c, err := p.Dialer.DialContext(ctx, network, net.JoinHostPort(ip.String(), strconv.Itoa(port)))
		if err == nil {
			return c, nil
		}
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, last
}

// dialHost resolves and connects without the per-family report: for the
// proxy itself, the direct-path comparison and TLS re-probes.
func (p *Prober) dialHost(ctx context.Context, host string, port int) (net.Conn, error) {
	r, err := p.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	return p.dialAny(ctx, "tcp", append(append([]net.IP(nil), r.v4...), r.v6...), port)
}
