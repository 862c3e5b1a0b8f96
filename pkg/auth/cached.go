package auth

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// cachedFlow is ModeCached: everything happens in Client.silent; when the
// cache cannot serve a token there is nothing to prompt with.
type cachedFlow struct{}

func (cachedFlow) acquire(context.Context, *Client) (public.AuthResult, error) {
	// Not reached: acquireUser returns the silent error for ModeCached.
	return public.AuthResult{}, errNoCachedAccount
}

// ambiguousAccountError: several users are cached and none was named.
type ambiguousAccountError struct{ names []string }

func (e *ambiguousAccountError) Error() string {
	return fmt.Sprintf("%d accounts are signed in (%s): pass --user-principal-name to choose one",
		len(e.names), strings.Join(e.names, ", "))
}

// pickAccount chooses the cached account for a sign-in. Only accounts of
// this authority's host count (the cache is shared by all clouds; MSAL
// records the host as the account's environment), and an account signed in
// to several tenants counts once (MSAL lists it per tenant, with one home
// account id). With a username it is the account whose UPN matches
// case-insensitively (UPNs are case-insensitive in Entra); without one it
// is the only cached account. Several accounts and no username is an error
// naming them, so the user passes --user-principal-name rather than
// silently getting the wrong one.
func pickAccount(accounts []public.Account, username, host string) (public.Account, error) {
	var mine []public.Account
	seen := map[string]bool{}
	for _, a := range accounts {
		if a.Environment != "" && host != "" && !strings.EqualFold(a.Environment, host) {
			continue
		}
		if seen[a.HomeAccountID] {
			continue
		}
		seen[a.HomeAccountID] = true
		mine = append(mine, a)
	}
	if username != "" {
		for _, a := range mine {
			if strings.EqualFold(a.PreferredUsername, username) {
				return a, nil
			}
		}
		return public.Account{}, fmt.Errorf("%w: %s is not in the cache", errNoCachedAccount, username)
	}
	switch len(mine) {
	case 0:
		return public.Account{}, fmt.Errorf("%w: the cache is empty", errNoCachedAccount)
	case 1:
		return mine[0], nil
	}
	names := make([]string, 0, len(mine))
	for _, a := range mine {
		names = append(names, a.PreferredUsername)
	}
	sort.Strings(names)
	return public.Account{}, &ambiguousAccountError{names: names}
}
