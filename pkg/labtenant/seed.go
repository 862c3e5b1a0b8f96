package labtenant

import "time"

// Delegated Graph permissions an admin consented to for the CLI's public
// client: exactly what the CLI requests, as in a fresh tenant where the
// consent is what the client asked for (R2, [SDK-2428]). Anything else
// answers AADSTS65001.
var graphCLIConsent = []string{"Directory.ReadWrite.All", "Application.ReadWrite.All"}

// seedPrincipals returns the users and clients with empty credential
// hashes; ensureCredentials fills them and writes the secret files.
func seedPrincipals() ([]User, []ClientApp) {
	users := []User{
		{ID: AdminOID, UPN: AdminUPN, DisplayName: "Lab Admin", Roles: []string{RoleAppAdm}},
		{ID: ReaderOID, UPN: ReaderUPN, DisplayName: "Lab Reader"},
		{ID: MFAOID, UPN: MFAUPN, DisplayName: "Lab MFA Admin", Roles: []string{RoleAppAdm}, RequiresMFA: true},
	}
	clients := []ClientApp{
		{AppID: GraphCLIClientID, DisplayName: "Microsoft Graph Command Line Tools", Public: true,
			DelegatedConsent: graphCLIConsent},
		{AppID: CIClientID, DisplayName: CIAppName,
			DelegatedConsent: []string{"Application.ReadWrite.All", "User.Read"},
			AppRoles:         []string{"Application.ReadWrite.All"}},
	}
	return users, clients
}

func strPtr(s string) *string { return &s }

// seedDirectory returns the connector groups, connectors, applications and
// service principals a fresh lab starts with.
func seedDirectory(now time.Time) ([]ConnectorGroup, []Connector, []Application, []ServicePrincipal) {
	groups := []ConnectorGroup{
		{ID: ExchangeGroupID, Name: ExchangeGroupName, ConnectorGroupType: "applicationProxy", Region: "nam"},
		{ID: DefaultGroupID, Name: DefaultGroupName, ConnectorGroupType: "applicationProxy", Region: "nam", IsDefault: true},
	}
	// externalIp values are TEST-NET-3 strings: data only, never contacted.
	connectors := []Connector{
		{ID: ExchAgent1ID, MachineName: "EXCH-AGENT01.contoso.local", ExternalIP: "203.0.113.10", Status: "active", Version: "1.5.3437.0", GroupID: ExchangeGroupID},
		{ID: ExchAgent2ID, MachineName: "EXCH-AGENT02.contoso.local", ExternalIP: "203.0.113.11", Status: "active", Version: "1.5.3437.0", GroupID: ExchangeGroupID},
		{ID: AppProxyConnID, MachineName: "APPPROXY01.contoso.local", ExternalIP: "203.0.113.20", Status: "inactive", Version: "1.5.3867.0", GroupID: DefaultGroupID},
	}

	hybridPub := newPublishing(HybridInternalURL, HybridExternalURL, "passthru")
	// The original HybridManagement module writes "microsoftapp"; the HCW
	// app is assumed to carry it too (undocumented, see docs/graph.md).
	hybridPub["applicationType"] = "microsoftapp"
	hybridPub["isTranslateHostHeaderEnabled"] = false
	hybridPub["applicationServerTimeout"] = "default"

	intranetPub := newPublishing(IntranetInternal, IntranetExternal, "aadPreAuthentication")

	created := now.UTC().Truncate(time.Second).Add(-30 * 24 * time.Hour)
	apps := []Application{
		{ID: HybridAppObjectID, AppID: HybridAppID, DisplayName: HybridAppName, CreatedDateTime: created,
			// R4: an msappproxy.net identifier URI is refused by Entra, so
			// HCW's app cannot carry one.
			IdentifierURIs: []string{},
			SignInAudience: "AzureADMyOrg", Tags: []string{},
			Web:                  newWeb(HybridExternalURL),
			OnPremisesPublishing: hybridPub, ConnectorGroupID: ExchangeGroupID},
		{ID: IntranetObjectID, AppID: IntranetAppID, DisplayName: IntranetAppName, CreatedDateTime: created,
			ApplicationTemplateID: strPtr(CustomAppTemplateID),
			IdentifierURIs:        []string{"api://" + IntranetAppID}, SignInAudience: "AzureADMyOrg", Tags: []string{},
			Web: newWeb(IntranetExternal), OnPremisesPublishing: intranetPub},
		{ID: PayrollObjectID, AppID: PayrollAppID, DisplayName: PayrollAppName, CreatedDateTime: created,
			IdentifierURIs: []string{}, SignInAudience: "AzureADMyOrg", Tags: []string{}, Web: newWeb("")},
		{ID: CIAppObjectID, AppID: CIClientID, DisplayName: CIAppName, CreatedDateTime: created,
			IdentifierURIs: []string{}, SignInAudience: "AzureADMyOrg", Tags: []string{}, Web: newWeb("")},
	}
	for i := range apps {
		apps[i].PublisherDomain = TenantDomain
	}
	sps := []ServicePrincipal{
		{ID: "d0c1b2a3-9485-4766-8a9b-0c1d2e3f4a61", AppID: HybridAppID, DisplayName: HybridAppName, ServicePrincipalType: "Application",
			Tags: []string{"WindowsAzureActiveDirectoryOnPremApp", "WindowsAzureActiveDirectoryIntegratedApp"}},
		{ID: "d0c1b2a3-9485-4766-8a9b-0c1d2e3f4a62", AppID: IntranetAppID, DisplayName: IntranetAppName, ServicePrincipalType: "Application",
			ApplicationTemplateID: strPtr(CustomAppTemplateID),
			Tags:                  []string{"WindowsAzureActiveDirectoryOnPremApp", "WindowsAzureActiveDirectoryCustomSingleSignOnApplication", "WindowsAzureActiveDirectoryIntegratedApp"}},
		{ID: "d0c1b2a3-9485-4766-8a9b-0c1d2e3f4a63", AppID: PayrollAppID, DisplayName: PayrollAppName, ServicePrincipalType: "Application",
			Tags: []string{"WindowsAzureActiveDirectoryIntegratedApp"}},
		{ID: "d0c1b2a3-9485-4766-8a9b-0c1d2e3f4a64", AppID: CIClientID, DisplayName: CIAppName, ServicePrincipalType: "Application",
			Tags: []string{}},
	}
	return groups, connectors, apps, sps
}

func newWeb(home string) map[string]any {
	w := map[string]any{
		"homePageUrl":  nil,
		"logoutUrl":    nil,
		"redirectUris": []any{},
		"implicitGrantSettings": map[string]any{
			"enableAccessTokenIssuance": false,
			"enableIdTokenIssuance":     false,
		},
	}
	if home != "" {
		w["homePageUrl"] = home
	}
	return w
}
