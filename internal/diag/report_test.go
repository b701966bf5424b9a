package diag

import (
	"reflect"
	"testing"
)

// TestReporter: each way of reporting gives the diagnostic it says, and a
// Report still completes its own diagnostic after more were added (the
// list grew and moved).
func TestReporter(t *testing.T) {
	a := Pos{File: "a.yaml", Line: 2, Col: 3}
	b := Pos{File: "b.yaml", Line: 1, Col: 1}
	var ds Diagnostics
	rep := NewReporter(&ds)
	first := rep.Errorf("PB1012", a, "%s %q is defined twice", "Project", "p")
	for range 100 {
		rep.Warnf("PB1105", b, "filler")
	}
	first.Hint("rename one").Path("metadata.name").End(Pos{File: "a.yaml", Line: 2, Col: 9}).
		Note(b, "first defined here").
		Note(Pos{}, "nowhere: left out").
		Note(Pos{File: "c.yaml"}, "no line: left out")
	rep.Infof("PB1008", a, "passed through")
	rep.Report(Warning, "PB1209", a, "100% literal")
	rep.Add(Diagnostic{Severity: Error, Message: "added"})

	want := Diagnostic{Severity: Error, Code: "PB1012", Pos: a, End: Pos{File: "a.yaml", Line: 2, Col: 9},
		Message: `Project "p" is defined twice`, Hint: "rename one", Path: "metadata.name",
		Notes: []Note{{Pos: b, Message: "first defined here"}}}
	if !reflect.DeepEqual(ds[0], want) {
		t.Errorf("first diagnostic:\n got %+v\nwant %+v", ds[0], want)
	}
	tail := ds[101:]
	wantTail := Diagnostics{
		{Severity: Info, Code: "PB1008", Pos: a, Message: "passed through"},
		{Severity: Warning, Code: "PB1209", Pos: a, Message: "100% literal"},
		{Severity: Error, Message: "added"},
	}
	if !reflect.DeepEqual(tail, wantTail) {
		t.Errorf("last diagnostics:\n got %+v\nwant %+v", tail, wantTail)
	}
	if len(ds) != 104 {
		t.Errorf("%d diagnostics, want 104", len(ds))
	}
}

// TestNew: a diagnostic made on its own, as parsers return them.
func TestNew(t *testing.T) {
	at := Pos{File: "x.json", Line: 4, Col: 5}
	got := Errorf("PB0006", at, "duplicate key %q", "name").Hint("remove one").Note(Pos{File: "x.json", Line: 2, Col: 5}, "first").Diagnostic()
	want := &Diagnostic{Severity: Error, Code: "PB0006", Pos: at, Message: `duplicate key "name"`, Hint: "remove one",
		Notes: []Note{{Pos: Pos{File: "x.json", Line: 2, Col: 5}, Message: "first"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if d := New(Info, "PB0008", Pos{}, "50% done").Diagnostic(); d.Severity != Info || d.Message != "50% done" {
		t.Errorf("New: got %+v", d)
	}
}

// TestSortKeepsNotes: sorting orders by position and drops duplicates,
// carrying each diagnostic's notes along.
func TestSortKeepsNotes(t *testing.T) {
	n := []Note{{Pos: Pos{File: "a", Line: 1}, Message: "here"}}
	ds := Diagnostics{
		{Severity: Warning, Pos: Pos{File: "b", Line: 1}, Message: "w"},
		{Severity: Error, Pos: Pos{File: "a", Line: 9}, Message: "e", Notes: n},
		{Severity: Error, Pos: Pos{File: "a", Line: 9}, Message: "e", Notes: n},
		{Severity: Warning, Pos: Pos{File: "a", Line: 9}, Message: "d"},
	}
	ds.Sort()
	want := Diagnostics{
		{Severity: Error, Pos: Pos{File: "a", Line: 9}, Message: "e", Notes: n},
		{Severity: Warning, Pos: Pos{File: "a", Line: 9}, Message: "d"},
		{Severity: Warning, Pos: Pos{File: "b", Line: 1}, Message: "w"},
	}
	if !reflect.DeepEqual(ds, want) {
		t.Errorf("got %+v\nwant %+v", ds, want)
	}
	if got := ds.Summary(); got != "1 error, 2 warnings" {
		t.Errorf("Summary = %q", got)
	}
}

// TestPosCompare: positions order by file, line, column.
func TestPosCompare(t *testing.T) {
	cases := []struct {
		p, q Pos
		want int
	}{
		{Pos{"a", 1, 1}, Pos{"a", 1, 1}, 0},
		{Pos{"a", 9, 9}, Pos{"b", 1, 1}, -1},
		{Pos{"a", 2, 1}, Pos{"a", 1, 9}, 1},
		{Pos{"a", 1, 2}, Pos{"a", 1, 3}, -1},
	}
	for _, c := range cases {
		if got := c.p.Compare(c.q); got != c.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", c.p, c.q, got, c.want)
		}
	}
}

// TestRegistry: codes are found once registered, listed in code order,
// and a code registered twice panics.
func TestRegistry(t *testing.T) {
	var r Registry
	r.Register(CodeInfo{Code: "PB2001", Title: "b"}, CodeInfo{Code: "PB0001", Title: "a"})
	if info, ok := r.Lookup("PB2001"); !ok || info.Title != "b" {
		t.Errorf("Lookup(PB2001) = %+v, %v", info, ok)
	}
	if _, ok := r.Lookup("PB9999"); ok {
		t.Error("Lookup found an unregistered code")
	}
	if all := r.All(); len(all) != 2 || all[0].Code != "PB0001" || all[1].Code != "PB2001" {
		t.Errorf("All = %+v", all)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a code twice did not panic")
		}
	}()
	r.Register(CodeInfo{Code: "PB0001"})
}
