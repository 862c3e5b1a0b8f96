package appproxy

import "context"

// API is what the cmdlets need from Graph; tests substitute fakes.
type API interface {
	AppOnly() bool
	ListConnectorGroups(ctx context.Context) ([]ConnectorGroup, error)
	ListHybridApplications(ctx context.Context) (*Listing, error)
	IsHybrid(app *Application) bool
	WhyNotHybrid(ctx context.Context, app *Application) (string, error)
	Mark(ctx context.Context, app *Application) error
	ResolveApplication(ctx context.Context, guid string) (*Application, error)
	GetApplication(ctx context.Context, guid string) (*Application, error)
	ReadPublishing(ctx context.Context, app *Application) error
	ReadWeb(ctx context.Context, app *Application) error
	FindApplicationsByDisplayName(ctx context.Context, name string) ([]Application, error)
	Instantiate(ctx context.Context, displayName string) (*Application, error)
	SetWebURIs(ctx context.Context, app *Application, externalURL string) error
	UpdatePublishing(ctx context.Context, objectID string, pub PublishingPatch) error
	Unpublish(ctx context.Context, objectID string) error
	AssignConnectorGroup(ctx context.Context, objectID, groupID string) error
	DeleteApplication(ctx context.Context, objectID string) error
}

var _ API = (*Client)(nil)
