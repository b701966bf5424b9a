package parallel

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name       string
		n, workers int
	}{
		{"none", 0, 4},
		{"one", 1, 4},
		{"fewer workers than items", 100, 3},
		{"more workers than items", 3, 100},
		{"default workers", 50, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := make([]int32, tc.n)
			var mu sync.Mutex
			running, most := 0, 0
			err := Run(context.Background(), tc.n, tc.workers, func(i int) {
				mu.Lock()
				running++
				most = max(most, running)
				mu.Unlock()
				atomic.AddInt32(&calls[i], 1)
				mu.Lock()
				running--
				mu.Unlock()
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range calls {
				if c != 1 {
					t.Errorf("f(%d) called %d times, want once", i, c)
				}
			}
			if tc.workers > 0 && most > tc.workers {
				t.Errorf("%d calls at once, want at most %d", most, tc.workers)
			}
		})
	}
}

func TestRunStopsWhenCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	err := Run(ctx, 1000, 2, func(i int) {
		if calls.Add(1) == 10 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	// Each worker may have taken one index before it saw the end.
	if n := calls.Load(); n < 10 || n > 12 {
		t.Errorf("%d calls, want 10 to 12", n)
	}
}

func TestDo(t *testing.T) {
	out := make([]int, 1000)
	Do(len(out), func(i int) { out[i] = i * i })
	for i, v := range out {
		if v != i*i {
			t.Fatalf("out[%d] = %d", i, v)
		}
	}
}
