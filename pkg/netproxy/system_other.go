//go:build !windows

package netproxy

// System returns nil: outside Windows only the flag and the environment
// name proxies.
func System() SystemSource { return nil }
