package main

// What only PowerShell needs, in three short tables. Everything else (which
// flags a command has, their types, help, defaults, accepted values and
// ranges) comes from the cobra tree. The generator fails, naming the
// command or flag, when the tree has something these tables do not cover.
//
// To add a cmdlet: one cmdletNote row below (with its help text), and a
// flagNote row for each new flag; then `go run ./cmd/genpsmodule`.

import (
	"reflect"

	"github.com/hybridmgmt/hybridmgmt/pkg/auth"
	"github.com/hybridmgmt/hybridmgmt/pkg/cmdlets"
	"github.com/hybridmgmt/hybridmgmt/pkg/connectivity"
)

// flagNote says what a flag becomes in PowerShell. Param is the parameter
// name (the original module's where it had one); Kind overrides the kind
// the flag's type gives (switch, string, string[], int, seconds).
type flagNote struct {
	Param string
	Kind  string
	// Type overrides the parameter type for credential and secret kinds.
	Type string
	// Help overrides the flag's cobra usage as the .PARAMETER text.
	Help string
	// Values is the parameter's ValidateSet where the flag's own accepted
	// values are not what PowerShell offers (-AsReport: Markdown, Html).
	Values []string
	// Companion is a parameter with no flag whose value goes to stdin next
	// to this flag (the PFX password of --certificate).
	Companion, CompanionHelp string
}

const (
	typeCredential = "System.Management.Automation.PSCredential"
	typeSecure     = "System.Security.SecureString"
)

// flags is keyed by flag name; "command/flag" overrides for one command.
var flags = map[string]flagNote{
	// Set by the module itself, or through a common parameter.
	"output":  {Kind: "module"},
	"verbose": {Param: "Verbose", Kind: "verbose"},
	"dry-run": {Param: "WhatIf", Kind: "whatif"},
	"yes":     {Param: "Confirm", Kind: "confirm"},

	// Sign-in (global flags).
	"tenant-id":           {Param: "TenantId", Help: "Tenant GUID or verified domain (default for user sign-in: the UPN's domain; required for app-only sign-in)."},
	"client-id":           {Param: "ClientId", Help: "Application (client) id of your own app registration (default: Microsoft Graph Command Line Tools; required for app-only sign-in)."},
	"user-principal-name": {Param: "UserPrincipalName", Help: "Admin UPN for an interactive, MFA-capable sign-in (browser, or a device code when no browser can open)."},
	"username":            {Param: "Credential", Kind: "username", Type: typeCredential, Help: "Username and password (no MFA). The password reaches hybridmgmt on standard input only."},
	"password-stdin":      {Param: "Credential", Kind: "secret", Type: typeCredential},
	"client-secret-stdin": {Param: "ClientSecret", Kind: "secret", Type: typeSecure, Help: "App-only sign-in with a client secret (sent on standard input); needs -TenantId and -ClientId."},
	"certificate": {Param: "CertificatePath", Kind: "path", Help: "App-only sign-in with a certificate file: PEM (certificate and key) or PFX; needs -TenantId and -ClientId.",
		Companion: "CertificatePassword", CompanionHelp: "Password of the PFX given with -CertificatePath, or of the PFX saved by Connect-HybridManagement (sent on standard input)."},
	"device-code":    {Param: "DeviceCode", Help: "Sign in with a device code: open the URL shown on any device and enter the code."},
	"cloud":          {Param: "Cloud", Help: "The national cloud: Global (the default), USGov (GCC High), USGovDoD or China; the names other tools use are accepted too."},
	"authority-host": {Param: "AuthorityHost", Help: "Override the sign-in host (https://host[:port])."},
	"graph-endpoint": {Param: "GraphEndpoint", Help: "Override the Microsoft Graph host (https://host[:port])."},
	"proxy":          {Param: "Proxy", Help: "Outbound proxy URL (default: HTTPS_PROXY, then the WinHTTP proxy). Its password, if any, never appears in -Verbose."},

	// Command flags.
	"connector-group":    {Param: "ConnectorGroup"},
	"app-id":             {Param: "AppId"},
	"target-uri":         {Param: "TargetUri"},
	"force":              {Param: "Force"},
	"delete-application": {Param: "DeleteApplication"},
	"test-o365-endpoints": {Param: "TestO365Endpoints",
		Help: "Also test the Exchange Online endpoints every Mailbox server needs (the original module's -testO365Endpoints)."},
	"exchange-server": {Param: "ExchangeServer",
		Help: "On-premises Exchange servers or load balancers to test (FQDN). Accepts pipeline input: names, or objects with an Fqdn property such as Get-ExchangeServer's."},
	"timeout":        {Param: "TimeoutSec"},
	"parallel":       {Param: "Parallel"},
	"max-duration":   {Param: "MaxDurationSec"},
	"endpoints-file": {Param: "EndpointsFile", Kind: "path"},
	"legacy-list":    {Param: "LegacyList"},
	"strict":         {Param: "Strict"},
	"status":         {Param: "Status"},
	"min-active": {Param: "MinActive",
		Help: "Health gate: after returning the agents, write an error (InvalidResult, exit code 5) when the -ConnectorGroup (else any group that has agents) has fewer than this many active agents."},
	"iis-config": {Param: "IisConfig",
		Help: "Copies (or UNC paths) of Exchange servers' applicationHost.config, to check Extended Protection on the front-end EWS. Give full paths."},
	"test-hybridagent/app-id":          {Param: "AppId", Help: "The hybrid application: its GUID or its route (default: the tenant's only hybrid application)."},
	"test-hybridagent/exchange-server": {Param: "ExchangeServer", Help: "Exchange servers or load balancers the agent targets (default: the application's internalUrl host)."},

	// -AsReport: the report formats of --output, returned as one string.
	"test-hybridconnectivity/output": {Param: "AsReport", Kind: "report", Values: []string{"Markdown", "Html"},
		Help: "Return a report for the network team as one string instead of objects: Markdown or Html (run metadata, verdict, most likely cause, firewall request, every result)."},
	"test-hybridagent/output": {Param: "AsReport", Kind: "report", Values: []string{"Markdown", "Html"},
		Help: "Return a Markdown or Html report as one string instead of objects."},
}

