//go:build !unix

package auth

import "os"

// openNoFollow: Windows has no O_NOFOLLOW; openRegular's lstat before and
// same-file check after the open refuse links (reparse points) and
// anything that is not a regular file.
func openNoFollow(path string) (*os.File, error) { return os.Open(path) }
