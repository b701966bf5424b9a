// Package load is the compiler's first stage: it finds the sources under
// the paths given and groups them into units (a YAML or JSON file, a CUE
// package, a Go program), and turns each unit into resources as model
// Nodes that remember their positions, with the diagnostics of reading,
// parsing, evaluating or running it. It does not validate: package
// compiler checks what it returns.
package load

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/compiler/load/cueload"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/outdir"
)

// maxFileSize bounds one source file; larger inputs are almost certainly
// not hand-written dashboards.
const maxFileSize = 32 << 20

// Unit is one independent piece of loading work: a YAML or JSON file, the
// .cue files of one package in one folder, or a Go main package.
type Unit struct {
	kind     string // "yaml", "json", "cue", "go"
	dir      string // cue, go: the folder
	files    []string
	explicit bool // named on the command line: must hold resources
	// read holds the files' sources when they were read before loading
	// (to look the unit up in a cache): the load then parses these very
	// bytes, the ones the cache key was made of.
	read []*model.Source
}

// Kind is what the unit holds: "yaml", "json", "cue" or "go".
func (u Unit) Kind() string { return u.kind }

// Sources are the unit's files as ReadUnit read them, or nil.
func (u Unit) Sources() []*model.Source { return u.read }

// source returns the unit's i-th file, read now unless it was read before.
func (u Unit) source(i int) (*model.Source, *diag.Diagnostic) {
	if u.read != nil {
		return u.read[i], nil
	}
	return readSource(u.files[i])
}

// Discover walks the given paths and groups the sources into units, in a
// deterministic order.
func Discover(paths []string, skip []string) ([]Unit, diag.Diagnostics) {
	d := &discovery{cueFiles: map[string][]string{}, goDirs: map[string]*goDir{}, skip: map[string]bool{}}
	d.rep = diag.NewReporter(&d.diags)
	for _, s := range skip {
		if a, err := filepath.Abs(s); err == nil {
			d.skip[a] = true
		}
	}
	for _, root := range paths {
		d.walk(root)
	}
	d.groupCUE()
	units := append(d.units, goUnits(d.goDirs, &d.diags)...)
	sort.SliceStable(units, func(i, j int) bool { return units[i].files[0] < units[j].files[0] })
	// The same file named twice (a folder and a file in it) is loaded once.
	out := units[:0]
	seen := map[string]bool{}
	for _, u := range units {
		if seen[u.files[0]] {
			continue
		}
		seen[u.files[0]] = true
		out = append(out, u)
	}
	return out, d.diags
}

// discovery is the state of one Discover: the units found so far, and the
// files that make units only once every path is walked.
type discovery struct {
	diags    diag.Diagnostics
	rep      diag.Reporter
	units    []Unit
	cueFiles map[string][]string // dir -> its .cue files
	goDirs   map[string]*goDir
	skip     map[string]bool // absolute folders never to read
}

// add files one source found; explicit is for a file named on the
// command line, which must be a source.
func (d *discovery) add(p string, explicit bool) {
	switch ext := strings.ToLower(filepath.Ext(p)); ext {
	case ".yaml", ".yml":
		d.units = append(d.units, Unit{kind: "yaml", files: []string{p}, explicit: explicit})
	case ".json":
		d.units = append(d.units, Unit{kind: "json", files: []string{p}, explicit: explicit})
	case ".cue":
		dir := filepath.Dir(p)
		d.cueFiles[dir] = append(d.cueFiles[dir], p)
	case ".go":
		if strings.HasSuffix(p, "_test.go") {
			return
		}
		dir := filepath.Dir(p)
		if d.goDirs[dir] == nil {
			d.goDirs[dir] = &goDir{}
		}
		d.goDirs[dir].files = append(d.goDirs[dir].files, p)
		d.goDirs[dir].explicit = d.goDirs[dir].explicit || explicit
	default:
		if explicit {
			d.rep.Errorf(model.CodeRead, diag.Pos{File: p}, "cannot compile %s files", ext).Hint("sources are .cue, .yaml, .yml, .json or Go files, or folders holding them")
		}
	}
}

