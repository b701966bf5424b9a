//go:build unix

package interrupt

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestContext: a signal cancels the context of its time and names its
// signal; released without one, the cause is context.Canceled.
func TestContext(t *testing.T) {
	for i, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		ctx, stop := Context()
		if err := syscall.Kill(os.Getpid(), sig); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("%d: %v did not cancel the context", i, sig)
		}
		var e Error
		if !errors.As(context.Cause(ctx), &e) || e.Signal != sig {
			t.Errorf("%d: cause %v, want %v", i, context.Cause(ctx), sig)
		}
		stop()
	}

	ctx, stop := Context()
	stop()
	<-ctx.Done()
	if cause := context.Cause(ctx); cause != context.Canceled {
		t.Errorf("released: cause %v", cause)
	}
}
