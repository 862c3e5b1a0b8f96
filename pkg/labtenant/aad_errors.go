package labtenant

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// aadError is one catalogued AADSTS answer. Messages follow the wording
// Entra returns (placeholders are filled per request where it matters).
type aadError struct {
	status  int
	err     string
	message string
}

var aadCatalogue = map[int]aadError{
	50000:   {500, "server_error", "There was an error issuing a token or an issue with our sign-in service."},
	50034:   {400, "invalid_grant", "The user account {EmailHidden} does not exist in the contoso.com directory. To sign into this application, the account must be added to the directory."},
	50059:   {400, "invalid_request", "No tenant-identifying information found in either the request or implied by any provided credentials."},
	50076:   {400, "invalid_grant", "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'."},
	50126:   {400, "invalid_grant", "Error validating credentials due to invalid username or password."},
	65001:   {400, "invalid_grant", "The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource."},
	70000:   {400, "invalid_grant", "Provided grant is invalid or malformed."},
	70008:   {400, "invalid_grant", "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."},
	70011:   {400, "invalid_scope", "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid."},
	70016:   {400, "authorization_pending", "OAuth 2.0 device flow error. Authorization is pending. Continue polling."},
	70019:   {400, "expired_token", "Verification code expired."},
	90002:   {400, "invalid_tenant", "Tenant not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."},
	90033:   {503, "temporarily_unavailable", "A transient error has occurred. Please try again."},
	90014:   {400, "invalid_request", "The request body must contain the following parameter: 'grant_type'."},
	500011:  {400, "invalid_resource", "The resource principal was not found in the tenant named Contoso Lab. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."},
	501481:  {400, "invalid_grant", "The Code_Verifier does not match the code_challenge supplied in the authorization request."},
	54005:   {400, "invalid_grant", "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."},
	700016:  {400, "unauthorized_client", "Application was not found in the directory 'Contoso Lab'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."},
	700025:  {400, "invalid_client", "Client is public so neither 'client_assertion' nor 'client_secret' should be presented."},
	700027:  {401, "invalid_client", "Client assertion failed signature validation."},
	700024:  {401, "invalid_client", "Client assertion is not within its valid time range."},
	7000215: {401, "invalid_client", "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app."},
	7000218: {401, "invalid_client", "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."},
	700082:  {400, "invalid_grant", "The refresh token has expired due to inactivity."},
	1002012: {400, "invalid_scope", "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."},
	28000:   {400, "invalid_scope", "Provided value for the input parameter scope is not valid because it contains more than one resource."},
	9002313: {400, "invalid_request", "Invalid request. Request is malformed or invalid."},
	900144:  {400, "invalid_request", "The request body must contain the following parameter: 'client_id'."},
	50011:   {400, "invalid_request", "The redirect URI specified in the request does not match the redirect URIs configured for the application."},
	70002:   {400, "invalid_client", "The client does not exist or is not enabled for consumers."},
	700020:  {400, "authorization_declined", "The user declined the authentication request."},
}

func catalogueCodes() string {
	codes := make([]int, 0, len(aadCatalogue))
	for c := range aadCatalogue {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, ", ")
}

// aadFail is a token-endpoint failure on its way to writeAAD.
type aadFail struct {
	status  int
	err     string
	code    int
	message string
}

func (f *aadFail) Error() string { return fmt.Sprintf("AADSTS%d: %s", f.code, f.message) }

// aadErr builds a failure from the catalogue; detail, when given, replaces
// the catalogued message.
func aadErr(code int, detail ...string) *aadFail {
	e, ok := aadCatalogue[code]
	if !ok {
		e = aadCatalogue[50000]
	}
	msg := e.message
	if len(detail) > 0 && detail[0] != "" {
		msg = detail[0]
	}
	return &aadFail{status: e.status, err: e.err, code: code, message: msg}
}

// writeAAD writes the Entra token-endpoint error shape, including the
// trailing trace lines Entra appends to error_description.
func (s *Server) writeAAD(w http.ResponseWriter, r *http.Request, status int, errCode string, aadsts int, message string) {
	now := s.now().UTC()
	traceID := newGUID()
	corrID := r.Header.Get("client-request-id")
	if corrID == "" {
		corrID = newGUID()
	}
	ts := now.Format("2006-01-02 15:04:05Z")
	body := map[string]any{
		"error": errCode,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			aadsts, message, traceID, corrID, ts),
		"error_codes":    []int{aadsts},
		"timestamp":      ts,
		"trace_id":       traceID,
		"correlation_id": corrID,
		"error_uri":      s.baseURL(r) + "/error?code=" + strconv.Itoa(aadsts),
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("x-ms-request-id", traceID)
	w.WriteHeader(status)
	encodeJSON(w, body)
}

func (s *Server) writeAADFail(w http.ResponseWriter, r *http.Request, f *aadFail) {
	s.writeAAD(w, r, f.status, f.err, f.code, f.message)
}
