package iostreams

import "golang.org/x/sys/windows"

// enableVT turns on ANSI escape processing for a console handle. Windows
// 10 consoles understand colour and "erase line" only when a program asks;
// without it Windows PowerShell 5.1's console shows the raw escapes.
func enableVT(fd uintptr) bool {
	h := windows.Handle(fd)
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return false
	}
	if mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0 {
		return true
	}
	return windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING) == nil
}
