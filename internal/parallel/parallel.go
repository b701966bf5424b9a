// Package parallel runs the items of a list of work on a bounded number of
// goroutines. Each item writes its result by its index, so what a caller
// builds does not depend on scheduling.
package parallel

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Do calls f(0) … f(n-1) on GOMAXPROCS goroutines and returns once every
// call has.
func Do(n int, f func(i int)) {
	_ = Run(context.Background(), n, 0, f)
}

// Run calls f(0) … f(n-1) on up to workers goroutines (GOMAXPROCS when
// workers is not positive), handing out indexes in order. It stops handing
// out work when ctx ends, waits for the calls under way, and then returns
// ctx's error; nil when every index was handed out.
func Run(ctx context.Context, n, workers int, f func(i int)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var next atomic.Int64
	var stopped atomic.Bool
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if ctx.Err() != nil {
					stopped.Store(true)
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
	if stopped.Load() {
		return ctx.Err()
	}
	return nil
}
