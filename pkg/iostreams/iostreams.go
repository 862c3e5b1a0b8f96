// Package iostreams bundles the process's standard streams with what the
// commands need to know about them, so tests can swap in buffers.
package iostreams

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/mattn/go-isatty"
	"golang.org/x/term"
)

// IOStreams are the streams a command reads and writes.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool

	mu          sync.Mutex
	statusShown int // width of the status line on screen; 0 = none
	// stderrVT: stderr understands "erase to end of line".
	stderrVT bool
}

// System returns the real standard streams. When stdout is a terminal it
// is wrapped in a writer that tells pkg/output the terminal's width and
// whether colour is wanted, so every table fits without each command
// asking.
func System() *IOStreams {
	s := &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdinTTY:  isTerminal(os.Stdin),
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
	}
	if s.stdoutTTY {
		s.Out = &TerminalWriter{Writer: os.Stdout, fd: os.Stdout.Fd(),
			color: colorWanted(os.Getenv) && enableVT(os.Stdout.Fd())}
	}
	if s.stderrTTY {
		s.stderrVT = enableVT(os.Stderr.Fd())
		// Multi-line warnings wrap to the terminal too (output.WrapLines).
		s.ErrOut = &TerminalWriter{Writer: os.Stderr, fd: os.Stderr.Fd(), color: colorWanted(os.Getenv) && s.stderrVT}
	}
	return s
}

// colorWanted follows https://no-color.org and TERM=dumb.
func colorWanted(getenv func(string) string) bool {
	return getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// TerminalWriter is stdout when it is a terminal: output.Print asks it for
// the width and whether to colour.
type TerminalWriter struct {
	io.Writer
	fd    uintptr
	width int // fixed width for tests; 0 = ask the terminal
	color bool
}

// DefaultWidth is used when a terminal does not report its size (some
// CI consoles and serial lines).
const DefaultWidth = 80

// TerminalWidth is the terminal's width now.
func (t *TerminalWriter) TerminalWidth() int {
	if t.width > 0 {
		return t.width
	}
	if w, _, err := term.GetSize(int(t.fd)); err == nil && w > 0 {
		return w
	}
	return DefaultWidth
}

// ColorEnabled reports whether statuses may be coloured.
func (t *TerminalWriter) ColorEnabled() bool { return t.color }

// SetStdoutTerminal lets tests pretend stdout is a terminal of width
// columns, with or without colour.
func (s *IOStreams) SetStdoutTerminal(width int, color bool) {
	if tw, ok := s.Out.(*TerminalWriter); ok {
		s.Out = tw.Writer
	}
	s.stdoutTTY = width > 0
	if width > 0 {
		s.Out = &TerminalWriter{Writer: s.Out, width: width, color: color}
	}
}

// Progressf writes a progress line to stderr when stderr is a terminal:
// scripts and the PowerShell module (which turns stderr lines into
// warnings) never see it. The line ends with a newline.
func (s *IOStreams) Progressf(format string, args ...any) {
	if !s.stderrTTY {
		return
	}
	fmt.Fprintf(s.ErrOut, format+"\n", args...)
}

// Status shows a one-line counter on stderr that rewrites itself
// ("12/40 checks done"); Status("") clears it. Terminals only.
func (s *IOStreams) Status(text string) {
	if !s.stderrTTY {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// \r and "erase to end of line" redraw in place; a console without
	// escape processing gets spaces over the old text instead.
	erase := "\r\x1b[K"
	if !s.stderrVT {
		erase = "\r" + strings.Repeat(" ", s.statusShown) + "\r"
	}
	if text == "" {
		if s.statusShown > 0 {
			fmt.Fprint(s.ErrOut, erase)
			s.statusShown = 0
		}
		return
	}
	fmt.Fprint(s.ErrOut, erase+text)
	s.statusShown = len(text)
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// Test returns streams backed by buffers: stdin, stdout and stderr.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// IsStdinTTY reports whether stdin is an interactive terminal; secrets are
// never read from a terminal (they would echo).
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether stderr is a terminal, i.e. whether a person may
// be reading sign-in prompts.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetStdinTTY lets tests pretend stdin is a terminal.
func (s *IOStreams) SetStdinTTY(v bool) { s.stdinTTY = v }

// SetStderrTTY lets tests pretend stderr is a terminal (one that
// understands escape sequences).
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY, s.stderrVT = v, v }
