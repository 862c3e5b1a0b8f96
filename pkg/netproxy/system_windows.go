//go:build windows

package netproxy

import (
	"golang.org/x/sys/windows/registry"
)

// WindowsSystem reads the machine's WinHTTP proxy from the registry.
type WindowsSystem struct{}

// System returns the proxy source for this OS.
func System() SystemSource { return WindowsSystem{} }

// WinHTTP reads and decodes the WinHttpSettings value netsh writes.
func (WindowsSystem) WinHTTP() (Settings, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE,
		`SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections`, registry.QUERY_VALUE)
	if err != nil {
		return Settings{}, err
	}
	defer k.Close()
	b, _, err := k.GetBinaryValue("WinHttpSettings")
	if err != nil {
		return Settings{}, err
	}
	return DecodeWinHTTPSettings(b)
}
