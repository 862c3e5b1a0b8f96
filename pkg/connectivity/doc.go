// Package connectivity probes what the Microsoft Hybrid Agent (an Entra
// private network connector) and the Hybrid Configuration Wizard need:
// per endpoint DNS, TCP, TLS and HTTP, directly or through the outbound
// proxy with HTTP CONNECT, plus the Exchange-server, published-route and
// machine checks. Every check reports; none stops the run.
//
// The endpoint catalogue is data (catalogue_*.go, one list per cloud, each
// entry with its source); docs/test-hybridconnectivity.md explains every
// check, its remediation and the public sources behind it.
//
// Everything the probes touch is injected (Resolver, Dialer, root pool,
// clock, MachineSource), so tests run against loopback listeners only.
//
// It must never import pkg/appproxy or pkg/cmdlets: probes need neither Graph
// nor commands (rules in pkg/architecture).
package connectivity
