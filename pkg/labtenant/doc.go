// Package labtenant is a local stand-in for a Microsoft Entra tenant: one
// HTTPS server on loopback that answers both the sign-in authority (the
// routes MSAL Go v1.10 calls) and the Microsoft Graph beta routes hybridmgmt
// uses, with seeded users, apps and App Proxy connectors, fault injection and
// request statistics. Tests run it in-process with New; scripts run it with
// `hybridlab serve`.
//
// # Trust
//
// Each start makes a fresh ECDSA P-256 CA and writes it to <dir>/ca.pem; the
// server certificate names 127.0.0.1, ::1 and localhost. Clients trust it
// through SSL_CERT_FILE or Server.Client / Server.CertPool, never by turning
// verification off. The lab listens only on loopback addresses.
//
// # Authority
//
//	GET  /{tenant}/v2.0/.well-known/openid-configuration
//	GET  /{tenant}/discovery/v2.0/keys
//	GET  /common/UserRealm/{upn}?api-version=1.0
//	POST /{tenant}/oauth2/v2.0/token        password, client_credentials (secret or
//	                                        certificate assertion), refresh_token,
//	                                        device_code, authorization_code (+PKCE S256)
//	POST /{tenant}/oauth2/v2.0/devicecode
//	GET  /{tenant}/oauth2/v2.0/authorize    no UI: signs in login_hint or the default
//	                                        user; answers per response_mode (302 for
//	                                        query, an auto-post form for form_post)
//	GET|POST /devicelogin                   approve (or decline) a device code
//
// {tenant} is TenantID, TenantDomain, organizations or common.
//
// # Graph (beta)
//
// The App Proxy routes of docs/graph-appproxy.md: connector groups (with
// $expand=members), members, connectors, memberOf, applications (by object
// id or appId, $select, $filter, $top, paging), onPremisesPublishing,
// PATCH/DELETE, the custom-app template's instantiate, and the app's
// connectorGroup reference. Connector calls are delegated-only and need the
// Application Administrator or Global Administrator role.
//
// # Control routes (never faulted, never counted)
//
//	GET  /_lab/requests        recorded requests and the token-request count
//	POST /_lab/reset-stats
//	GET|POST|DELETE /_lab/faults   POST replaces (?append=1 appends) from a
//	                           fault, an array of faults or {"faults":[...]}
//	GET|POST /_lab/settings    POST merges the fields given
//	POST /_lab/users           {"upn":..., "requiresMfa":bool, "roles":[...]}
//	POST /_lab/reset-state     reseed apps and connectors; keep users and tokens
//	GET  /_lab/info            URLs, ids and file paths (no secrets)
//
// It must never import pkg/cmdlets, pkg/appproxy or pkg/auth, so it cannot
// share the client's assumptions (rules in pkg/architecture).
package labtenant
