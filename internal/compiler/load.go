package compiler

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/outdir"
)

// maxFileSize bounds one source file; larger inputs are almost certainly
// not hand-written dashboards.
const maxFileSize = 32 << 20

// unit is one independent piece of loading work: a YAML or JSON file, the
// .cue files of one package in one folder, or a Go main package.
type unit struct {
	kind     string // "yaml", "json", "cue", "go"
	dir      string // cue, go: the folder
	files    []string
	explicit bool // named on the command line: must hold resources
	// read holds the files' sources when they were read before loading
	// (to look the unit up in a cache): the load then parses these very
	// bytes, the ones the cache key was made of.
	read []*Source
}

// source returns the unit's i-th file, read now unless it was read before.
func (u unit) source(i int) (*Source, *Diagnostic) {
	if u.read != nil {
		return u.read[i], nil
	}
	return readSource(u.files[i])
}

// discover walks the given paths and groups the sources into units, in a
// deterministic order.
func discover(paths []string, skip []string) ([]unit, Diagnostics) {
	var diags Diagnostics
	rep := diag.NewReporter(&diags)
	var units []unit
	cueFiles := map[string][]string{} // dir -> its .cue files
	goDirs := map[string]*goDir{}
	skipAbs := map[string]bool{}
	for _, s := range skip {
		if a, err := filepath.Abs(s); err == nil {
			skipAbs[a] = true
		}
	}
	add := func(p string, explicit bool) {
		switch ext := strings.ToLower(filepath.Ext(p)); ext {
		case ".yaml", ".yml":
			units = append(units, unit{kind: "yaml", files: []string{p}, explicit: explicit})
		case ".json":
			units = append(units, unit{kind: "json", files: []string{p}, explicit: explicit})
		case ".cue":
			dir := filepath.Dir(p)
			cueFiles[dir] = append(cueFiles[dir], p)
		case ".go":
			if strings.HasSuffix(p, "_test.go") {
				return
			}
			dir := filepath.Dir(p)
			if goDirs[dir] == nil {
				goDirs[dir] = &goDir{}
			}
			goDirs[dir].files = append(goDirs[dir].files, p)
			goDirs[dir].explicit = goDirs[dir].explicit || explicit
		default:
			if explicit {
				rep.Errorf(CodeRead, Pos{File: p}, "cannot compile %s files", ext).Hint("sources are .cue, .yaml, .yml, .json or Go files, or folders holding them")
			}
		}
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			rep.Report(Error, CodeRead, Pos{File: root}, readError(err))
			continue
		}
		if !info.IsDir() {
			if !info.Mode().IsRegular() {
				// A named pipe or a device: reading it could block forever.
				rep.Errorf(CodeRead, Pos{File: root}, "not a regular file")
				continue
			}
			add(root, true)
			continue
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				rep.Report(Error, CodeRead, Pos{File: p}, readError(err))
				return nil
			}
			name := d.Name()
			if d.IsDir() {
				if p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "cue.mod" || name == "vendor" || name == "testdata") {
					return filepath.SkipDir
				}
				if a, err := filepath.Abs(p); err == nil && skipAbs[a] {
					return filepath.SkipDir
				}
				// Any folder pyrobuild wrote (a compile output under
				// another -o, a docs site) holds outputs, not sources.
				if _, err := os.Stat(filepath.Join(p, outdir.MarkerFile)); err == nil && p != root {
					return filepath.SkipDir
				}
				return nil
			}
			// Links are not followed; named pipes and devices could block
			// a read forever.
			if !d.Type().IsRegular() || strings.HasPrefix(name, ".") {
				return nil
			}
			add(p, false)
			return nil
		})
		if err != nil {
			rep.Report(Error, CodeRead, Pos{File: root}, err.Error())
		}
	}
	// The files of one package in one folder evaluate together. A folder
	// with one .cue file (the usual layout) is one unit whatever its
	// package: its file is not opened to read the package clause.
	for dir, files := range cueFiles {
		if len(files) == 1 {
			units = append(units, unit{kind: "cue", dir: dir, files: files})
			continue
		}
		pkgs := map[string][]string{}
		for _, p := range files {
			pkg, err := cuePackageName(p)
			if err != nil {
				rep.Report(Error, CodeRead, Pos{File: p}, err.Error())
				continue
			}
			if pkg == "" {
				pkg = "\x00" + p // files without a package clause stand alone
			}
			pkgs[pkg] = append(pkgs[pkg], p)
		}
		for _, files := range pkgs {
			sort.Strings(files)
			units = append(units, unit{kind: "cue", dir: dir, files: files})
		}
	}
	units = append(units, goUnits(goDirs, &diags)...)
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
	return out, diags
}