// walk adds the sources of one path given: a file, or a folder walked.
func (d *discovery) walk(root string) {
	info, err := os.Stat(root)
	if err != nil {
		d.rep.Report(diag.Error, model.CodeRead, diag.Pos{File: root}, readError(err))
		return
	}
	if !info.IsDir() {
		if !info.Mode().IsRegular() {
			// A named pipe or a device: reading it could block forever.
			d.rep.Errorf(model.CodeRead, diag.Pos{File: root}, "not a regular file")
			return
		}
		d.add(root, true)
		return
	}
	// A link to a folder named on the command line is followed (WalkDir
	// does not follow its root; a trailing separator makes it), so its
	// files keep the name given; links met in the walk are not.
	walkRoot := root
	if l, err := os.Lstat(root); err == nil && l.Mode()&fs.ModeSymlink != 0 {
		walkRoot = root + string(filepath.Separator)
	}
	err = filepath.WalkDir(walkRoot, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			d.rep.Report(diag.Error, model.CodeRead, diag.Pos{File: p}, readError(err))
			return nil
		}
		if e.IsDir() {
			if d.skipDir(p, e.Name(), p == walkRoot) {
				return filepath.SkipDir
			}
			return nil
		}
		// Links are not followed; named pipes and devices could block
		// a read forever.
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			return nil
		}
		d.add(p, false)
		return nil
	})
	if err != nil {
		d.rep.Report(diag.Error, model.CodeRead, diag.Pos{File: root}, err.Error())
	}
}

// skipDir reports whether a walked folder holds no sources: one skipped,
// or, below the path given (root), hidden, dependencies, test data, or
// written by pyrobuild.
func (d *discovery) skipDir(p, name string, root bool) bool {
	if !root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "cue.mod" || name == "vendor" || name == "testdata") {
		return true
	}
	if a, err := filepath.Abs(p); err == nil && d.skip[a] {
		return true
	}
	if root {
		return false
	}
	// Any folder pyrobuild wrote (a compile output under another -o, a
	// docs site) holds outputs, not sources.
	_, err := os.Stat(filepath.Join(p, outdir.MarkerFile))
	return err == nil
}

// groupCUE makes units of the .cue files found. The files of one package
// in one folder evaluate together. A folder with one .cue file (the usual
// layout) is one unit whatever its package: its file is not opened to
// read the package clause.
func (d *discovery) groupCUE() {
	for dir, files := range d.cueFiles {
		if len(files) == 1 {
			d.units = append(d.units, Unit{kind: "cue", dir: dir, files: files})
			continue
		}
		pkgs := map[string][]string{}
		for _, p := range files {
			pkg, err := cuePackageName(p)
			if err != nil {
				d.rep.Report(diag.Error, model.CodeRead, diag.Pos{File: p}, err.Error())
				continue
			}
			if pkg == "" {
				pkg = "\x00" + p // files without a package clause stand alone
			}
			pkgs[pkg] = append(pkgs[pkg], p)
		}
		for _, files := range pkgs {
			sort.Strings(files)
			d.units = append(d.units, Unit{kind: "cue", dir: dir, files: files})
		}
	}
}

func readError(err error) string {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return fmt.Sprintf("cannot read: %v", pe.Err)
	}
	return err.Error()
}

func readSource(path string) (*model.Source, *diag.Diagnostic) {
	info, err := os.Stat(path)
	if err == nil && !info.Mode().IsRegular() {
		return nil, diag.Errorf(model.CodeRead, diag.Pos{File: path}, "not a regular file").Diagnostic()
	}
	if err == nil && info.Size() > maxFileSize {
		return nil, diag.Errorf(model.CodeInputLimit, diag.Pos{File: path}, "file is %d MiB; sources are limited to %d MiB", info.Size()>>20, maxFileSize>>20).Diagnostic()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, diag.New(diag.Error, model.CodeRead, diag.Pos{File: path}, readError(err)).Diagnostic()
	}
	return model.NewSource(path, b), nil
}

// looksLikeResource reports whether a document is meant as a Perses
// resource. Files none of whose documents look like one (CI configs,
// package.json, …) are skipped when found by walking a folder.
func looksLikeResource(n *model.Node) bool {
	if n.Kind == model.ListKind {
		for _, e := range n.Items {
			if looksLikeResource(e) {
				return true
			}
		}
		return false
	}
	return n.Get("kind") != nil || (n.Get("metadata") != nil && n.Get("spec") != nil)
}

