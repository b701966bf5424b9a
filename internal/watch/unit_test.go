package watch

import (
	"path/filepath"
	"testing"
	"time"
)

func TestIsScratchName(t *testing.T) {
	for _, tc := range []struct {
		name    string
		scratch bool
	}{
		{"index.md", false},
		{"dash.cue", false},
		{"README", false},
		{"4913.md", false},
		{"a#b", false},
		{"notes.tmpl", false},
		{".index.md.swp", true},
		{".index.md.swx", true},
		{"index.md.swp", true},
		{"index.md~", true},
		{"4913", true},
		{".#index.md", true},
		{"#index.md#", true},
		{"index.md___jb_tmp___", true},
		{"index.md___jb_old___", true},
		{".goutputstream-ABC123", true},
		{"index.md.tmp", true},
		{"INDEX.TMP", true},
		{".DS_Store", true},
		{".hidden", true},
		{"", true},
	} {
		if got := isScratchName(tc.name); got != tc.scratch {
			t.Errorf("isScratchName(%q) = %v, want %v", tc.name, got, tc.scratch)
		}
	}
}

func TestRelAllowed(t *testing.T) {
	j := filepath.Join
	for _, tc := range []struct {
		rel   string
		isDir bool
		want  bool
	}{
		{"a.md", false, true},
		{j("docs", "a.md"), false, true},
		{j(".git", "HEAD"), false, false},
		{j("node_modules", "x", "a.js"), false, false},
		{j("docs", ".a.md.swp"), false, false},
		{"docs", true, true},
		{".git", true, false},
		{j("docs", "node_modules"), true, false},
		{j("a", ".cache", "b"), true, false},
		// Recordings of pyrobuild snapshot, drawn on the pages.
		{j("dashboards", ".pyrobuild"), true, true},
		{j("dashboards", ".pyrobuild", "recordings", "p", "d.json"), false, true},
		{j("dashboards", ".pyrobuild", "recordings", "p", ".tmp-123"), false, false},
	} {
		if got := relAllowed(tc.rel, tc.isDir); got != tc.want {
			t.Errorf("relAllowed(%q, %v) = %v, want %v", tc.rel, tc.isDir, got, tc.want)
		}
	}
}

func TestRelWithin(t *testing.T) {
	for _, tc := range []struct {
		dir, p, rel string
		ok          bool
	}{
		{"/a", "/a", "", true},
		{"/a", "/a/b/c", "b/c", true},
		{"/a", "/ab", "", false},
		{"/a/b", "/a", "", false},
		{"/", "/x", "x", true},
	} {
		rel, ok := relWithin(filepath.FromSlash(tc.dir), filepath.FromSlash(tc.p))
		if ok != tc.ok || rel != filepath.FromSlash(tc.rel) {
			t.Errorf("relWithin(%q, %q) = %q, %v; want %q, %v", tc.dir, tc.p, rel, ok, tc.rel, tc.ok)
		}
	}
}

// TestDebouncer drives the batching rule with a made-up clock: trailing
// quiet period, capped by the maximum delay from the first event.
func TestDebouncer(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	for _, tc := range []struct {
		name   string
		events []int // ms after t0
		due    int
	}{
		{"single event", []int{0}, 25},
		{"burst inside quiet period", []int{0, 5, 10, 20}, 45},
		{"trailing after a gap", []int{0, 100}, 125},
		{"stream capped by max delay", []int{0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220, 240}, 250},
		{"late event after cap", []int{0, 240}, 250},
		{"out of order clock", []int{10, 0}, 35},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := debouncer{quiet: 25 * time.Millisecond, max: 250 * time.Millisecond}
			if d.active {
				t.Fatal("active before any event")
			}
			for _, e := range tc.events {
				d.event(ms(e))
			}
			if !d.active {
				t.Fatal("not active after events")
			}
			if got := d.due(); !got.Equal(ms(tc.due)) {
				t.Errorf("due = +%v, want +%dms", got.Sub(t0), tc.due)
			}
			d.reset()
			if d.active {
				t.Error("active after reset")
			}
			d.event(ms(1000))
			if got := d.due(); !got.Equal(ms(1025)) {
				t.Errorf("after reset: due = +%v, want +1025ms", got.Sub(t0))
			}
		})
	}
}

func TestStampSame(t *testing.T) {
	base := stamp{mtime: 1, size: 2, ino: 3}
	withSum := func(s stamp, sum uint64) stamp { s.sum = sum; return s }
	for _, tc := range []struct {
		name string
		a, b stamp
		want bool
	}{
		{"equal", base, base, true},
		{"mtime", base, stamp{mtime: 9, size: 2, ino: 3}, false},
		{"inode (rename save)", base, stamp{mtime: 1, size: 2, ino: 4}, false},
		{"one side hashed", withSum(base, 7), base, true},
		{"same hash", withSum(base, 7), withSum(base, 7), true},
		{"different hash", withSum(base, 7), withSum(base, 8), false},
		{"gone vs gone", stamp{}, stamp{}, true},
	} {
		if got := tc.a.same(tc.b); got != tc.want {
			t.Errorf("%s: same = %v, want %v", tc.name, got, tc.want)
		}
	}
}
