package load

import (
	"context"
	"fmt"
	"runtime/metrics"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// CUE evaluation has no way to be interrupted, and a few lines of CUE can
// ask for unbounded work (a comprehension over a large range) or memory (a
// value that doubles at each step). Each package is therefore evaluated on
// another goroutine while the worker watches the clock and the heap;
// past a limit the package is reported and the evaluation abandoned. The
// command then exits with the error, which ends the evaluation too; a
// long-running caller (serve) keeps the abandoned goroutine until it ends.

// cueMemoryLimit is how much the heap may grow while one CUE package is
// evaluated (more when the heap was already larger: the garbage collector
// lets it grow by as much as is live).
const cueMemoryLimit = 1 << 30

// heapBytes is the memory held by heap objects, garbage not yet collected
// included. Reading it does not stop the world.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// CUERunner evaluates CUE packages, one at a time, on a goroutine of its
// own that lives as long as the worker: a fresh goroutine per package
// would grow a deep stack again for each, which costs a tenth of the
// compile time.
type CUERunner struct {
	jobs chan cueJob
}

type cueJob struct {
	load func() ([]Raw, diag.Diagnostics)
	done chan<- cueResult
}

type cueResult struct {
	raws  []Raw
	diags diag.Diagnostics
}

// NewCUERunner starts a runner; Close ends it.
func NewCUERunner() *CUERunner {
	r := &CUERunner{jobs: make(chan cueJob)}
	go func() {
		for j := range r.jobs {
			raws, diags := j.load()
			j.done <- cueResult{raws, diags}
		}
	}()
	return r
}

// Close ends the runner's goroutine once its current job, if any, ends.
func (r *CUERunner) Close() { close(r.jobs) }

// Load runs load (the evaluation of the CUE unit u) within the time and
// memory limits, and until ctx is done. abandoned reports that load is
// still running: the runner is closed and must be replaced, and whatever
// load uses left alone. memory reports that it was stopped for its memory,
// in which case the compilation should stop before the abandoned
// evaluation takes the rest. Abandoned for ctx, it reports nothing: the
// compilation is stopped.
func (r *CUERunner) Load(ctx context.Context, u Unit, timeout time.Duration, load func() ([]Raw, diag.Diagnostics)) (raws []Raw, diags diag.Diagnostics, abandoned, memory bool) {
	done := make(chan cueResult, 1)
	start := heapBytes()
	r.jobs <- cueJob{load, done}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	allowed := max(uint64(cueMemoryLimit), start)
	stopped := func(msg, hint string) diag.Diagnostics {
		r.Close()
		return diag.Diagnostics{{Severity: diag.Error, Code: model.CodeInputLimit, Pos: diag.Pos{File: u.files[0]}, Message: msg, Hint: hint}}
	}
	for {
		select {
		case res := <-done:
			return res.raws, res.diags, false, false
		case <-ctx.Done():
			r.Close()
			return nil, nil, true, false
		case <-timer.C:
			return nil, stopped(fmt.Sprintf("evaluating this CUE package took longer than %s; stopped", timeout),
				"look for a comprehension over a large range or a value that grows at each step; if the package is just large, raise the limit with PYROBUILD_CUE_TIMEOUT (e.g. 5m)"), true, false
		case <-tick.C:
			if h := heapBytes(); h > start && h-start > allowed {
				return nil, stopped(fmt.Sprintf("evaluating this CUE package used more than %d MiB of memory; stopped", allowed>>20),
					"look for a value that doubles at each step (s2: s1 + s1) or a comprehension over a large range"), true, true
			}
		}
	}
}