// Raw is a resource as loaded, before validation.
type Raw struct {
	Node *model.Node
	File string // the file it was read from
	// Via maps the user's position given to values a CUE dependency made
	// (the line that led there) to where the dependency wrote them.
	Via map[diag.Pos]diag.Pos
}

// Collect takes the resources of one loaded document: one
// resource, or a list of them.
func Collect(n *model.Node, file string, diags *diag.Diagnostics) []Raw {
	if n.Kind == model.ListKind {
		var out []Raw
		for _, e := range n.Items {
			out = append(out, Collect(e, file, diags)...)
		}
		return out
	}
	if n.Kind != model.MapKind || n.Get("kind") == nil {
		diag.NewReporter(diags).Errorf(model.CodeNotResource, n.Pos, "expected a Perses resource ({kind, metadata, spec}), got %s", describeNode(n)).
			Hint("every document must be a resource or a list of resources")
		return nil
	}
	return []Raw{{Node: n, File: file}}
}

func describeNode(n *model.Node) string {
	switch n.Kind {
	case model.MapKind:
		return "a map without kind"
	case model.ListKind:
		return "a list"
	case model.StringKind, model.NumberKind, model.BoolKind:
		return fmt.Sprintf("%s %s", n.Kind, n.Literal())
	}
	return n.Kind.String()
}

// Load reads and parses one unit that is not a Go program (GoLoader
// loads those); env is the worker's CUE context. closed reports whether the result
// depends on the unit's own files alone (so a Cache may keep it).
func Load(u Unit, sources *Sources, env *CUEEnv) (raws []Raw, diags diag.Diagnostics, closed bool) {
	if u.kind == "cue" {
		raws, diags, closed = loadCUE(u, sources, env)
		for _, f := range u.files {
			if src := sources.Get(f); src != nil && emptySource(src.Data) {
				diags = append(diags, emptyFile(f))
			}
		}
		return raws, diags, closed
	}
	src, d := u.source(0)
	if d != nil {
		return nil, diag.Diagnostics{*d}, false
	}
	sources.Add(src)
	if emptySource(src.Data) {
		return nil, diag.Diagnostics{emptyFile(src.Path)}, true
	}
	var docs []*model.Node
	if u.kind == "json" {
		n, d := ParseJSON(src)
		if d != nil {
			return nil, diag.Diagnostics{*d}, true
		}
		docs = []*model.Node{n}
	} else {
		ns, d := ParseYAML(src)
		if d != nil {
			return nil, diag.Diagnostics{*d}, true
		}
		docs = ns
	}
	if !u.explicit {
		any := false
		for _, n := range docs {
			any = any || looksLikeResource(n)
		}
		if !any {
			return nil, nil, true
		}
	}
	for _, n := range docs {
		raws = append(raws, Collect(n, src.Path, &diags)...)
	}
	return raws, diags, true
}

// CUEEnv is one worker's CUE context, with the schema built in it
// (cueload.Env).
type CUEEnv = cueload.Env

// loadCUE reads a CUE package's files and evaluates them with cueload.
func loadCUE(u Unit, sources *Sources, env *CUEEnv) ([]Raw, diag.Diagnostics, bool) {
	srcs := make([]*model.Source, len(u.files))
	for i := range u.files {
		src, d := u.source(i)
		if d != nil {
			return nil, diag.Diagnostics{*d}, false
		}
		srcs[i] = src
	}
	res, diags, closed := cueload.Load(u.dir, srcs, sources, env)
	if len(res) == 0 {
		return nil, diags, closed
	}
	raws := make([]Raw, len(res))
	for i, r := range res {
		raws[i] = Raw{Node: r.Node, File: r.File, Via: r.Via}
	}
	return raws, diags, closed
}

// emptySource reports whether a source holds nothing but white space
// (after a byte order mark).
func emptySource(data []byte) bool {
	return len(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))) == 0
}

// emptyFile is the warning about an empty source, of any kind. It is not
// an error, since nothing is lost that was written, nor silence, since a
// file cut short (an export or a redirection that failed, an editor that
// crashed) would otherwise drop its resources from the output unnoticed.
func emptyFile(path string) diag.Diagnostic {
	return *diag.New(diag.Warning, model.CodeEmptySource, diag.Pos{File: path, Line: 1, Col: 1}, "empty file: it defines no resource").
		Hint("write its resources, or delete it").Diagnostic()
}
