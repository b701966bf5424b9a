// Package archtest holds the tests that keep the layout of ARCHITECTURE.md
// true: which package may import which, and how large a function or a
// package may grow. It has no code of its own.
package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/pyrobuild/pyrobuild"

// Limits of non-test code.
const (
	maxFuncLines   = 120
	maxCyclomatic  = 40
	maxPackageSize = 4000 // lines of non-test Go
)

// oversized are the functions and packages over a limit today, each with
// what is left to do. An entry that is no longer over its limit fails the
// test, so the list only shrinks.
var oversized = map[string]string{}

// layers says, for each package (a path relative to the module, matched as
// a prefix), which of the project's packages it must not import, so that
// dependencies point one way: cli → compiler, bundle, live, site, preview →
// their stages → diag.
var layers = []struct {
	pkg       string
	forbidden []string
	only      []string // when set, the only project packages it may import
}{
	{pkg: "dac", only: []string{"internal/dacproto"}},
	{pkg: "internal/dacproto", only: []string{}},
	{pkg: "internal/diag", only: []string{}},
	{pkg: "internal/outdir", only: []string{}},
	{pkg: "internal/cache", only: []string{}},
	{pkg: "internal/parallel", only: []string{}},
	{pkg: "internal/watch", only: []string{}},
	{pkg: "internal/site/markdown", only: []string{"internal/site/diagram"}},
	{pkg: "internal/site/markdown/hllex", only: []string{}},
	{pkg: "internal/site/diagram", only: []string{}},
	{pkg: "internal/site/sitediag", only: []string{"internal/diag"}},
	{pkg: "internal/compiler/selector", only: []string{}},
	{pkg: "internal/compiler/model", only: []string{"internal/diag", "internal/compiler/schema"}},
	{pkg: "internal/compiler/check", only: []string{"internal/diag", "internal/compiler/model", "internal/compiler/selector", "internal/parallel"}},
	{pkg: "internal/compiler/load", only: []string{"internal/diag", "internal/compiler/model", "internal/compiler/schema", "internal/compiler/goprog", "internal/dacproto", "internal/cache", "internal/outdir", "internal/parallel"}},
	{pkg: "internal/compiler", forbidden: []string{"internal/cli", "internal/site", "internal/preview", "internal/bundle", "internal/live", "internal/jsonschema"}},
	{pkg: "internal/bundle", forbidden: []string{"internal/cli", "internal/site", "internal/preview", "internal/live", "internal/jsonschema"}},
	{pkg: "internal/perses", only: []string{}},
	{pkg: "internal/perses/persestest", only: []string{}},
	{pkg: "internal/remote", forbidden: []string{"internal/cli", "internal/site", "internal/preview", "internal/live", "internal/jsonschema"}},
	{pkg: "internal/live", forbidden: []string{"internal/cli", "internal/site", "internal/preview", "internal/bundle", "internal/jsonschema"}},
	{pkg: "internal/snapshot/recording", only: []string{"internal/compiler/model"}},
	{pkg: "internal/snapshot", forbidden: []string{"internal/cli", "internal/site", "internal/preview", "internal/bundle", "internal/jsonschema"}},
	{pkg: "internal/jsonschema", forbidden: []string{"internal/cli", "internal/site", "internal/preview", "internal/live"}},
	{pkg: "internal/proxyroute", only: []string{}},
	{pkg: "internal/site", forbidden: []string{"internal/cli", "internal/preview"}},
	{pkg: "internal/preview", forbidden: []string{"internal/cli"}},
}

// goFile is one parsed non-test Go file of the repository.
type goFile struct {
	rel  string // slash path relative to the repository root
	pkg  string // its folder, relative to the root
	fset *token.FileSet
	ast  *ast.File
}

func repoFiles(t *testing.T) []goFile {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found: %v", err)
	}
	var files []goFile
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		files = append(files, goFile{rel: rel, pkg: path.Dir(rel), fset: fset, ast: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("found %d Go files: the walk missed the repository", len(files))
	}
	return files
}

// cyclomatic is McCabe's number as gocyclo counts it: one, plus one per
// if, for, range, non-default case and && or ||, function literals
// included.
func cyclomatic(fn ast.Node) int {
	c := 1
	ast.Inspect(fn, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt:
			c++
		case *ast.CaseClause:
			if x.List != nil {
				c++
			}
		case *ast.CommClause:
			if x.Comm != nil {
				c++
			}
		case *ast.BinaryExpr:
			if x.Op == token.LAND || x.Op == token.LOR {
				c++
			}
		}
		return true
	})
	return c
}

// funcName is how a function is named in oversized: package folder, then
// receiver type and name (internal/site.Builder.build).
func funcName(f goFile, fd *ast.FuncDecl) string {
	name := fd.Name.Name
	if fd.Recv != nil && len(fd.Recv.List) == 1 {
		t := fd.Recv.List[0].Type
		if s, ok := t.(*ast.StarExpr); ok {
			t = s.X
		}
		if g, ok := t.(*ast.IndexExpr); ok {
			t = g.X
		}
		if id, ok := t.(*ast.Ident); ok {
			name = id.Name + "." + name
		}
	}
	return f.pkg + "." + name
}

