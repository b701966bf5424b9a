package cli

import (
	"os"
	"runtime/debug"
	"sync"
)

// Compiling is allocation-heavy (CUE evaluation) with a small live heap:
// with Go's default GOGC=100 the collector took a fifth of the CPU. A
// compilation lets the heap grow to five times what is live (GOGC=400) but
// not past gcMemoryLimit, near which the runtime collects as often as it
// must to stay under it: 500 CUE dashboards take a fifth less CPU, and
// 10,000 stay near 220 MB. GOGC or GOMEMLIMIT in the environment win.
const (
	gcPercent     = 400
	gcMemoryLimit = 200 << 20
)

// gcTuning is what tuneGC sets, given the environment; ok is false when
// the user set the collector up.
func gcTuning(getenv func(string) string) (percent int, limit int64, ok bool) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return 0, 0, false
	}
	return gcPercent, gcMemoryLimit, true
}

var tuneGC = sync.OnceFunc(func() {
	if percent, limit, ok := gcTuning(os.Getenv); ok {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
})
