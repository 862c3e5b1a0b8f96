package exitcode

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestOf(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"plain", errors.New("boom"), 1},
		{"usage", Usagef("bad --app-id %q", "x"), 2},
		{"auth wrapped twice", fmt.Errorf("get agents: %w", Authf("AADSTS50126")), 3},
		{"not found", NotFoundf("app 1 not found"), 4},
		{"checks", Wrap(ErrChecksFailed, errors.New("2 checks failed")), 5},
		{"unavailable", fmt.Errorf("x: %w", Wrap(ErrUnavailable, errors.New("503"))), 6},
		{"cancelled", context.Canceled, 1},
		{"interrupted", Wrap(ErrInterrupted, fmt.Errorf("x: %w", Wrap(ErrUnavailable, context.Canceled))), 130},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, Of(c.err))
		})
	}
}

func TestWrapKeepsMessage(t *testing.T) {
	err := Usagef("--target-uri must be https")
	assert.Equal(t, "--target-uri must be https", err.Error())
	assert.Nil(t, Wrap(ErrAuth, nil))
}

func TestReported(t *testing.T) {
	err := Reported(Wrap(ErrChecksFailed, errors.New("2 of 3 active")))
	if !IsReported(err) || Of(err) != ChecksFailed || err.Error() != "2 of 3 active" {
		t.Fatalf("Reported keeps the kind and message: %v %d", err, Of(err))
	}
	if IsReported(errors.New("x")) || Reported(nil) != nil {
		t.Fatal("only marked errors are reported")
	}
}
