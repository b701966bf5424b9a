// Package interrupt turns SIGINT and SIGTERM into the cancellation of a
// context.
//
// Catching starts when Context is called, first thing in the command's
// Run, right after the packages have initialised; a signal that arrives
// before then has its default effect, which is right for a process that
// has not begun anything to undo.
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

// Context returns a context that the first SIGINT or SIGTERM cancels, and
// a function that releases it. Its cause (context.Cause) names the
// signal. Once it is cancelled the signals are no longer caught on its
// behalf, so that a second one has its default effect: it kills the
// process, as users expect when a program is slow to stop.
//
// The first call costs the process a thread and about half a millisecond
// (Go's signal machinery), which is why it is not made in a package
// initialisation that every run would pay for.
func Context() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(context.Background())
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, signals...)
	go func() {
		defer signal.Stop(caught)
		select {
		case s := <-caught:
			cancel(Error{s})
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(context.Canceled) }
}

// Error is the cause of a context cancelled by a signal.
type Error struct{ Signal os.Signal }

func (e Error) Error() string { return fmt.Sprintf("interrupted (%v)", e.Signal) }