// The global (persistent) flags a cmdlet offers, in param() order; a
// command's own flags, the sign-in flags included, are always offered.
var networkGlobals = []string{"cloud", "proxy", "verbose"}

// paramSet is one PowerShell parameter set of the sign-in modes.
type paramSet struct {
	Name string
	// Mandatory selects the set: mandatory in it and in no other set. ""
	// marks the default set (no sign-in parameter given).
	Mandatory string
	// Also are the set's other parameters, which other sets may share.
	Also []string
}

// signInSets are the parameter sets of every cmdlet that signs in. The
// modes the CLI takes together share a set; the ones it refuses together
// (the mutually exclusive flag groups pkg/cmdlets declares on each
// command) never do: the generator checks this table against those groups
// both ways. Parameters not named here are in every set.
var signInSets = []paramSet{
	// No sign-in parameter: the cached sign-in or AZURE_* variables
	// (Connect-HybridManagement: a browser). The PFX password of a saved
	// certificate connection still comes on stdin.
	{Name: "Default", Also: []string{"CertificatePassword"}},
	{Name: "Interactive", Mandatory: "UserPrincipalName"},
	{Name: "DeviceCode", Mandatory: "DeviceCode", Also: []string{"UserPrincipalName"}},
	{Name: "Credential", Mandatory: "Credential"},
	{Name: "ClientSecret", Mandatory: "ClientSecret"},
	{Name: "Certificate", Mandatory: "CertificatePath", Also: []string{"CertificatePassword"}},
}

// cmdletNote is one cmdlet: the subcommand it runs and what PowerShell
// needs beyond the flags.
type cmdletNote struct {
	Command string // the hybridmgmt subcommand
	Name    string // the cmdlet
	// TypeName is the PSTypeName given to the output objects ("" = none);
	// it must have a view in views.
	TypeName string
	// ConfirmImpact "" means no ShouldProcess; otherwise Low/Medium/High.
	ConfirmImpact string
	// Action is the ShouldProcess action; ActionIf replaces it when the
	// switch named by its key is present.
	Action   string
	ActionIf map[string]string
	// Target names the parameters whose value is the object acted on (the
	// first one given wins): the ShouldProcess target and the error's
	// TargetObject. TargetText is used when none is given.
	Target     []string
	TargetText string
	Globals    []string
	// Positions lists the parameters that take positions 0, 1, ...
	Positions []string
	Mandatory []string
	// Pipeline is bound from the pipeline, by value and by property name.
	// Collect gathers every piped value into one run (end block).
	Pipeline string
	Collect  bool
	Aliases  map[string][]string

	Synopsis    string
	Description string
	ParamHelp   map[string]string // per-cmdlet .PARAMETER text
	Examples    []string          // code, a blank line, then what it does
	Inputs      string
}

