package appproxy

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// Connector is an App Proxy connector; Hybrid Agents are connectors.
type Connector struct {
	ID          string `json:"id"`
	MachineName string `json:"machineName"`
	ExternalIP  string `json:"externalIp"`
	Status      string `json:"status"`
	Version     string `json:"version"`
}

// ConnectorGroup is a connector group with its members.
type ConnectorGroup struct {
	ID                 string      `json:"id"`
	Name               string      `json:"name"`
	ConnectorGroupType string      `json:"connectorGroupType"`
	Region             string      `json:"region"`
	IsDefault          bool        `json:"isDefault"`
	Members            []Connector `json:"members"`
}

// ExchangeGroupName is the group HCW puts Hybrid Agents in.
const ExchangeGroupName = "Default group for Exchange Online"

const hintConnectors = "connector APIs accept only a signed-in user with the Application Administrator or Global Administrator role and delegated Directory.ReadWrite.All; app-only tokens cannot list agents"

const connectorGroupsPath = "/onPremisesPublishingProfiles/applicationProxy/connectorGroups"

// ListConnectorGroups returns every connector group with its members. It
// asks for $expand=members (one round trip per page) and, when the service
// rejects the expand (undocumented for this collection), falls back to one
// /members call per group, as Microsoft's own sample scripts do.
func (c *Client) ListConnectorGroups(ctx context.Context) ([]ConnectorGroup, error) {
	r := request{
		op: "list connector groups", method: http.MethodGet, retryable: true, hint403: hintConnectors,
		url: c.path(connectorGroupsPath, url.Values{"$expand": {"members"}}),
	}
	groups, err := listAll[ConnectorGroup](ctx, c, r)
	if err == nil {
		return groups, nil
	}
	if !expandRejected(err) {
		return nil, err
	}
	c.logf("the service rejected $expand=members; listing members per group")
	r.url = c.path(connectorGroupsPath, nil)
	groups, err = listAll[ConnectorGroup](ctx, c, r)
	if err != nil {
		return nil, err
	}
	for i := range groups {
		members, err := listAll[Connector](ctx, c, request{
			op: "list members of connector group " + cut(groups[i].Name, 64), method: http.MethodGet, retryable: true, hint403: hintConnectors,
			url: c.path(connectorGroupsPath+"/"+url.PathEscape(groups[i].ID)+"/members", nil),
		})
		if err != nil {
			return nil, err
		}
		groups[i].Members = members
	}
	return groups, nil
}

// expandRejected recognises the answers Graph gives for an unsupported
// query option: any 400 or 501 to the expand request. The App Proxy backend
// may answer code "" with vague text (R9), so neither is inspected.
func expandRejected(err error) bool {
	var ge *Error
	return errors.As(err, &ge) && (ge.Status == http.StatusBadRequest || ge.Status == http.StatusNotImplemented)
}
