package appproxy

import "context"

// API is what the cmdlets need from Graph; tests substitute fakes.
type API interface {
	AppOnly() bool
	ListConnectorGroups(ctx context.Context) ([]ConnectorGroup, error)
	ListHybridApplications(ctx context.Context) ([]Application, error)
	GetApplication(ctx context.Context, guid string) (*Application, error)
	FindApplicationsByDisplayName(ctx context.Context, name string) ([]Application, error)
	Instantiate(ctx context.Context, displayName string) (*Application, error)
	SetWebURIs(ctx context.Context, app *Application, externalURL string) error
	UpdatePublishing(ctx context.Context, objectID string, pub map[string]any) error
	Unpublish(ctx context.Context, objectID string) error
	AssignConnectorGroup(ctx context.Context, objectID, groupID string) error
	DeleteApplication(ctx context.Context, objectID string) error
}

var _ API = (*Client)(nil)
