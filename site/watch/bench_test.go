package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkEditToBatch measures an in-place save → batch delivery. It is
// dominated by the trailing Debounce by design; the rest is the watcher's
// own overhead. Each iteration also reports the latency from the batch's
// First (what the server logs).
func BenchmarkEditToBatch(b *testing.B) {
	for _, debounce := range []time.Duration{5 * time.Millisecond, 25 * time.Millisecond} {
		b.Run(fmt.Sprintf("debounce=%v", debounce), func(b *testing.B) {
			dir := tempDir(b)
			p := filepath.Join(dir, "page.md")
			write(b, p, "0")
			w := start(b, []string{dir}, Options{Debounce: debounce})
			var fromFirst time.Duration
			n := 0
			for i := 0; b.Loop(); i++ {
				n++
				if err := os.WriteFile(p, []byte(fmt.Sprint(i)), 0o644); err != nil {
					b.Fatal(err)
				}
				r := next(b, w)
				fromFirst += r.at.Sub(r.First)
			}
			b.ReportMetric(float64(fromFirst.Nanoseconds())/float64(n), "ns-from-first/op")
		})
	}
}
