package compiler

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/outdir"
)

var update = flag.Bool("update", false, "rewrite golden files")

func compileOK(t *testing.T, opts Options) *Result {
	t.Helper()
	res, err := Compile(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		if d.Severity >= Warning {
			t.Errorf("unexpected diagnostic: %s: %s", d, d.Hint)
		}
	}
	return res
}

// TestExamplesGolden compiles examples/ and compares every output file with
// testdata/golden (go test -run Golden -update rewrites them).
func TestExamplesGolden(t *testing.T) {
	for _, f := range []Format{YAML, JSON} {
		t.Run(string(f), func(t *testing.T) {
			res := compileOK(t, Options{Paths: []string{"../../examples"}})
			if len(res.Resources) != 14 {
				t.Fatalf("got %d resources, want 14 (examples/profiling, and its Go twin in examples/go)", len(res.Resources))
			}
			files := Layout(res.Resources, f)
			golden := filepath.Join("testdata", "golden", string(f))
			if *update {
				os.RemoveAll(golden)
				for _, of := range files {
					p := filepath.Join(golden, of.Path)
					os.MkdirAll(filepath.Dir(p), 0o755)
					if err := os.WriteFile(p, of.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			var want []string
			filepath.WalkDir(golden, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(golden, p)
					want = append(want, filepath.ToSlash(rel))
				}
				return nil
			})
			if len(want) != len(files) {
				t.Errorf("got %d files, golden has %d", len(files), len(want))
			}
			for _, of := range files {
				b, err := os.ReadFile(filepath.Join(golden, of.Path))
				if err != nil {
					t.Errorf("%s: not in golden output (run with -update): %v", of.Path, err)
					continue
				}
				if !bytes.Equal(b, of.Data) {
					t.Errorf("%s differs from golden:\n--- got\n%s\n--- want\n%s", of.Path, of.Data, b)
				}
			}
		})
	}
}

// TestLoweredToWireForm checks what a real Perses with the plugin schemas
// needs: no query field, full profile type IDs, closed specs.
func TestLoweredToWireForm(t *testing.T) {
	res := compileOK(t, Options{Paths: []string{"../../examples"}})
	idRe := regexp.MustCompile(`^[a-z_]+(:[a-z_]*){4,5}$`)
	wire := map[string]bool{"datasource": true, "profileType": true, "service": true, "filters": true, "maxNodes": true}
	queries := 0
	var visit func(n *Node)
	visit = func(n *Node) {
		if n == nil {
			return
		}
		if k, _ := n.Str("kind"); k == "PyroscopeProfileQuery" {
			queries++
			spec := n.Get("spec")
			for _, key := range spec.Keys {
				if !wire[key] {
					t.Errorf("query spec has non-wire field %q", key)
				}
			}
			if pt, _ := spec.Str("profileType"); !idRe.MatchString(pt) {
				t.Errorf("profileType %q is not a full ID", pt)
			}
			if _, ok := spec.Str("service"); !ok {
				t.Errorf("query has no service")
			}
		}
		for _, v := range n.Vals {
			visit(v)
		}
		for _, v := range n.Items {
			visit(v)
		}
	}
	for _, r := range res.Resources {
		visit(r.Node)
	}
	if queries != 10 {
		t.Errorf("saw %d profile queries, want 10 (5 in examples/profiling, 5 in examples/go)", queries)
	}
}

// TestIdempotent: compiling the output gives the output again.
func TestIdempotent(t *testing.T) {
	for _, f := range []Format{YAML, JSON} {
		res := compileOK(t, Options{Paths: []string{"../../examples"}})
		first := Layout(res.Resources, f)
		dir := t.TempDir()
		var bundle []byte
		for _, of := range first {
			if of.Path == "bundle."+string(f) {
				bundle = of.Data
			}
		}
		p := filepath.Join(dir, "bundle."+string(f))
		os.WriteFile(p, bundle, 0o644)
		res2 := compileOK(t, Options{Paths: []string{p}})
		second := Layout(res2.Resources, f)
		if len(first) != len(second) {
			t.Fatalf("%s: %d files, then %d", f, len(first), len(second))
		}
		for i := range first {
			if first[i].Path != second[i].Path || !bytes.Equal(first[i].Data, second[i].Data) {
				t.Errorf("%s: %s changed when recompiled:\n%s\nvs\n%s", f, first[i].Path, first[i].Data, second[i].Data)
			}
		}
	}
}

// TestDeterministic: the same sources give the same bytes whatever the
// parallelism.
func TestDeterministic(t *testing.T) {
	var outputs [][]OutputFile
	for _, procs := range []int{1, 2, 4} {
		old := runtime.GOMAXPROCS(procs)
		res := compileOK(t, Options{Paths: []string{"../../examples"}, Workers: procs})
		runtime.GOMAXPROCS(old)
		outputs = append(outputs, Layout(res.Resources, YAML))
	}
	for _, o := range outputs[1:] {
		if len(o) != len(outputs[0]) {
			t.Fatal("file count differs between runs")
		}
		for i := range o {
			if o[i].Path != outputs[0][i].Path || !bytes.Equal(o[i].Data, outputs[0][i].Data) {
				t.Errorf("%s differs between GOMAXPROCS settings", o[i].Path)
			}
		}
	}
}

// TestSeedPageForm compiles the plugin documentation page's own examples:
// the simple datasource and the authoring-form query, lowered.
func TestSeedPageForm(t *testing.T) {
	dir := t.TempDir()
	src := `kind: Datasource
metadata:
  name: PyroscopeMain
  project: profiling
spec:
  default: true
  plugin:
    kind: PyroscopeDatasource
    spec:
      directUrl: "http://pyroscope.example.com:4040"
---
kind: Dashboard
metadata:
  name: seed
  project: profiling
spec:
  panels:
    flame:
      kind: Panel
      spec:
        plugin: {kind: FlameChart, spec: {}}
        queries:
          - kind: "ProfileQuery"
            spec:
              plugin:
                kind: "PyroscopeProfileQuery"
                spec:
                  profileType: "cpu"
                  query: '{service_name="api", environment="production"}'
  layouts:
    - kind: Grid
      spec:
        items:
          - {x: 0, y: 0, width: 24, height: 10, content: {$ref: "#/spec/panels/flame"}}
`
	os.WriteFile(filepath.Join(dir, "seed.yaml"), []byte(src), 0o644)
	res := compileOK(t, Options{Paths: []string{dir}})
	out := string(Encode(res.Resources[1].Node, YAML))
	for _, want := range []string{
		"profileType: process_cpu:cpu:nanoseconds:cpu:nanoseconds\n",
		"service: api\n",
		"- labelName: environment\n",
		"operator: =\n",
		"labelValue: production\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lowered dashboard lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "query:") {
		t.Errorf("query survived lowering:\n%s", out)
	}
}

// TestAllProblemsReported: one run reports every problem, not the first.
func TestAllProblemsReported(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(`kind: Datasource
metadata: {name: "bad name", project: p}
spec:
  defualt: true
  plugin: {kind: PyroscopeDatasource, spec: {directUrl: "nope"}}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "b.json"), []byte(`{"kind": "Dashbord", "metadata": {"name": "x", "project": "p"}, "spec": {}}`), 0o644)
	res, err := Compile(context.Background(), Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range res.Diagnostics {
		got = append(got, d.Pos.String()+" "+string(d.Code))
	}
	want := []string{
		filepath.Join(dir, "a.yaml") + ":2:18 PB1005",
		filepath.Join(dir, "a.yaml") + ":4:3 PB1002",
		filepath.Join(dir, "a.yaml") + ":5:57 PB1005",
		filepath.Join(dir, "b.json") + ":1:10 PB1001",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestJoinListMatchesEncoder: bundles built from encoded items are the bytes
// the encoders give for the whole list, including empty and nested values
// and multi-line strings.
func TestJoinListMatchesEncoder(t *testing.T) {
	res := compileOK(t, Options{Paths: []string{"../../examples"}})
	var ns []*Node
	for _, r := range res.Resources {
		ns = append(ns, r.Node)
	}
	odd := NewMap(nil)
	odd.Set("kind", NewString("X", nil))
	odd.Set("text", NewString("line one\n\n  indented\nlast", nil))
	odd.Set("empty", &Node{Kind: ListKind, Items: []*Node{}})
	odd.Set("none", NewMap(nil))
	ns = append(ns, odd)
	for _, f := range []Format{YAML, JSON} {
		whole := Encode(&Node{Kind: ListKind, Items: ns}, f)
		if got := EncodeList(ns, f); !bytes.Equal(got, whole) {
			t.Errorf("%s: joined list differs from the encoder's:\n%s\nvs\n%s", f, got, whole)
		}
	}
}

// TestWriteOutputMatchesLayout: what is streamed to disk is the tree
// Layout describes, byte for byte, and nothing else but the marker.
func TestWriteOutputMatchesLayout(t *testing.T) {
	res := compileOK(t, Options{Paths: []string{"../../examples"}})
	for _, f := range []Format{YAML, JSON} {
		dir := filepath.Join(t.TempDir(), "out")
		if err := WriteOutput(dir, res.Resources, f); err != nil {
			t.Fatal(err)
		}
		want := map[string][]byte{outdir.MarkerFile: nil}
		for _, of := range Layout(res.Resources, f) {
			want[of.Path] = of.Data
		}
		n := 0
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			rel = filepath.ToSlash(rel)
			w, ok := want[rel]
			if !ok {
				t.Errorf("%s: unexpected file %s", f, rel)
			} else if rel != outdir.MarkerFile {
				got, _ := os.ReadFile(p)
				if !bytes.Equal(got, w) {
					t.Errorf("%s: %s differs from Layout", f, rel)
				}
			}
			n++
			return nil
		})
		if n != len(want) {
			t.Errorf("%s: %d files on disk, want %d", f, n, len(want))
		}
	}
}

// TestYAMLQuotesWhatYAML11Misreads: strings such as yes, on or 1:30 are
// quoted, so YAML 1.1 readers get strings back.
func TestYAMLQuotesWhatYAML11Misreads(t *testing.T) {
	n := NewMap(nil)
	for _, v := range []string{"yes", "On", "n", "OFF", "1:30", "plain", "process_cpu:cpu:nanoseconds:cpu:nanoseconds"} {
		n.Set(v, NewString(v, nil))
	}
	got := string(Encode(n, YAML))
	want := `"yes": "yes"
"On": "On"
"n": "n"
"OFF": "OFF"
"1:30": "1:30"
plain: plain
process_cpu:cpu:nanoseconds:cpu:nanoseconds: process_cpu:cpu:nanoseconds:cpu:nanoseconds
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestOutputFoldersAreNotSources: a folder pyrobuild wrote (here a compile
// output under another name) is skipped when its parent is compiled.
func TestOutputFoldersAreNotSources(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "p.yaml"), []byte("kind: Project\nmetadata:\n  name: p\n"), 0o644)
	res, err := Compile(context.Background(), Options{Paths: []string{dir}})
	if err != nil || res.Diagnostics.HasErrors() {
		t.Fatal(err, res.Diagnostics)
	}
	if err := WriteOutput(filepath.Join(dir, "out"), res.Resources, YAML); err != nil {
		t.Fatal(err)
	}
	res, err = Compile(context.Background(), Options{Paths: []string{dir}})
	if err != nil || res.Diagnostics.HasErrors() || len(res.Resources) != 1 {
		t.Errorf("compiling again read the output folder: %d resources, %v", len(res.Resources), res.Diagnostics)
	}
}

// TestCompileCancelled: a compilation whose context is already done
// returns at once, with an error that says why, and compiles nothing.
func TestCompileCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, paths := range [][]string{{"../../examples"}, {"testdata/go/slow"}} {
		start := time.Now()
		res, err := Compile(ctx, Options{Paths: paths})
		if !errors.Is(err, context.Canceled) || res != nil {
			t.Errorf("%v: got %v, %v; want an error wrapping context.Canceled", paths, res, err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("%v: took %s", paths, took)
		}
	}
}
