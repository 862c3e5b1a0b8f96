//go:build windows

package auth

import (
	"os"

	"github.com/AzureAD/microsoft-authentication-extensions-for-go/cache/accessor"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// On Windows the cache file is encrypted with DPAPI for the current user
// (the extensions module's accessor), so its content is unreadable to
// other accounts whatever the file's ACL.
const cacheFileExt = ".dpapi"

// prepareCacheDir creates dir. The default location is under
// %LOCALAPPDATA%, whose inherited ACL already admits only the user,
// SYSTEM and Administrators; ACLs are not rewritten here.
func prepareCacheDir(dir string, logf func(string, ...any)) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return exitcode.Usagef("token cache directory %s: %v", dir, err)
	}
	return nil
}

func newAccessor(path string) (storage, error) {
	return accessor.New(path)
}

// checkCacheDir: on Windows the directory's ACL is inherited and not
// inspected (see prepareCacheDir); only existence is reported.
func checkCacheDir(dir string) (bool, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return false, nil
	}
	if !fi.IsDir() {
		return false, exitcode.Usagef("token cache directory %s is not a directory (%s)", dir, ownDirAdvice)
	}
	return true, nil
}