// skipCommands are subcommands with no cmdlet, and why.
var skipCommands = map[string]string{
	"version":    "the module runs it itself to compare versions",
	"help":       "cobra's",
	"completion": "shell completion has no PowerShell module counterpart",
}

var cmdletNotes = []cmdletNote{
	{
		Command: "get-hybridagent", Name: "Get-HybridAgent", TypeName: "HybridManagement.Agent",
		Globals: networkGlobals, Positions: []string{"Credential", "UserPrincipalName"},
		Synopsis: "Lists the Hybrid Agents (Entra App Proxy connectors) with their connector group and status.",
		Description: `Runs ` + "`hybridmgmt get-hybridagent`" + ` and returns one HybridManagement.Agent object per agent:
id, machineName, externalIp, status, version, connectorGroupId, connectorGroupName.
Graph lists connectors only for a signed-in user with the Application Administrator or
Global Administrator role; app-only credentials fail with PermissionDenied.

Without credential parameters the sign-in cached by Connect-HybridManagement is used.`,
		ParamHelp: map[string]string{"ConnectorGroup": "Only agents in the connector group with this name."},
		Examples: []string{
			"Get-HybridAgent -UserPrincipalName admin@contoso.com\n\nSigns in interactively (MFA works) and lists every agent.",
			"Get-HybridAgent -ConnectorGroup 'Default group for Exchange Online' | Where-Object status -ne 'active'\n\nLists the agents of the Hybrid Configuration Wizard's group that are not active, using the cached sign-in.",
			"Get-HybridAgent -Credential (Get-Credential)\n\nThe original module's syntax: username and password (not for MFA-enabled accounts).",
		},
	},
	{
		Command: "get-hybridapplication", Name: "Get-HybridApplication", TypeName: "HybridManagement.Application",
		Globals: networkGlobals, Positions: []string{"AppId", "Credential", "UserPrincipalName"},
		Pipeline: "AppId", Target: []string{"AppId"},
		Synopsis: "Gets the hybrid application(s): the route <appId>.resource.mailboxmigration.his.msappproxy.net and its on-premises target.",
		Description: `Runs ` + "`hybridmgmt get-hybridapplication`" + ` and returns HybridManagement.Application objects with
id, appId, displayName and the onPremisesPublishing properties at the top level (externalUrl,
internalUrl, externalAuthenticationType, applicationServerTimeout, isOnPremPublishingEnabled, ...),
as the original module's objects had them. Without -AppId, every hybrid application is returned.`,
		ParamHelp: map[string]string{"AppId": "Application (client) id of the hybrid application. Accepts pipeline input: GUID strings, or objects with an AppId property."},
		Examples: []string{
			"Get-HybridApplication\n\nLists the hybrid applications with the cached sign-in.",
			"Get-HybridApplication -appId 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 -credential $cred\n\nThe original module's syntax.",
			"Get-HybridApplication -TenantId contoso.onmicrosoft.com -ClientId $appId -CertificatePath .\\ci.pem | Format-List *\n\nApp-only (CI) read of every property.",
		},
		Inputs: "System.String (an application id), or objects with an AppId property such as HybridManagement.Application.",
	},
	{
		Command: "new-hybridapplication", Name: "New-HybridApplication", TypeName: "HybridManagement.Application",
		ConfirmImpact: "Medium", Action: "Publish a hybrid route through the Hybrid Agents",
		Target: []string{"AppId", "TargetUri"}, Globals: networkGlobals,
		Positions: []string{"AppId", "TargetUri", "Credential", "UserPrincipalName"}, Mandatory: []string{"TargetUri"},
		Synopsis: "Publishes a hybrid route to an on-premises Exchange server or load balancer.",
		Description: `Runs ` + "`hybridmgmt new-hybridapplication`" + `: creates the hybrid application (or, with -AppId,
publishes an existing one), publishes https://<appId>.resource.mailboxmigration.his.msappproxy.net
to -TargetUri and assigns a connector group (-ConnectorGroup, else "Default group for Exchange
Online", else the tenant's default group). Needs a signed-in user (delegated Graph call).

-WhatIf runs the subcommand with --dry-run and shows the planned change; nothing is written.`,
		ParamHelp: map[string]string{
			"AppId":          "Publish this existing application instead of creating one (the original module's -appId).",
			"TargetUri":      "On-premises target: https URI or FQDN of the Exchange server or load balancer.",
			"ConnectorGroup": "Connector group to assign (default: \"Default group for Exchange Online\", else the tenant's default group).",
		},
		Examples: []string{
			"New-HybridApplication -TargetUri exch01.contoso.local -WhatIf\n\nShows what would be created, changing nothing.",
			"New-HybridApplication -TargetUri https://mail-lb.contoso.com -ConnectorGroup 'Default group for Exchange Online' -UserPrincipalName admin@contoso.com",
			"New-HybridApplication -appId 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 -targetUri exch01.contoso.local -credential $cred\n\nThe original module's syntax.",
		},
	},
	{
		Command: "update-hybridapplication", Name: "Update-HybridApplication", TypeName: "HybridManagement.Application",
		ConfirmImpact: "Medium", Action: "Retarget the hybrid route", Target: []string{"AppId"},
		Globals: networkGlobals, Positions: []string{"AppId", "TargetUri", "Credential", "UserPrincipalName"},
		Mandatory: []string{"AppId", "TargetUri"}, Pipeline: "AppId",
		Synopsis: "Retargets a hybrid route to another on-premises Exchange server or load balancer.",
		Description: `Runs ` + "`hybridmgmt update-hybridapplication`" + `: sets the internalUrl of the published hybrid
application -AppId to -TargetUri and returns the updated HybridManagement.Application.
-WhatIf runs the subcommand with --dry-run and shows the planned change; nothing is written.`,
		ParamHelp: map[string]string{
			"AppId":     "Application id of the hybrid route. Accepts pipeline input: GUID strings, or objects with an AppId property.",
			"TargetUri": "New on-premises target: https URI or FQDN.",
		},
		Examples: []string{
			"Update-HybridApplication -appId 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 -targetUri https://mail-lb.contoso.com -credential $cred\n\nThe original module's syntax.",
			"Get-HybridApplication | Update-HybridApplication -TargetUri https://mail-lb.contoso.com -WhatIf\n\nShows, for every hybrid application, the change from the current target to the load balancer.",
			"Update-HybridApplication 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 exch02.contoso.local -Confirm",
		},
		Inputs: "System.String (an application id), or objects with an AppId property such as HybridManagement.Application.",
	},
	{
		Command: "remove-hybridapplication", Name: "Remove-HybridApplication",
		ConfirmImpact: "High", Action: "Unpublish the hybrid route",
		ActionIf: map[string]string{"DeleteApplication": "Unpublish the hybrid route and delete the application"},
		Target:   []string{"AppId"}, Globals: networkGlobals, Positions: []string{"AppId", "Credential", "UserPrincipalName"},
		Mandatory: []string{"AppId"}, Pipeline: "AppId",
		Synopsis: "Unpublishes a hybrid route, and with -DeleteApplication deletes the application too.",
		Description: `Runs ` + "`hybridmgmt remove-hybridapplication`" + `. Asks for confirmation (ConfirmImpact High) unless
-Confirm:$false is given. -WhatIf runs the subcommand with --dry-run and shows the planned change.`,
		ParamHelp: map[string]string{
			"AppId":             "Application id of the hybrid route. Accepts pipeline input: GUID strings, or objects with an AppId property.",
			"DeleteApplication": "Also delete the application and its service principal.",
		},
		Examples: []string{
			"Remove-HybridApplication -appId 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 -credential $cred\n\nThe original module's syntax; asks for confirmation first.",
			"Remove-HybridApplication 6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7 -DeleteApplication -WhatIf",
			"Get-HybridApplication -AppId $id | Remove-HybridApplication -Confirm:$false\n\nUnattended removal (CI).",
		},
		Inputs: "System.String (an application id), or objects with an AppId property.",
	},
	{
		Command: "test-hybridconnectivity", Name: "Test-HybridConnectivity", TypeName: "HybridManagement.ConnectivityResult",
		Target: []string{"ExchangeServer", "AppId"}, Globals: append([]string{"output"}, networkGlobals...),
		Pipeline: "ExchangeServer", Collect: true, Aliases: map[string][]string{"ExchangeServer": {"Fqdn"}},
		Synopsis: "Tests that this machine reaches everything the Hybrid Agent, the Hybrid Configuration Wizard and Exchange need.",
		Description: `Runs ` + "`hybridmgmt test-hybridconnectivity`" + ` (checks run in parallel, progress shows while they run) and
returns one HybridManagement.ConnectivityResult per check: category, name, host, port, check,
status (Passed, Failed, Warning, Skipped), durationMs, detail, error, remediation.
When a check fails (or warns, with -Strict) every result is returned first, then a
ConnectionError is written. Needs no sign-in.`,
		ParamHelp: map[string]string{"AppId": "Also test the hybrid route of this application."},
		Examples: []string{
			"Test-HybridConnectivity -testO365Endpoints\n\nThe original module's syntax.",
			"Test-HybridConnectivity -ExchangeServer exch01.contoso.local, exch02.contoso.local -TimeoutSec 5 | Where-Object status -ne 'Passed'",
			"Get-ExchangeServer | Test-HybridConnectivity -TestO365Endpoints -ErrorAction SilentlyContinue -ErrorVariable failed\n\nTests every Exchange server from the Exchange Management Shell; $failed holds the error when a check failed.",
			"'exch01.contoso.local', 'exch02.contoso.local' | Test-HybridConnectivity",
			"Test-HybridConnectivity -AsReport Html | Set-Content -Encoding UTF8 connectivity.html\n\nWrites one self-contained HTML file to attach to a firewall ticket.",
		},
		Inputs: "System.String (server names), or objects with an Fqdn or ExchangeServer property, such as Exchange servers.",
	},
	{
		Command: "test-hybridagent", Name: "Test-HybridAgent", TypeName: "HybridManagement.ConnectivityResult",
		Target: []string{"AppId", "ExchangeServer"}, Globals: append([]string{"output"}, networkGlobals...),
		Synopsis: "Walks the hybrid route hop by hop and names the hop that is broken.",
		Description: `Runs ` + "`hybridmgmt test-hybridagent`" + ` and returns one HybridManagement.ConnectivityResult per
check, in route order: Hybrid application, Connector group, Agents, Published route, Agent to
Exchange, Exchange server (Extended Protection, from -IisConfig) and This machine. Every result
has a cause code when it did not pass. When a hop failed (or warned, with -Strict) every result
is returned first, then a ConnectionError whose message is the verdict.
Connector APIs are delegated-only: sign in as a user (cached by Connect-HybridManagement).`,
		ParamHelp: map[string]string{"Strict": "Treat warnings (one active agent, certificates about to expire) as failures."},
		Examples: []string{
			"Test-HybridAgent -UserPrincipalName admin@contoso.com\n\nWalks the route of the tenant's hybrid application from this agent machine.",
			"Test-HybridAgent -IisConfig '\\\\exch01\\c$\\Windows\\System32\\inetsrv\\config\\applicationHost.config' | Where-Object status -ne 'Passed'\n\nAlso checks Extended Protection on exch01's front-end EWS and shows what did not pass.",
			"Test-HybridAgent -AsReport Html | Set-Content -Encoding UTF8 hybrid-route.html",
		},
	},
	{
		Command: "connect", Name: "Connect-HybridManagement", TypeName: "HybridManagement.Account",
		Globals: networkGlobals, Positions: []string{"UserPrincipalName"},
		Synopsis: "Signs in once; later cmdlets use the cached sign-in and need no credential parameter.",
		Description: `Runs ` + "`hybridmgmt connect`" + `. Without parameters a browser opens (or a device code is shown when
no browser can open); sign-in instructions appear in the console while the sign-in waits.
Tokens are cached per user (DPAPI-protected on Windows) until the refresh token expires.
Returns the signed-in account: username, tenantId, cloud, authority, appOnly.`,
		ParamHelp: map[string]string{
			"Force":  "Sign in again even when the cache could serve (e.g. after activating a PIM role).",
			"Status": "Show the cached sign-in (account, tenant, cloud, how later cmdlets sign in, token expiry) without signing in or touching the network; fails when there is none.",
		},
		Examples: []string{
			"Connect-HybridManagement -UserPrincipalName admin@contoso.com\n\nInteractive sign-in with MFA; then Get-HybridAgent etc. run without credentials.",
			"Connect-HybridManagement -DeviceCode -TenantId contoso.com\n\nOn a server without a browser: the console shows the code to enter at the sign-in URL.",
			"Connect-HybridManagement -TenantId $env:AZURE_TENANT_ID -ClientId $env:AZURE_CLIENT_ID -CertificatePath C:\\ci\\hybrid.pfx -CertificatePassword $pfxPassword\n\nApp-only sign-in for unattended jobs; later cmdlets reuse it and take the PFX password with -CertificatePassword.",
		},
	},
	{
		Command: "disconnect", Name: "Disconnect-HybridManagement",
		ConfirmImpact: "Low", Action: "Remove the cached sign-in", TargetText: "hybridmgmt token cache",
		Globals:  []string{"verbose"},
		Synopsis: "Signs out: removes the cached tokens of hybridmgmt.",
		Description: `Runs ` + "`hybridmgmt disconnect`" + `, which deletes this user's token cache. Later cmdlets need a
credential parameter or Connect-HybridManagement again.`,
		Examples: []string{"Disconnect-HybridManagement", "Disconnect-HybridManagement -WhatIf"},
	},
}

