package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkEditToBatch measures save → batch delivery, for an in-place
// write and for a rename save (temp file renamed over the page). It is
// dominated by the trailing Debounce by design; the rest is the watcher's
// own overhead. ns-from-first/op is the latency from the batch's First,
// which is what the server logs.
func BenchmarkEditToBatch(b *testing.B) {
	saves := []struct {
		name string
		save func(p string, data []byte) error
	}{
		{"inplace", func(p string, data []byte) error { return os.WriteFile(p, data, 0o644) }},
		{"rename", func(p string, data []byte) error {
			tmp := filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".swp")
			if err := os.WriteFile(tmp, data, 0o644); err != nil {
				return err
			}
			return os.Rename(tmp, p)
		}},
	}
	for _, s := range saves {
		for _, debounce := range []time.Duration{5 * time.Millisecond, 25 * time.Millisecond} {
			b.Run(fmt.Sprintf("%s/debounce=%v", s.name, debounce), func(b *testing.B) {
				dir := tempDir(b)
				p := filepath.Join(dir, "page.md")
				write(b, p, "0")
				w := start(b, []string{dir}, Options{Debounce: debounce})
				var fromFirst time.Duration
				n := 0
				for b.Loop() {
					n++
					if err := s.save(p, []byte(fmt.Sprint(n))); err != nil {
						b.Fatal(err)
					}
					r := next(b, w)
					fromFirst += r.at.Sub(r.First)
				}
				b.ReportMetric(float64(fromFirst.Nanoseconds())/float64(n), "ns-from-first/op")
			})
		}
	}
}
