package labtenant

import (
	"crypto/rand"
	"fmt"
	"regexp"
)

// Every identifier below is fixed so tests can name seeded objects directly.
// None of them exists in any real tenant.

// Tenant facts.
const (
	TenantID          = "5f3c1a9e-8b2d-4c7e-a1f6-0d9b8e7c6a54"
	TenantDomain      = "contoso.com"
	TenantDisplayName = "Contoso Lab"
)

// Clients that can sign in.
const (
	// GraphCLIClientID is the public client "Microsoft Graph Command Line
	// Tools", the CLI's default.
	GraphCLIClientID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
	// CIClientID is the confidential lab CI app (client secret and
	// certificate), granted the Application.ReadWrite.All app role.
	CIClientID = "0b7e4c1d-9a2f-4e6b-8c3d-5a1f2e9d7c60"
	// CIAppObjectID is the CI app's application object id.
	CIAppObjectID = "e4d1c2b3-a5f6-4789-8b0c-1d2e3f4a5b70"
)

// Microsoft Graph's own identifiers, used in scopes and audiences.
const (
	GraphResourceAppID = "00000003-0000-0000-c000-000000000000"
	GraphResource      = "https://graph.microsoft.com"
	// CustomAppTemplateID is the global cloud's "non-gallery application"
	// template that POST /applicationTemplates/{id}/instantiate accepts.
	CustomAppTemplateID = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
)

// Seeded users. Passwords are generated and written to <dir>/<name>-password.txt.
const (
	AdminUPN    = "admin@contoso.com"
	AdminOID    = "a1d5e7c9-3b4f-4a6e-9d2c-1f0e8b7a6c01"
	ReaderUPN   = "reader@contoso.com"
	ReaderOID   = "a1d5e7c9-3b4f-4a6e-9d2c-1f0e8b7a6c02"
	MFAUPN      = "mfa@contoso.com"
	MFAOID      = "a1d5e7c9-3b4f-4a6e-9d2c-1f0e8b7a6c03"
	RoleAppAdm  = "Application Administrator"
	RoleGlobAdm = "Global Administrator"
)

// Seeded connector groups and connectors.
const (
	ExchangeGroupID   = "7a0f6c21-3e5b-4d8a-b1c9-6e2d4f8a0b11"
	ExchangeGroupName = "Default group for Exchange Online"
	DefaultGroupID    = "7a0f6c21-3e5b-4d8a-b1c9-6e2d4f8a0b12"
	DefaultGroupName  = "Default"
	ExchAgent1ID      = "3c5e7a90-1b2d-4f6e-8a0c-2e4f6a8c0d21"
	ExchAgent2ID      = "3c5e7a90-1b2d-4f6e-8a0c-2e4f6a8c0d22"
	AppProxyConnID    = "3c5e7a90-1b2d-4f6e-8a0c-2e4f6a8c0d23"
)

// Seeded applications.
const (
	HybridAppID        = "6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7"
	HybridAppObjectID  = "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a51"
	HybridAppName      = "Hybrid Agent Exchange"
	HybridExternalURL  = "https://6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7.resource.mailboxmigration.his.msappproxy.net:443/"
	HybridInternalURL  = "https://exch01.contoso.local/"
	IntranetAppID      = "2b4d6f80-1a3c-4e5f-9b7d-8c6e4a2f0d31"
	IntranetObjectID   = "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a52"
	IntranetAppName    = "Contoso Intranet"
	IntranetExternal   = "https://intranet-contoso.msappproxy.net/"
	IntranetInternal   = "https://intranet.contoso.local/"
	PayrollAppID       = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c41"
	PayrollObjectID    = "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a53"
	PayrollAppName     = "Contoso Payroll"
	CIAppName          = "hybridlab CI automation"
	DeletePublishingID = "PowerShellDeleteApplication"
)

// Files written under the lab directory.
const (
	FileCA           = "ca.pem"
	FileState        = "state.json"
	FileEnv          = "env"
	FileClientSecret = "client-secret.txt"
	FileClientCert   = "client-cert.pem"
	FileAdminPass    = "admin-password.txt"
	FileReaderPass   = "reader-password.txt"
	FileMFAPass      = "mfa-password.txt"
)

func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

var guidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func isGUID(s string) bool { return guidRe.MatchString(s) }