// categoryExceptions is the exception type of the ErrorRecord for each
// ErrorCategory pkg/exitcode.Categories names (the generator fails on one
// it lacks), as scripts catch them (catch [System.ArgumentException]).
var categoryExceptions = map[string]string{
	"NotSpecified":        "System.Exception",
	"InvalidData":         "System.IO.InvalidDataException",
	"InvalidArgument":     "System.ArgumentException",
	"AuthenticationError": "System.Security.Authentication.AuthenticationException",
	"PermissionDenied":    "System.UnauthorizedAccessException",
	"ObjectNotFound":      "System.Management.Automation.ItemNotFoundException",
	"ConnectionError":     "System.Exception",
	"InvalidResult":       "System.Exception",
	"ResourceUnavailable": "System.InvalidOperationException",
	"OperationStopped":    "System.Exception",
}

// view is a default table (and optionally list) view of one PSTypeName.
// Every property must be a JSON field of GoType: the generator checks.
type view struct {
	TypeName string
	GoType   reflect.Type
	GroupBy  string // property; its label is the column's name
	Columns  []column
	List     []string
}

type column struct {
	Label, Property string
	Width           int
	Right           bool
	// Script replaces Property with a script block (its $_.name uses are
	// checked too).
	Script string
}

var views = []view{
	{TypeName: "HybridManagement.Agent", GoType: reflect.TypeOf(cmdlets.AgentView{}), Columns: []column{
		{"MachineName", "machineName", 28, false, ""}, {"Status", "status", 8, false, ""}, {"Version", "version", 12, false, ""},
		{"ExternalIp", "externalIp", 16, false, ""}, {"ConnectorGroup", "connectorGroupName", 34, false, ""}, {"Id", "id", 0, false, ""},
	}},
	{TypeName: "HybridManagement.Application", GoType: reflect.TypeOf(cmdlets.ApplicationView{}), Columns: []column{
		{"AppId", "appId", 36, false, ""}, {"DisplayName", "displayName", 30, false, ""}, {"InternalUrl", "internalUrl", 34, false, ""},
		{"Enabled", "isOnPremPublishingEnabled", 7, false, ""}, {"ExternalUrl", "externalUrl", 0, false, ""},
	}, List: []string{"displayName", "appId", "id", "externalUrl", "internalUrl", "externalAuthenticationType", "applicationServerTimeout", "isOnPremPublishingEnabled"}},
	{TypeName: "HybridManagement.ConnectivityResult", GoType: reflect.TypeOf(connectivity.Result{}), GroupBy: "category", Columns: []column{
		{"Status", "status", 7, false, ""}, {"Name", "name", 44, false, ""}, {"Host", "host", 34, false, ""},
		{"Port", "port", 5, true, ""}, {"Ms", "durationMs", 6, true, ""},
		{"Detail", "", 0, false, "if ($_.status -eq 'Passed' -or -not $_.error) { $_.detail } else { $_.error }"},
	}, List: []string{"name", "status", "cause", "category", "host", "port", "check", "durationMs", "detail", "error", "remediation"}},
	{TypeName: "HybridManagement.Account", GoType: reflect.TypeOf(auth.Account{}), Columns: []column{
		{"Username", "username", 36, false, ""}, {"TenantId", "tenantId", 36, false, ""}, {"Cloud", "cloud", 9, false, ""},
		{"AppOnly", "appOnly", 7, false, ""}, {"Authority", "authority", 0, false, ""},
	}},
}