func TestSizeLimits(t *testing.T) {
	over := map[string]string{}
	lines := map[string]int{}
	for _, f := range repoFiles(t) {
		lines[f.pkg] += f.fset.Position(f.ast.End()).Line
		for _, d := range f.ast.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			n := f.fset.Position(fd.End()).Line - f.fset.Position(fd.Pos()).Line + 1
			c := cyclomatic(fd)
			if n > maxFuncLines || c > maxCyclomatic {
				over[funcName(f, fd)] = fmt.Sprintf("%s:%d: %d lines, cyclomatic complexity %d (limits %d and %d)",
					f.rel, f.fset.Position(fd.Pos()).Line, n, c, maxFuncLines, maxCyclomatic)
			}
		}
	}
	for pkg, n := range lines {
		if n > maxPackageSize {
			over[pkg] = fmt.Sprintf("package %s: %d lines of non-test Go (limit %d)", pkg, n, maxPackageSize)
		}
	}
	for _, name := range sortedKeys(over) {
		if _, known := oversized[name]; !known {
			t.Errorf("%s (%s): split it", over[name], name)
		}
	}
	for _, name := range sortedKeys(oversized) {
		if _, still := over[name]; !still {
			t.Errorf("%s is within the limits now: remove it from oversized", name)
		}
	}
}

func TestLayers(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range repoFiles(t) {
		for _, l := range layers {
			if f.pkg != l.pkg && !strings.HasPrefix(f.pkg, l.pkg+"/") {
				continue
			}
			seen[l.pkg] = true
			for _, imp := range f.ast.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				rel, ok := strings.CutPrefix(p, module+"/")
				if !ok || rel == f.pkg || strings.HasPrefix(rel, f.pkg+"/") {
					continue // not the project's, or the package's own sub-package
				}
				if msg := layerViolation(l.pkg, l.forbidden, l.only, rel); msg != "" {
					t.Errorf("%s imports %s: %s", f.rel, rel, msg)
				}
			}
		}
	}
	for _, l := range layers {
		if !seen[l.pkg] {
			t.Errorf("no Go file in %s: update the layers of this test and ARCHITECTURE.md", l.pkg)
		}
	}
}

// startupForbidden are packages the command must not link: each does costly
// work when the program starts (chroma's lexers parse some 250 lexer
// definitions, its styles package some 70 styles), which every command
// would pay. The site's highlighter has its own lexers (site/markdown,
// site/markdown/hllex) and styles (site/markdown/hlstyle); tests may still
// link chroma's, to compare.
var startupForbidden = []string{
	"github.com/alecthomas/chroma/v2/lexers",
	"github.com/alecthomas/chroma/v2/styles",
}

// commandDeps lists the packages cmd/pyrobuild links.
func commandDeps(t *testing.T) []string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs go list")
	}
	cmd := exec.Command("go", "list", "-deps", module+"/cmd/pyrobuild")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps printed %d packages", len(deps))
	}
	return deps
}

func TestStartupDeps(t *testing.T) {
	for _, d := range commandDeps(t) {
		for _, f := range startupForbidden {
			if d == f || strings.HasPrefix(d, f+"/") {
				t.Errorf("cmd/pyrobuild links %s", d)
			}
		}
	}
}

func layerViolation(pkg string, forbidden, only []string, imp string) string {
	under := func(p, prefix string) bool { return p == prefix || strings.HasPrefix(p, prefix+"/") }
	for _, f := range forbidden {
		if under(imp, f) {
			return fmt.Sprintf("%s must not depend on %s", pkg, f)
		}
	}
	if only == nil {
		return ""
	}
	for _, o := range only {
		if under(imp, o) {
			return ""
		}
	}
	if len(only) == 0 {
		return pkg + " imports no other package of the project"
	}
	return fmt.Sprintf("%s may import only %s of the project", pkg, strings.Join(only, ", "))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// startupCalls are calls that must not initialise a package-level
// variable of a package the command links: package initialisation runs at
// every start of every command, `pyrobuild --version` included, and these
// cost from a few microseconds to a millisecond each (a regexp is parsed
// and compiled). Such a variable is made on first use instead, with
// sync.OnceValue.
var startupCalls = map[string]bool{
	"regexp.MustCompile":      true,
	"regexp.MustCompilePOSIX": true,
	"regexp.Compile":          true,
	"template.Must":           true,
	"crc32.MakeTable":         true, // fills tables (Castagnoli: the hardware ones)
	"signal.Notify":           true, // starts a thread and a goroutine, about 0.45 ms
}

func TestNoStartupWork(t *testing.T) {
	linked := map[string]bool{}
	for _, d := range commandDeps(t) {
		if rel, ok := strings.CutPrefix(d, module+"/"); ok {
			linked[rel] = true
		}
	}
	checked := 0
	for _, f := range repoFiles(t) {
		if !linked[f.pkg] {
			continue
		}
		checked++
		for _, decl := range f.ast.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Name.Name == "init" && fd.Recv == nil && fd.Body != nil {
				for _, call := range startupCallsIn(fd.Body) {
					t.Errorf("%s: %s in func init runs when the program starts: call it when it is needed", f.fset.Position(call.Pos()), qualified(call.Fun))
				}
				continue
			}
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				for _, v := range spec.(*ast.ValueSpec).Values {
					for _, call := range startupCallsIn(v) {
						t.Errorf("%s: package-level %s runs when the program starts: make the variable on first use (sync.OnceValue)", f.fset.Position(call.Pos()), qualified(call.Fun))
					}
				}
			}
		}
	}
	if checked < 50 {
		t.Fatalf("checked %d files of the command's packages: the match of packages to folders failed", checked)
	}
}

// startupCallsIn returns the calls of startupCalls that evaluating e makes,
// leaving out those inside function literals (run later, if ever).
func startupCallsIn(e ast.Node) []*ast.CallExpr {
	var calls []*ast.CallExpr
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if startupCalls[qualified(x.Fun)] {
				calls = append(calls, x)
			}
		}
		return true
	})
	return calls
}

// qualified is pkg.Name for a selector expression, "" otherwise.
func qualified(e ast.Expr) string {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return ""
	}
	return id.Name + "." + sel.Sel.Name
}
