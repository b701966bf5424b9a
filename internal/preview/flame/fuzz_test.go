package flame

import (
	"bytes"
	"slices"
	"testing"
)

// FuzzDecode: whatever the bytes, Decode never panics, and what it accepts
// is safe to draw: every frame lies within the root, inside the names
// table, with self no more than total. Seeds are in testdata/fuzz/FuzzDecode
// (recorded answers and broken variants of them).
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"version":1,"flamebearer":{"names":["total","a","b"],"levels":[[0,10,0,0],[0,6,2,1,1,3,3,2],[0,4,4,2]],"numTicks":10,"maxSelf":4},"metadata":{"format":"single","units":"samples","sampleRate":100}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(bytes.NewReader(data), 1<<20)
		if err != nil {
			return
		}
		fb := p.Flamebearer
		n, roots := 0, 0
		var prev Frame
		for fr := range p.Frames() {
			if fr.Start < 0 || fr.Total < 0 || fr.Self < 0 || fr.Self > fr.Total {
				t.Fatalf("frame %d has negative or inconsistent values: %+v", n, fr)
			}
			if fr.Start > fb.NumTicks || fr.Total > fb.NumTicks-fr.Start {
				t.Fatalf("frame %d ends past the root (%d): %+v", n, fb.NumTicks, fr)
			}
			if fr.Level < 0 || fr.Level >= len(fb.Levels) || !slices.Contains(fb.Names, fr.Name) {
				t.Fatalf("frame %d has a level or name out of range: %+v", n, fr)
			}
			if n > 0 && (fr.Level < prev.Level || fr.Level == prev.Level && fr.Start < prev.Start+prev.Total) {
				t.Fatalf("frame %d is out of order or overlaps: %+v after %+v", n, fr, prev)
			}
			if fr.Level == 0 {
				roots++
			}
			prev = fr
			n++
		}
		if roots != 1 || n != p.NumFrames() {
			t.Fatalf("%d roots, %d frames (NumFrames %d)", roots, n, p.NumFrames())
		}
	})
}
