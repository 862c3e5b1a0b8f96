package auth

import (
	"context"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// usernamePasswordFlow is ModeUsernamePassword (ROPC). It cannot satisfy
// MFA or Conditional Access (AADSTS50076/50079 get a hint pointing to the
// interactive and device-code modes); it exists for the original module's
// -Credential parameter.
type usernamePasswordFlow struct{}

func (usernamePasswordFlow) acquire(ctx context.Context, c *Client) (public.AuthResult, error) {
	//lint:ignore SA1019 ROPC is deprecated by Microsoft but kept on purpose for the original module's -Credential parameter; interactive and device-code sign-in are the recommended modes.
	return c.pub.AcquireTokenByUsernamePassword(ctx, c.cfg.Scopes, c.cfg.Username, c.cfg.Password)
}
