package auth

import (
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