func readError(err error) string {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return fmt.Sprintf("cannot read: %v", pe.Err)
	}
	return err.Error()
}

func readSource(path string) (*Source, *Diagnostic) {
	info, err := os.Stat(path)
	if err == nil && !info.Mode().IsRegular() {
		return nil, diag.Errorf(CodeRead, Pos{File: path}, "not a regular file").Diagnostic()
	}
	if err == nil && info.Size() > maxFileSize {
		return nil, diag.Errorf(CodeInputLimit, Pos{File: path}, "file is %d MiB; sources are limited to %d MiB", info.Size()>>20, maxFileSize>>20).Diagnostic()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, diag.New(Error, CodeRead, Pos{File: path}, readError(err)).Diagnostic()
	}
	return NewSource(path, b), nil
}

// looksLikeResource reports whether a document is meant as a Perses
// resource. Files none of whose documents look like one (CI configs,
// package.json, …) are skipped when found by walking a folder.
func looksLikeResource(n *Node) bool {
	if n.Kind == ListKind {
		for _, e := range n.Items {
			if looksLikeResource(e) {
				return true
			}
		}
		return false
	}
	return n.Get("kind") != nil || (n.Get("metadata") != nil && n.Get("spec") != nil)
}

// rawResource is a resource as loaded, before validation.
type rawResource struct {
	node *Node
	file string
}

// collectResources takes the resources of one loaded document: one
// resource, or a list of them.
func collectResources(n *Node, file string, diags *Diagnostics) []rawResource {
	if n.Kind == ListKind {
		var out []rawResource
		for _, e := range n.Items {
			out = append(out, collectResources(e, file, diags)...)
		}
		return out
	}
	if n.Kind != MapKind || n.Get("kind") == nil {
		diag.NewReporter(diags).Errorf(CodeNotResource, n.Pos, "expected a Perses resource ({kind, metadata, spec}), got %s", describeNode(n)).
			Hint("every document must be a resource or a list of resources")
		return nil
	}
	return []rawResource{{node: n, file: file}}
}

func describeNode(n *Node) string {
	switch n.Kind {
	case MapKind:
		return "a map without kind"
	case ListKind:
		return "a list"
	case StringKind, NumberKind, BoolKind:
		return fmt.Sprintf("%s %s", n.Kind, n.Literal())
	}
	return n.Kind.String()
}

// loadUnit reads and parses one unit. closed reports whether the result
// depends on the unit's own files alone (so a Cache may keep it).
func loadUnit(u unit, sources *sourceSet, env *cueEnv) (raws []rawResource, diags Diagnostics, closed bool) {
	switch u.kind {
	case "cue":
		return loadCUE(u, sources, env)
	}
	src, d := u.source(0)
	if d != nil {
		return nil, Diagnostics{*d}, false
	}
	sources.add(src)
	var docs []*Node
	if u.kind == "json" {
		n, d := parseJSON(src)
		if d != nil {
			return nil, Diagnostics{*d}, true
		}
		docs = []*Node{n}
	} else {
		ns, d := parseYAML(src)
		if d != nil {
			return nil, Diagnostics{*d}, true
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
		raws = append(raws, collectResources(n, src.Path, &diags)...)
	}
	return raws, diags, true
}
