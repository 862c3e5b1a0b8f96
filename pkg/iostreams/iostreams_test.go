package iostreams

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTerminalWriterAndProgress(t *testing.T) {
	ios, _, out, errOut := Test()
	ios.Progressf("retrying in %d s", 4)
	ios.Status("1/3")
	assert.Empty(t, errOut.String(), "progress only on a terminal")

	ios.SetStderrTTY(true)
	ios.Progressf("retrying in %d s", 4)
	ios.Status("1/3")
	ios.Status("")
	assert.Equal(t, "retrying in 4 s\n\r\x1b[K1/3\r\x1b[K", errOut.String())

	ios.SetStdoutTerminal(80, true)
	tw, ok := ios.Out.(*TerminalWriter)
	assert.True(t, ok)
	assert.Equal(t, 80, tw.TerminalWidth())
	assert.True(t, tw.ColorEnabled())
	assert.True(t, ios.IsStdoutTTY())
	_, _ = ios.Out.Write([]byte("x"))
	assert.Equal(t, "x", out.String())
	ios.SetStdoutTerminal(0, false)
	assert.IsType(t, &bytes.Buffer{}, ios.Out)
	assert.False(t, ios.IsStdoutTTY())
}

func TestColorWanted(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	assert.True(t, colorWanted(env(map[string]string{"TERM": "xterm"})))
	assert.False(t, colorWanted(env(map[string]string{"NO_COLOR": "1"})))
	assert.False(t, colorWanted(env(map[string]string{"TERM": "dumb"})))
}

// A console without escape processing gets the old status overwritten with
// spaces instead of an erase sequence it would print raw.
func TestStatusWithoutEscapes(t *testing.T) {
	ios, _, _, errOut := Test()
	ios.stderrTTY = true
	ios.Status("1/3")
	ios.Status("2/3")
	ios.Status("")
	assert.Equal(t, "\r\r1/3\r   \r2/3\r   \r", errOut.String())
	assert.NotContains(t, errOut.String(), "\x1b")
}
