package connectivity

import (
	"errors"
	"fmt"
	"io"
	"math"
)

// maxAnswerHead bounds what is read of a probed server's or a proxy's
// status line and headers. Real answers (a block page's headers included)
// are a few KiB; Go's http.ReadResponse has no limit of its own and keeps
// an endless status line or header in memory until the deadline. Port-80
// checks are cleartext, so anything on the path can send one.
const maxAnswerHead = 64 << 10

// maxAnswerBody is what get reads of a body, plus room for the chunked
// encoding's framing.
const maxAnswerBody = 8<<10 + 8<<10

var errAnswerTooLarge = fmt.Errorf("the answer's status line and headers are larger than %d KiB", maxAnswerHead>>10)

// capReader fails the read past its allowance with errAnswerTooLarge.
// The allowance can be raised once the header is read (allow).
type capReader struct {
	r    io.Reader
	left int64
}

func newCapReader(r io.Reader) *capReader { return &capReader{r: r, left: maxAnswerHead} }

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errAnswerTooLarge
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// allow sets the allowance for what follows the header; unlimited hands
// the connection over (a CONNECT tunnel's TLS bounds its own records).
func (c *capReader) allow(n int64) { c.left = n }

func (c *capReader) unlimited() { c.left = math.MaxInt64 }

// headErr says what went wrong reading an answer's head: over the limit
// is named as such (a bufio or textproto error may wrap or replace ours).
func headErr(err error) error {
	if errors.Is(err, errAnswerTooLarge) {
		return errAnswerTooLarge
	}
	return err
}
