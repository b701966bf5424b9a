package bundle

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/bundle/bundletest"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/outdir"
)

var update = flag.Bool("update", false, "rewrite golden files")

func compileOK(t *testing.T, opts compiler.Options) *compiler.Result {
	t.Helper()
	res, err := compiler.Compile(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		if d.Severity >= diag.Warning {
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
			res := compileOK(t, compiler.Options{Paths: []string{"../../examples"}})
			if len(res.Resources) != 14 {
				t.Fatalf("got %d resources, want 14 (examples/profiling, and its Go twin in examples/go)", len(res.Resources))
			}
			files := Layout(res.Resources, f)
			bundletest.Golden(t, filepath.Join("testdata", "golden", string(f)), byPath(files), *update)
		})
	}
}

// TestIdempotent: compiling the output gives the output again.
func TestIdempotent(t *testing.T) {
	for _, f := range []Format{YAML, JSON} {
		res := compileOK(t, compiler.Options{Paths: []string{"../../examples"}})
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
		res2 := compileOK(t, compiler.Options{Paths: []string{p}})
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
		res := compileOK(t, compiler.Options{Paths: []string{"../../examples"}, Workers: procs})
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

// TestJoinListMatchesEncoder: bundles built from encoded items are the bytes
// the encoders give for the whole list, including empty and nested values
// and multi-line strings.
func TestJoinListMatchesEncoder(t *testing.T) {
	res := compileOK(t, compiler.Options{Paths: []string{"../../examples"}})
	var ns []*model.Node
	for _, r := range res.Resources {
		ns = append(ns, r.Node)
	}
	odd := model.NewMap(nil)
	odd.Set("kind", model.NewString("X", nil))
	odd.Set("text", model.NewString("line one\n\n  indented\nlast", nil))
	odd.Set("empty", &model.Node{Kind: model.ListKind, Items: []*model.Node{}})
	odd.Set("none", model.NewMap(nil))
	ns = append(ns, odd)
	for _, f := range []Format{YAML, JSON} {
		whole := Encode(&model.Node{Kind: model.ListKind, Items: ns}, f)
		if got := EncodeList(ns, f); !bytes.Equal(got, whole) {
			t.Errorf("%s: joined list differs from the encoder's:\n%s\nvs\n%s", f, got, whole)
		}
	}
}

// TestWriteOutputMatchesLayout: what is streamed to disk is the tree
// Layout describes, byte for byte, and nothing else but the marker; with
// BundlesOnly, the same bundles and no file per resource.
func TestWriteOutputMatchesLayout(t *testing.T) {
	res := compileOK(t, compiler.Options{Paths: []string{"../../examples"}})
	for _, f := range []Format{YAML, JSON} {
		for _, files := range []Files{ResourceFiles, BundlesOnly} {
			dir := filepath.Join(t.TempDir(), "out")
			if err := WriteOutputStyle(dir, res.Resources, f, Lists, files); err != nil {
				t.Fatal(err)
			}
			want := map[string][]byte{outdir.MarkerFile: nil}
			for _, of := range LayoutTree(res.Resources, f, Lists, files) {
				want[of.Path] = of.Data
			}
			bundles := 0
			for _, of := range Layout(res.Resources, f) {
				_, in := want[of.Path]
				isBundle := path.Base(of.Path) == "bundle."+string(f)
				if isBundle {
					bundles++
				}
				if in != (isBundle || bool(files)) {
					t.Errorf("%s, resource files %v: %s in the tree: %v", f, files, of.Path, in)
				}
			}
			if bundles < 3 {
				t.Fatalf("%s: %d bundles in the examples' tree", f, bundles)
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
}

// TestYAMLQuotesWhatYAML11Misreads: strings such as yes, on, 1:30 or a
// filter's "=" operator are quoted, so YAML 1.1 readers get strings back
// (PyYAML refuses a plain "=", the 1.1 value key).
func TestYAMLQuotesWhatYAML11Misreads(t *testing.T) {
	n := model.NewMap(nil)
	for _, v := range []string{"yes", "On", "n", "OFF", "1:30", "=", "=~", "plain", "process_cpu:cpu:nanoseconds:cpu:nanoseconds"} {
		n.Set(v, model.NewString(v, nil))
	}
	got := string(Encode(n, YAML))
	want := `"yes": "yes"
"On": "On"
"n": "n"
"OFF": "OFF"
"1:30": "1:30"
"=": "="
=~: =~
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
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}})
	if err != nil || res.Diagnostics.HasErrors() {
		t.Fatal(err, res.Diagnostics)
	}
	if err := WriteOutput(filepath.Join(dir, "out"), res.Resources, YAML); err != nil {
		t.Fatal(err)
	}
	res, err = compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}})
	if err != nil || res.Diagnostics.HasErrors() || len(res.Resources) != 1 {
		t.Errorf("compiling again read the output folder: %d resources, %v", len(res.Resources), res.Diagnostics)
	}
}

// byPath is the contents of output files by their paths.
func byPath(files []OutputFile) map[string][]byte {
	m := make(map[string][]byte, len(files))
	for _, of := range files {
		m[of.Path] = of.Data
	}
	return m
}
