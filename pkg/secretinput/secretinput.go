// Package secretinput reads a secret (password, client secret, PFX password)
// from standard input, the only channel secrets may use: argv is visible to
// every local user and lands in shell history and process audit logs.
package secretinput

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"

	"github.com/hybridmgmt/hybridmgmt/pkg/exitcode"
)

// MaxLen bounds what is read; no password or client secret comes near it.
const MaxLen = 16 << 10

// ReadLine reads the first line of r, strips a UTF-8 byte-order mark (Windows
// PowerShell 5.1 may prepend one when it pipes a string to a native program)
// and the trailing CR/LF. The secret never appears in an error.
func ReadLine(r io.Reader, what string) (string, error) {
	// Room for a secret of MaxLen bytes plus a BOM and CRLF, and one byte
	// more to tell a longer line from one that fits.
	const limit = MaxLen + len(bom) + len("\r\n") + 1
	br := bufio.NewReaderSize(io.LimitReader(r, int64(limit)), 4096)
	line, err := br.ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", exitcode.Usagef("reading %s from standard input: %v", what, err)
	}
	line = bytes.TrimPrefix(line, []byte(bom))
	line = bytes.TrimRight(line, "\r\n")
	// Measured without the BOM and line end: a secret of exactly MaxLen
	// bytes followed by a newline fits.
	if len(line) > MaxLen {
		return "", exitcode.Usagef("%s on standard input is longer than %d bytes", what, MaxLen)
	}
	if len(line) == 0 {
		return "", exitcode.Usagef("%s expected on standard input, got nothing (%s)", what, PipeHint(runtime.GOOS))
	}
	return string(line), nil
}

// PipeHint says how to hand a secret over on this OS. On Windows it
// points at the PowerShell module: Windows PowerShell 5.1 pipes strings to
// native programs in $OutputEncoding (US-ASCII), which mangles any
// non-ASCII character of a password piped from Get-Content.
func PipeHint(goos string) string {
	if goos == "windows" {
		return "use the PowerShell module, which passes it safely: Connect-HybridManagement -Credential (Get-Credential), or -ClientSecret"
	}
	return "pipe it in, e.g. `hybridmgmt ... --password-stdin < secret.txt`"
}

const bom = "\xef\xbb\xbf"
