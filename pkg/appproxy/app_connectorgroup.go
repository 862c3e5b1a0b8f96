package appproxy

import (
	"context"
	"net/http"
	"net/url"
)

// GetApplicationConnectorGroup returns the connector group that serves an
// application (GET /applications/{objectId}/connectorGroup): the group whose
// agents must be active for the route to work. Delegated-only, like every
// connector call; a 404 means the app is not published or has no group.
// Members are not included: list them with ListConnectorGroups.
func (c *Client) GetApplicationConnectorGroup(ctx context.Context, objectID string) (*ConnectorGroup, error) {
	var g ConnectorGroup
	err := c.do(ctx, request{
		op: "get the connector group of application " + cut(objectID, 64), method: http.MethodGet, retryable: true, hint403: hintConnectors,
		url: c.path("/applications/"+url.PathEscape(objectID)+"/connectorGroup", nil),
	}, &g)
	if err != nil {
		return nil, err
	}
	return &g, nil
}
