package flame

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func decodeFile(t *testing.T, name string) *Profile {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := Decode(f, 1<<20)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

// TestDecodeCPUFull checks the whole CPU graph recorded from a real server:
// 916 frames over 22 levels, naming 363 distinct functions.
func TestDecodeCPUFull(t *testing.T) {
	p := decodeFile(t, "render_cpu_full.json")
	if p.Empty() {
		t.Fatal("Empty() = true for a graph with data")
	}
	if got := p.NumFrames(); got != 916 {
		t.Errorf("NumFrames() = %d, want 916", got)
	}
	md := p.Metadata
	if md.Format != "single" || md.Units != "samples" || md.SampleRate != 1e9 || md.Name != "cpu" {
		t.Errorf("metadata = %+v", md)
	}
	if p.Flamebearer.NumTicks != 33910000000 || p.Flamebearer.MaxSelf != 7340000000 {
		t.Errorf("numTicks, maxSelf = %d, %d", p.Flamebearer.NumTicks, p.Flamebearer.MaxSelf)
	}
	if p.Timeline == nil || p.Timeline.DurationDelta != 15 || len(p.Timeline.Samples) == 0 {
		t.Errorf("timeline = %+v", p.Timeline)
	}

	names := map[string]bool{}
	levels := 0
	byName := map[string]Frame{}
	var prev Frame
	for i, f := range enumerate(p) {
		names[f.Name] = true
		levels = max(levels, f.Level+1)
		if _, seen := byName[f.Name]; !seen {
			byName[f.Name] = f
		}
		if f.Start < 0 || f.Total < 0 || f.Self > f.Total || f.Start+f.Total > p.Flamebearer.NumTicks {
			t.Errorf("frame %d out of range: %+v", i, f)
		}
		if i > 0 && f.Level == prev.Level && f.Start < prev.Start+prev.Total {
			t.Errorf("frame %d overlaps the previous one: %+v after %+v", i, f, prev)
		}
		if i > 0 && f.Level < prev.Level {
			t.Errorf("frame %d goes back a level: %+v after %+v", i, f, prev)
		}
		prev = f
	}
	if len(names) != 363 || levels != 22 {
		t.Errorf("%d distinct names over %d levels, want 363 over 22", len(names), levels)
	}
	want := []Frame{
		{Level: 0, Start: 0, Total: 33910000000, Self: 0, Name: "total"},
		{Level: 1, Start: 6030000000, Total: 26210000000, Self: 0, Name: "runtime.main"},
		{Level: 7, Start: 6030000000, Total: 19680000000, Self: 450000000, Name: "main.hotLoop"},
		{Level: 8, Start: 6480000000, Total: 9580000000, Self: 460000000, Name: "crypto/sha256.Sum256"},
		{Level: 1, Start: 10000000, Total: 10000000, Self: 0, Name: "net/http.(*Transport).startDialConnForLocked.func1"},
	}
	for _, w := range want {
		if got := byName[w.Name]; got != w {
			t.Errorf("first frame named %q = %+v, want %+v", w.Name, got, w)
		}
	}
}

func enumerate(p *Profile) []Frame {
	var fs []Frame
	for f := range p.Frames() {
		fs = append(fs, f)
	}
	return fs
}

// TestDecodeNoData: a query matching nothing is still a 200 with one zero
// "total" frame, which the preview shows as "no data", not as an error.
func TestDecodeNoData(t *testing.T) {
	p := decodeFile(t, "render_cpu_nodata.json")
	if !p.Empty() {
		t.Error("Empty() = false for the no-data answer")
	}
	fs := enumerate(p)
	if len(fs) != 1 || fs[0] != (Frame{Name: "total"}) {
		t.Errorf("frames = %+v, want the lone zero root", fs)
	}
}

// TestDecodeFixtures decodes every recorded answer, with their different
// units, and checks the decoder's offsets against the server's own
// invariant: a frame's self and its callees add up to its total.
func TestDecodeFixtures(t *testing.T) {
	units := map[string]string{
		"render_cpu_max16.json":                 "samples",
		"render_cpu_groupBy_handler.json":       "samples",
		"render_goroutines_goroutine_full.json": "objects",
		"render_memory_alloc_space_full.json":   "bytes",
		"render_mutex_delay_full.json":          "nanoseconds",
	}
	for name, unit := range units {
		t.Run(name, func(t *testing.T) {
			p := decodeFile(t, name)
			if p.Metadata.Units != unit {
				t.Errorf("units = %q, want %q", p.Metadata.Units, unit)
			}
			fs := enumerate(p)
			for i, f := range fs {
				var callees int64
				for _, c := range fs {
					if c.Level == f.Level+1 && c.Start >= f.Start && c.Start+c.Total <= f.Start+f.Total {
						callees += c.Total
					}
				}
				if f.Self+callees != f.Total {
					t.Errorf("frame %d %q: self %d + callees %d != total %d", i, f.Name, f.Self, callees, f.Total)
				}
			}
		})
	}
	p := decodeFile(t, "render_cpu_groupBy_handler.json")
	if g := p.Groups["hot"]; g == nil || len(g.Samples) == 0 {
		t.Errorf("groups = %v, want a timeline for handler=hot", p.Groups)
	}
}

func TestDecodeErrors(t *testing.T) {
	const md = `"metadata":{"format":"single","units":"samples","sampleRate":100}`
	tests := []struct {
		name, in, want string
	}{
		{"not json", `{"flamebearer":`, "not valid JSON"},
		{"trailing data", `{} {}`, "not valid JSON"},
		{"no names", `{"flamebearer":{"names":[],"levels":[[0,0,0,0]]}}`, "names is empty"},
		{"no levels", `{"flamebearer":{"names":["total"],"levels":[]}}`, "levels is empty"},
		{"partial quadruple", `{"flamebearer":{"names":["total"],"levels":[[0,1,0]],"numTicks":1}}`, "quadruples"},
		{"two roots", `{"flamebearer":{"names":["total"],"levels":[[0,1,0,0,0,1,0,0]],"numTicks":2}}`, "exactly one frame"},
		{"name out of range", `{"flamebearer":{"names":["total"],"levels":[[0,1,0,1]],"numTicks":1}}`, "name index 1 is out of range"},
		{"negative name", `{"flamebearer":{"names":["total"],"levels":[[0,1,0,-1]],"numTicks":1}}`, "name index -1"},
		{"negative offset", `{"flamebearer":{"names":["total","a"],"levels":[[0,10,0,0],[-1,5,5,1]],"numTicks":10}}`, "must not be negative"},
		{"self above total", `{"flamebearer":{"names":["total"],"levels":[[0,1,2,0]],"numTicks":1}}`, "self 2 is more than total 1"},
		{"numTicks mismatch", `{"flamebearer":{"names":["total"],"levels":[[0,10,0,0]],"numTicks":9}}`, "numTicks 9 differs"},
		{"child outside parent", `{"flamebearer":{"names":["total","a"],"levels":[[0,10,0,0],[5,6,6,1]],"numTicks":10}}`, "not inside any frame"},
		{"callees exceed total", `{"flamebearer":{"names":["total","a"],"levels":[[0,10,5,0],[0,6,6,1]],"numTicks":10}}`, "add up to more"},
		{"orphan level", `{"flamebearer":{"names":["total","a"],"levels":[[0,10,10,0],[],[0,1,1,1]],"numTicks":10}}`, "needs a caller"},
		{"overflow", `{"flamebearer":{"names":["total","a"],"levels":[[0,9223372036854775807,0,0],[9223372036854775807,1,1,1,9223372036854775807,1,1,1]],"numTicks":9223372036854775807}}`, "overflows"},
		{"diff format", `{"flamebearer":{"names":["total"],"levels":[[0,1,0,0,1,0,0]],"numTicks":2},"metadata":{"format":"double"}}`, "diff"},
		{"diff tuples", `{"flamebearer":{"names":["total"],"levels":[[0,1,0,0,1,0,0]],"numTicks":2}}`, "diff"},
		{"unknown format", `{"flamebearer":{"names":["total"],"levels":[[0,1,0,0]],"numTicks":1},"metadata":{"format":"triple"}}`, `format "triple"`},
		{"future version", `{"version":2,"flamebearer":{"names":["total"],"levels":[[0,1,0,0]],"numTicks":1},` + md + `}`, "version 2"},
		{"fractional value", `{"flamebearer":{"names":["total"],"levels":[[0,1.5,0,0]],"numTicks":1}}`, "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Decode(strings.NewReader(tt.in), 0)
			if err == nil {
				t.Fatalf("Decode succeeded with %d frames, want an error containing %q", p.NumFrames(), tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
	_, err := Decode(strings.NewReader(`{"flamebearer":{"names":["total"],"levels":[[0,1,0,0,1,0,0]]},"metadata":{"format":"double"}}`), 0)
	if !errors.Is(err, ErrDiffFormat) {
		t.Errorf("diff: error %v is not ErrDiffFormat", err)
	}
}

func TestDecodeLimit(t *testing.T) {
	data, err := os.ReadFile("testdata/render_cpu_full.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(strings.NewReader(string(data)), int64(len(data))); err != nil {
		t.Errorf("at exactly the limit: %v", err)
	}
	if _, err := Decode(strings.NewReader(string(data)), int64(len(data))-1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("one byte over the limit: error %v, want ErrTooLarge", err)
	}
}

// TestDecodeErrorBody uses answers recorded from the server for bad queries.
func TestDecodeErrorBody(t *testing.T) {
	e, err := DecodeErrorBody(strings.NewReader(`{"code":"invalid_argument","message":"failed to parse \"query\": 1:66: parse error: unexpected end of input inside braces"}`), 1024)
	if err != nil {
		t.Fatal(err)
	}
	if e.Code != "invalid_argument" || !strings.HasPrefix(e.Message, `failed to parse "query"`) {
		t.Errorf("got %+v", e)
	}
	if got, want := e.Error(), `pyroscope: invalid_argument: failed to parse "query": 1:66`; !strings.HasPrefix(got, want) {
		t.Errorf("Error() = %q, want prefix %q", got, want)
	}
	for _, bad := range []string{"404 page not found\n", `{"code":"not_found"}`, `[]`} {
		if e, err := DecodeErrorBody(strings.NewReader(bad), 1024); err == nil {
			t.Errorf("DecodeErrorBody(%q) = %+v, want an error", bad, e)
		}
	}
	if _, err := DecodeErrorBody(strings.NewReader(`{"message":"`+strings.Repeat("x", 100)+`"}`), 50); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: error %v, want ErrTooLarge", err)
	}
}

// TestFramesStop: the iterator honours an early break.
func TestFramesStop(t *testing.T) {
	p := decodeFile(t, "render_cpu_max16.json")
	n := 0
	for range p.Frames() {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("iterated %d frames, want 3", n)
	}
}
