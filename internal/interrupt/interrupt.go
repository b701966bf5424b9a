// Package interrupt turns SIGINT and SIGTERM into the cancellation of a
// context.
//
// It starts catching them as the process starts, in its package
// initialisation, which runs before that of the large packages a command
// imports (tens of milliseconds for pyrobuild): without it, a signal that
// arrives while those initialise would kill the process before main
// could choose what to do with it.
package interrupt

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// signals are the signals that interrupt: Ctrl-C, and what service
// managers and container runtimes send to stop a process.
var signals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// early holds a signal received before the first call of Context.
var early = make(chan os.Signal, 1)

func init() { signal.Notify(early, signals...) }

// Context returns a context that the first SIGINT or SIGTERM cancels, one
// received since the process started included, and a function that
// releases it. Its cause (context.Cause) names the signal. Once it is
// cancelled the signals are no longer caught on its behalf, so that a
// second one has its default effect: it kills the process, as users
// expect when a program is slow to stop.
func Context() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(context.Background())
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, signals...)
	// caught now receives the signals: the early catch is no longer needed
	// (stopping it first would leave a moment with neither).
	signal.Stop(early)
	go func() {
		defer signal.Stop(caught)
		select {
		case s := <-caught:
			cancel(Error{s})
		case s := <-early:
			cancel(Error{s})
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(context.Canceled) }
}

// Error is the cause of a context cancelled by a signal.
type Error struct{ Signal os.Signal }

func (e Error) Error() string { return fmt.Sprintf("interrupted (%v)", e.Signal) }
