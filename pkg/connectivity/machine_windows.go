//go:build windows

package connectivity

import (
	"errors"
	"os"
	"strings"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

// SystemMachine reads this Windows machine.
func SystemMachine() MachineSource { return windowsMachine{} }

type windowsMachine struct{}

func openKey(path string) (registry.Key, bool, error) {
	hive, sub, _ := strings.Cut(path, `\`)
	root := registry.LOCAL_MACHINE
	if strings.EqualFold(hive, "HKCU") {
		root = registry.CURRENT_USER
	}
	// WOW64_64KEY: a 32-bit build must still see the 64-bit view, which
	// is what the 64-bit agent reads.
	k, err := registry.OpenKey(root, sub, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if errors.Is(err, registry.ErrNotExist) {
		return 0, false, nil
	}
	return k, err == nil, err
}

func (windowsMachine) RegistryDWORD(path, name string) (uint32, bool, error) {
	k, ok, err := openKey(path)
	if !ok {
		return 0, false, err
	}
	defer k.Close()
	v, _, err := k.GetIntegerValue(name)
	if errors.Is(err, registry.ErrNotExist) {
		return 0, false, nil
	}
	return uint32(v), err == nil, err
}

func (windowsMachine) RegistryString(path, name string) (string, bool, error) {
	k, ok, err := openKey(path)
	if !ok {
		return "", false, err
	}
	defer k.Close()
	v, _, err := k.GetStringValue(name)
	if errors.Is(err, registry.ErrNotExist) {
		return "", false, nil
	}
	return v, err == nil, err
}

func (windowsMachine) RegistryBinary(path, name string) ([]byte, bool, error) {
	k, ok, err := openKey(path)
	if !ok {
		return nil, false, err
	}
	defer k.Close()
	v, _, err := k.GetBinaryValue(name)
	if errors.Is(err, registry.ErrNotExist) {
		return nil, false, nil
	}
	return v, err == nil, err
}

// Service asks only for the rights a standard user has: mgr.Connect and
// Mgr.OpenService request full access and fail without elevation.
func (windowsMachine) Service(name string) (string, bool, error) {
	h, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return "", false, err
	}
	m := &mgr.Mgr{Handle: h}
	defer m.Disconnect()
	namePtr, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return "", false, err
	}
	sh, err := windows.OpenService(h, namePtr, windows.SERVICE_QUERY_STATUS)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	s := &mgr.Service{Name: name, Handle: sh}
	defer s.Close()
	st, err := s.Query()
	if err != nil {
		return "", true, err
	}
	return stateName(st.State), true, nil
}

func stateName(s svc.State) string {
	switch s {
	case svc.Running:
		return "Running"
	case svc.Stopped:
		return "Stopped"
	case svc.StartPending:
		return "Start pending"
	case svc.StopPending:
		return "Stop pending"
	case svc.Paused:
		return "Paused"
	case svc.PausePending:
		return "Pause pending"
	case svc.ContinuePending:
		return "Continue pending"
	}
	return "Unknown"
}

func (windowsMachine) ReadFile(path string) ([]byte, error) { return os.ReadFile(path) }

func (windowsMachine) Getenv(name string) string { return os.Getenv(name) }
