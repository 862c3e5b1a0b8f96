// Package e2e holds the end-to-end tests: they build the real hybridmgmt and
// hybridlab binaries and run hybridmgmt as a subprocess against a lab tenant
// on 127.0.0.1, exactly as a user or the PowerShell module would.
package e2e
