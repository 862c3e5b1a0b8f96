package connectivity

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/hybridmgmt/hybridmgmt/pkg/redact"
)

// Windows socket error numbers: syscall.ECONNREFUSED and friends are Unix
// values, and the classification must work on both systems.
const (
	wsaeConnReset   = syscall.Errno(10054)
	wsaeNetUnreach  = syscall.Errno(10051)
	wsaeHostUnreach = syscall.Errno(10065)
	wsaeConnRefused = syscall.Errno(10061)
	wsaeTimedOut    = syscall.Errno(10060)
)

func isErrno(err error, errs ...syscall.Errno) bool {
	for _, e := range errs {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout()) || isErrno(err, syscall.ETIMEDOUT, wsaeTimedOut)
}

// netReason turns a dial or I/O error into the few words an admin acts on.
func netReason(err error) string {
	var dnsErr *net.DNSError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return "name not found"
	case errors.As(err, &dnsErr) && dnsErr.IsTimeout:
		return "DNS server did not answer"
	case errors.As(err, &dnsErr):
		return "DNS lookup failed (" + dnsErr.Err + ")"
	case isErrno(err, syscall.ECONNREFUSED, wsaeConnRefused):
		return "connection refused"
	case isErrno(err, syscall.ENETUNREACH, wsaeNetUnreach):
		return "network unreachable"
	case isErrno(err, syscall.EHOSTUNREACH, wsaeHostUnreach):
		return "host unreachable"
	case isErrno(err, syscall.ECONNRESET, wsaeConnReset):
		return "connection reset"
	case isTimeout(err):
		return "no answer (timed out)"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	// Other errors may quote what the server sent ("malformed HTTP
	// response ..."): one short, valid line.
	return redact.Cut(strings.ToValidUTF8(err.Error(), "\uFFFD"), 200)
}

// noRoute reports errors that mean this machine has no path for a family
// at all (typically no IPv6), which is configuration, not a block.
func noRoute(err error) bool {
	return isErrno(err, syscall.ENETUNREACH, wsaeNetUnreach, syscall.EADDRNOTAVAIL)
}

// dnsCause classifies a failed lookup: a definite "no such name" is a
// different fix (the record) from a server that does not answer.
func dnsCause(err error) Cause {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return CauseDNSNotFound
	}
	return CauseDNSNoAnswer
}

// tcpCause classifies a failed connect: a reset (refused) means a device
// answers for the host, a timeout means one drops the packets.
func tcpCause(err error) Cause {
	switch {
	case isErrno(err, syscall.ECONNREFUSED, wsaeConnRefused, syscall.ECONNRESET, wsaeConnReset):
		return CauseTCPRefused
	case isTimeout(err):
		return CauseTCPTimeout
	}
	return CauseTCPUnreachable
}
