package auth

import (
	"context"
	"errors"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// secretCredential is ModeClientSecret's credential: app-only tokens with
// the client-credentials grant and a client secret.
func secretCredential(secret string) (confidential.Credential, error) {
	cred, err := confidential.NewCredFromSecret(secret)
	if err != nil {
		// MSAL's only failure is an empty secret; never echo the value.
		return confidential.Credential{}, exitcode.Usagef("the client secret is empty")
	}
	return cred, nil
}

// errAppSecretNeeded: the app token cached by connect has expired and no
// secret was given to get a new one.
var errAppSecretNeeded = errors.New("the app-only token from `hybridmgmt connect` has expired: pass the client secret again (--client-secret-stdin or AZURE_CLIENT_SECRET), or connect again")

// cachedAppCredential lets MSAL serve the cached app token; if it must
// contact the authority, there is no secret to send and the call fails with
// errAppSecretNeeded.
func cachedAppCredential() confidential.Credential {
	return confidential.NewCredFromAssertionCallback(func(context.Context, confidential.AssertionRequestOptions) (string, error) {
		return "", errAppSecretNeeded
	})
}
