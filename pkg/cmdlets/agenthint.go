package cmdlets

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hybridmgmt/hybridmgmt/pkg/appproxy"
	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// appNotFound is appLookupError plus, when the CLI can tell, the hint that
// the GUID given as --app-id is an agent's id: get-hybridagent prints
// those ids too, and they look alike.
func appNotFound(ctx context.Context, client appproxy.API, guid string, err error) error {
	nf := appLookupError(guid, err)
	if !appproxy.IsNotFound(err) || client.AppOnly() {
		// Connector lists are delegated-only: no hint for app-only.
		return nf
	}
	hint := agentIDHint(ctx, client, guid)
	if hint == "" {
		return nf
	}
	return exitcode.Wrap(exitcode.ErrNotFound, errors.New(nf.Error()+"; "+hint))
}

// agentIDHint names the agent whose id guid is, and the hybrid
// application's id when there is exactly one; "" when guid is no agent's.
func agentIDHint(ctx context.Context, client appproxy.API, guid string) string {
	groups, err := client.ListConnectorGroups(ctx)
	if err != nil {
		return ""
	}
	for _, g := range groups {
		for _, m := range g.Members {
			if !strings.EqualFold(m.ID, guid) {
				continue
			}
			hint := fmt.Sprintf("this is the id of agent %s, not of an application", m.MachineName)
			if l, err := client.ListHybridApplications(ctx); err == nil && len(l.Hybrid) == 1 {
				hint += fmt.Sprintf(": the hybrid application's id is %s", l.Hybrid[0].AppID)
			} else {
				hint += " (hybridmgmt get-hybridapplication lists the hybrid applications)"
			}
			return hint
		}
	}
	return ""
}
