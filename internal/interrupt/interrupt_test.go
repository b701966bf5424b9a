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

// TestContext: a signal received before Context is called cancels the
// first context at once (the early catch); later signals cancel the
// context of their time; each names its signal. One test, in this order:
// once Context has been called, an early signal would kill the process.
func TestContext(t *testing.T) {
	// Before any Context: caught by the package's initialisation, not
	// fatal.
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	for i, sig := range []syscall.Signal{0, syscall.SIGINT, syscall.SIGTERM} {
		ctx, stop := Context()
		if sig != 0 {
			if err := syscall.Kill(os.Getpid(), sig); err != nil {
				t.Fatal(err)
			}
		} else {
			sig = syscall.SIGTERM // the early one
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

	// Released without a signal: cancelled, for no signal.
	ctx, stop := Context()
	stop()
	<-ctx.Done()
	if cause := context.Cause(ctx); cause != context.Canceled {
		t.Errorf("released: cause %v", cause)
	}
}
