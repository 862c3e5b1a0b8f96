package appproxy

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// What a person at a terminal reads while a retry waits.
func TestRetryProgress(t *testing.T) {
	assert.Equal(t, "Graph is throttling; retrying in 4 s", retryProgress(&Error{Status: http.StatusTooManyRequests}, 4*time.Second))
	assert.Equal(t, "Graph answered 503; retrying in 2 s", retryProgress(&Error{Status: http.StatusServiceUnavailable}, 1600*time.Millisecond))
	assert.Equal(t, "Graph did not answer; retrying in 1 s", retryProgress(errors.New("reset"), time.Second))
}
