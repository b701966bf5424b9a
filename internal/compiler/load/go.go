package load

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/cache"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// Go sources are main packages that build resources with pyrobuild's Go SDK
// (package dac) and print them. pyrobuild builds each package once into a
// cache keyed by everything the binary depends on, runs the binaries in
// parallel, and reads what they print: the SDK's protocol, whose position
// table maps every value to the user's Go call, or plain Perses JSON/YAML.

// dacImport is the import path of the SDK.
const dacImport = "github.com/pyrobuild/pyrobuild/dac"

// DefaultGoTimeout bounds how long one Go program may run.
const DefaultGoTimeout = 30 * time.Second

// goSDKImports are import path prefixes that mark a main package as a
// dashboards program: pyrobuild's SDK, and the Perses Go SDKs, whose
// programs print plain resources.
var goSDKImports = []string{dacImport, "github.com/perses/perses/go-sdk", "github.com/perses/plugins/"}

// goDir collects the .go files found in one folder.
type goDir struct {
	files    []string
	explicit bool // a file of it was named on the command line
}

// goUnits picks, among the folders holding .go files, the main packages
// to build: those that import a dashboards SDK, or that hold a file named
// on the command line. Build constraints are honoured as go build would,
// so a `//go:build ignore` generator is not taken for the package.
//
// The other main packages are units too, as the loader knows which
// folders were named on the command line: a main package in a named
// folder is built (a folder of programs printing plain Perses JSON, as
// percli users have); one found deeper is skipped with a note (a
// repository's unrelated tools are not run). Without the go command none
// could be built: they are skipped here.
//
// A folder whose files declare func main each, as percli's layout has it
// (percli runs `go run FILE` per file), holds one program per such file:
// each is a unit of its own, built from that file alone.
func goUnits(dirs map[string]*goDir, diags *diag.Diagnostics) []Unit {
	var units []Unit
	_, goErr := exec.LookPath("go")
	for dir, gd := range dirs {
		listed := gd.files // the files found or named
		// A package is all the folder's files, whichever of them was named.
		if all := goFilesIn(dir); all != nil {
			gd.files = all
		}
		if len(gd.files) == 0 {
			continue
		}
		pkg := mainFiles(gd.files)
		if len(pkg) == 0 {
			if gd.explicit {
				diag.NewReporter(diags).Errorf(model.CodeRead, diag.Pos{File: gd.files[0]}, "not a main package: pyrobuild runs Go programs").
					Hint("write package main, with a main function that calls dac.Emit")
			}
			continue
		}
		var programs [][]goFile
		if mains := onePerFile(pkg); mains != nil {
			for _, f := range mains {
				if slices.Contains(listed, f.path) {
					programs = append(programs, []goFile{f})
				}
			}
		} else {
			programs = [][]goFile{pkg}
		}
		for _, prog := range programs {
			u := Unit{kind: "go", dir: dir, explicit: gd.explicit}
			sdk := false
			for _, f := range prog {
				u.files = append(u.files, f.path)
				sdk = sdk || f.sdk
			}
			slices.Sort(u.files)
			if sdk || gd.explicit || goErr == nil {
				units = append(units, u)
			} else {
				*diags = append(*diags, skippedNote(u))
			}
		}
	}
	return units
}

// goFilesIn lists the .go files of a folder that go build reads (test
// files and hidden files left out); nil when it cannot be read.
func goFilesIn(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	all := []string{}
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") && !strings.HasPrefix(n, ".") {
			all = append(all, filepath.Join(dir, n))
		}
	}
	return all
}

// onePerFile returns the files of a main package that declare func main,
// when there are several: each is a program of its own. It returns nil
// for an ordinary package.
func onePerFile(pkg []goFile) []goFile {
	var mains []goFile
	for _, f := range pkg {
		if f.hasMain {
			mains = append(mains, f)
		}
	}
	if len(mains) < 2 {
		return nil
	}
	return mains
}

// goFile is what pyrobuild reads of one .go file of a main package.
type goFile struct {
	path    string
	imports []goImport
	sdk     bool // it imports a dashboards SDK
	hasMain bool // it declares func main
}

// goImport is an import of a file, at its path's position.
type goImport struct {
	path      string
	line, col int
}

// mainFiles returns, among files, those of package main that go build
// would compile (build constraints honoured). A file whose header does not
// parse is kept: go build reports it, if it is the package's.
func mainFiles(files []string) []goFile {
	var out []goFile
	for _, f := range files {
		if ok, err := build.Default.MatchFile(filepath.Dir(f), filepath.Base(f)); err == nil && !ok {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			out = append(out, goFile{path: f})
			continue
		}
		fset := token.NewFileSet()
		pf, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		if err != nil && (pf == nil || pf.Name == nil) {
			out = append(out, goFile{path: f})
			continue
		}
		if pf.Name.Name != "main" {
			continue
		}
		gf := goFile{path: f, hasMain: declaresMain(src)}
		for _, im := range pf.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			at := fset.Position(im.Path.Pos())
			gf.imports = append(gf.imports, goImport{path: p, line: at.Line, col: at.Column})
			for _, prefix := range goSDKImports {
				if p == prefix || strings.HasPrefix(p, strings.TrimSuffix(prefix, "/")+"/") {
					gf.sdk = true
				}
			}
		}
		out = append(out, gf)
	}
	return out
}

// declaresMain reports whether a file of package main declares func main.
func declaresMain(src []byte) bool {
	if !bytes.Contains(src, []byte("func main")) {
		return false
	}
	pf, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if pf == nil || (err != nil && len(pf.Decls) == 0) {
		return false
	}
	for _, d := range pf.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
			return true
		}
	}
	return false
}

// isStdImport reports whether an import path is the standard library's,
// whose first element has no dot.
func isStdImport(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".")
}

// importsSDK reports whether a unit's files import a dashboards SDK.
func importsSDK(u Unit) bool {
	return slices.ContainsFunc(mainFiles(u.files), func(f goFile) bool { return f.sdk })
}

// skippedNote says that a main package found while walking a folder was
// not built, as it imports no dashboards SDK, and how to include it.
func skippedNote(u Unit) diag.Diagnostic {
	return *diag.New(diag.Info, model.CodeNoSources, diag.Pos{File: u.files[0], Line: 1, Col: 1},
		"main package skipped: it imports neither pyrobuild's Go SDK ("+dacImport+") nor a Perses Go SDK").
		Hint("a program that prints Perses resources is built when its folder or a file of it is named on the command line, e.g. pyrobuild compile " + u.dir).
		Diagnostic()
}

// GoLoader builds and runs the Go units of one compilation.
type GoLoader struct {
	// ctx ends the go commands and programs the loader runs, and stops it
	// starting new ones.
	ctx     context.Context
	timeout time.Duration
	cache   string // folder of cached binaries
	goCmd   string // the go command; "" when it is missing
	builds  atomic.Int64

	mu    sync.Mutex
	envs  map[string]*goEnvResult // by module root
	dirs  map[string]*dirHash     // by absolute folder (and files, see dirHash)
	mods  map[string]*goModule    // by go.mod folder
	cwd   string
	named map[string]bool   // absolute folders named on the command line
	roots map[string]string // by absolute folder: its go.mod folder, "" for none
	runs  map[string]*goRun // by unit folder, made by prepare
	// inputs are the files the cache keys read (local packages, go.mod,
	// go.sum, go.work): a change to any of them can change a program.
	inputs map[string]bool
}

type goEnvResult struct {
	once sync.Once
	out  string
	err  error
}

// dirHash is the content hash of one package folder and its imports.
type dirHash struct {
	once    sync.Once
	sum     []byte
	imports []string
	files   []string // the files hashed, for Result.Inputs
}

// GoOptions configure a GoLoader.
type GoOptions struct {
	// Paths are the files and folders the compilation was given: folders
	// named there may hold programs of any package name.
	Paths []string
	// Timeout bounds each program's run (default DefaultGoTimeout).
	Timeout time.Duration
	// Cache is the folder in which programs are built and kept (see
	// GoCacheDir).
	Cache string
}

// NewGoLoader returns the loader of one compilation's Go units; ctx ends
// the go commands and programs it runs.
func NewGoLoader(ctx context.Context, opts GoOptions) *GoLoader {
	g := &GoLoader{ctx: ctx, timeout: opts.Timeout, cache: opts.Cache, envs: map[string]*goEnvResult{},
		dirs: map[string]*dirHash{}, mods: map[string]*goModule{}, inputs: map[string]bool{}, roots: map[string]string{}, runs: map[string]*goRun{}}
	if g.timeout <= 0 {
		g.timeout = DefaultGoTimeout
	}
	g.goCmd, _ = exec.LookPath("go")
	g.cwd, _ = os.Getwd()
	g.named = map[string]bool{}
	for _, p := range opts.Paths {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			if abs, err := filepath.Abs(p); err == nil {
				g.named[abs] = true
			}
		}
	}
	return g
}

// GoCacheDir is where compiled Go programs are kept in pyrobuild's cache
// folder root: the usual Options.GoCache.
func GoCacheDir(root string) string { return filepath.Join(root, "go") }

// MissingToolchain is reported once when Go sources are found but the go
// command is not.
func MissingToolchain(u Unit) diag.Diagnostic {
	return *diag.Errorf(model.CodeGoToolchain, diag.Pos{File: u.files[0], Line: 1, Col: 1}, "Go sources need the go command, which is not on PATH").
		Hint("install Go 1.26 or newer from https://go.dev/dl/").
		Diagnostic()
}

// goRun is one Go unit being loaded.
type goRun struct {
	g       *GoLoader
	u       Unit
	dir     string // absolute
	root    string // the folder of its go.mod, "" for none
	sources *Sources
	main    diag.Pos // the main function, where problems without a line go
	bin     string   // the cached binary, once there is one
	skipped bool     // not built: see goUnits
	// fileArgs: built from its files (go build -o BIN a.go b.go), not as
	// the folder's package: one program of a folder of programs, or a
	// program outside any module.
	fileArgs bool
	single   bool // one of several programs of its folder, one file each
	diags    diag.Diagnostics
}

// runKey is a unit's key in goLoader.runs: several units may share a
// folder, not a first file.
func runKey(u Unit) string { return u.files[0] }

// label names the unit in messages: its folder, or its file when the
// folder holds several programs.
func (r *goRun) label() string {
	if r.single {
		return r.u.files[0]
	}
	return r.u.dir
}

// Prepare reads every Go unit, works out its cache key, and builds the
// programs the cache does not hold, all those of one module with one go
// build (which builds them in parallel and loads the module once: about
// twice as fast as one go build each). Compile then runs them in its
// workers.
func (g *GoLoader) Prepare(units []Unit, sources *Sources, workers int) {
	byRoot := map[string][]*goRun{}
	var skipped []*goRun
	for _, u := range units {
		if u.kind != "go" {
			continue
		}
		if !u.explicit && !importsSDK(u) && !g.isNamed(u.dir) {
			r := &goRun{g: g, u: u, skipped: true, diags: diag.Diagnostics{skippedNote(u)}}
			g.runs[runKey(u)] = r
			skipped = append(skipped, r)
			continue
		}
		r := g.newRun(u, sources)
		g.runs[runKey(u)] = r
		if g.goCmd == "" || len(r.diags) > 0 {
			continue
		}
		if r.cached() {
			continue
		}
		byRoot[r.root] = append(byRoot[r.root], r)
	}
	// Nothing else to compile: as when no source is found, an error.
	if len(skipped) == len(units) {
		for _, r := range skipped {
			d := &r.diags[0]
			d.Severity, d.Message = diag.Error, "no sources: "+d.Message
		}
	}
	// Jobs: the missing programs of one module, in batches whose
	// binaries have different names (go build -o DIR/ names them after
	// their folder and silently keeps one of two of the same name);
	// programs outside any module alone.
	var jobs [][]*goRun
	roots := make([]string, 0, len(byRoot))
	for root := range byRoot {
		roots = append(roots, root)
	}
	slices.Sort(roots)
	for _, root := range roots {
		rest := byRoot[root]
		for len(rest) > 0 {
			if root == "" {
				jobs, rest = append(jobs, rest[:1]), rest[1:]
				continue
			}
			var batch, later []*goRun
			names := map[string]bool{}
			for _, r := range rest {
				if r.fileArgs {
					jobs = append(jobs, []*goRun{r}) // go build takes one package of files
				} else if n := strings.ToLower(filepath.Base(r.dir)); !names[n] {
					names[n] = true
					batch = append(batch, r)
				} else {
					later = append(later, r)
				}
			}
			if len(batch) > 0 {
				jobs = append(jobs, batch)
			}
			rest = later
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(workers, 1))
	for _, job := range jobs {
		if g.ctx.Err() != nil {
			break // the compilation is stopped
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			g.build(job)
		}()
	}
	wg.Wait()
}

// isNamed reports whether folder dir was named on the command line.
func (g *GoLoader) isNamed(dir string) bool {
	abs, err := filepath.Abs(dir)
	return err == nil && g.named[abs]
}

// newRun reads a unit's files and finds its main function.
func (g *GoLoader) newRun(u Unit, sources *Sources) *goRun {
	r := &goRun{g: g, u: u, sources: sources, main: diag.Pos{File: u.files[0], Line: 1, Col: 1}}
	dir, err := filepath.Abs(u.dir)
	if err != nil {
		r.rep().Errorf(model.CodeRead, diag.Pos{File: u.dir}, "%v", err)
		return r
	}
	r.dir = dir
	for _, f := range u.files {
		src, d := readSource(f)
		if d != nil {
			r.diags = append(r.diags, *d)
			return r
		}
		sources.Add(src)
		if i := bytes.Index(src.Data, []byte("\nfunc main()")); i >= 0 {
			r.main = src.Pos(i + 1)
		}
	}
	r.root = g.moduleRoot(dir)
	pkg := mainFiles(goFilesIn(u.dir))
	// One of several programs of its folder: built from its file.
	r.single = len(u.files) == 1 && onePerFile(pkg) != nil
	r.fileArgs = r.single
	if r.root == "" && !g.gopathMode(dir) {
		// go build . needs a module; go build FILES does not, for a
		// program that imports only the standard library.
		for _, f := range mainFiles(u.files) {
			for _, im := range f.imports {
				if !isStdImport(im.path) {
					hint := "create a go.mod in this folder or one above: go mod init example.com/dashboards && go get " + im.path
					if strings.HasPrefix(im.path, dacImport) || im.path == strings.TrimSuffix(dacImport, "/dac") {
						hint = "create a go.mod in this folder or one above: go mod init example.com/dashboards && go get " + dacImport
					}
					r.rep().Errorf(model.CodeGoBuild, diag.Pos{File: f.path, Line: im.line, Col: im.col}, "%s is not in a Go module, so go build cannot find %s", filepath.Base(f.path), im.path).
						Hint(hint)
					return r
				}
			}
		}
		r.fileArgs = true
	}
	return r
}

// Load runs one prepared Go unit and reads what it printed.
func (g *GoLoader) Load(u Unit) ([]Raw, diag.Diagnostics) {
	r := g.runs[runKey(u)]
	if r != nil && r.skipped {
		return nil, r.diags
	}
	if r == nil || g.goCmd == "" {
		return nil, nil // no toolchain: reported once by Compile
	}
	if r.bin == "" {
		return nil, r.diags
	}
	out, ok := r.run(r.bin)
	if !ok {
		return nil, r.diags
	}
	res := r.decode(out)
	return res, r.diags
}

// rep reports the run's problems.
func (r *goRun) rep() diag.Reporter { return diag.NewReporter(&r.diags) }

// cached works out the unit's binary and reports whether the cache holds
// it; when it does not, r.bin is where it goes.
func (r *goRun) cached() bool {
	var only []string
	if r.fileArgs {
		for _, f := range r.u.files {
			only = append(only, filepath.Base(f))
		}
	}
	key, err := r.g.key(r.dir, r.root, only)
	if err != nil {
		r.rep().Errorf(model.CodeGoBuild, r.main, "cannot work out what the program depends on: %v", err)
		return true // nothing to build
	}
	bin := filepath.Join(r.g.cache, key)
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	fi, err := os.Stat(bin)
	if err != nil || !fi.Mode().IsRegular() {
		r.bin = bin
		return false
	}
	cache.Touch(bin) // used entries stay; trimCache removes the ones unused for long
	r.bin = bin
	return true
}

// goBuildFlags are the flags of every go build. -buildvcs=false: the
// binary must not depend on the state of a Git checkout, which is not part
// of the key. -trimpath=false, over a GOFLAGS that sets it: the SDK reports
// the source paths the binary records, and reads the sources there to find
// columns. -s -w: no symbol table or DWARF, which halves the link (go run
// leaves DWARF out too); stack traces and runtime.Caller need neither.
var goBuildFlags = []string{"build", "-buildvcs=false", "-trimpath=false", "-ldflags=-s -w"}

// build builds the programs of one job into the cache. Several programs
// go to one go build; one that did not come out (a compile error, or a
// name go build chose differently) is built again on its own, which
// reports its errors, and its own only, at its files.
func (g *GoLoader) build(job []*goRun) {
	bins := make([]string, len(job))
	for i, r := range job {
		bins[i], r.bin = r.bin, ""
	}
	g.builds.Add(int64(len(job)))
	if err := os.MkdirAll(g.cache, 0o755); err != nil {
		for _, r := range job {
			r.rep().Errorf(model.CodeGoBuild, r.main, "cannot create the build cache: %v", err).
				Hint("set PYROBUILD_CACHE to a writable folder")
		}
		return
	}
	var single []int
	if len(job) == 1 {
		single = []int{0}
	} else {
		tmp, err := os.MkdirTemp(g.cache, "build-*")
		if err != nil {
			for _, r := range job {
				r.rep().Errorf(model.CodeGoBuild, r.main, "cannot write to the build cache: %v", err).
					Hint("set PYROBUILD_CACHE to a writable folder")
			}
			return
		}
		defer os.RemoveAll(tmp)
		args := append(slices.Clone(goBuildFlags), "-o", tmp+string(filepath.Separator))
		for _, r := range job {
			rel, err := filepath.Rel(job[0].root, r.dir)
			if err != nil {
				rel = r.dir
			}
			args = append(args, "."+string(filepath.Separator)+rel)
		}
		cmd := g.command(g.ctx, args...)
		cmd.Dir = job[0].root
		_ = cmd.Run() // failures are built again alone, for their messages
		if g.ctx.Err() != nil {
			return
		}
		for i, r := range job {
			out := filepath.Join(tmp, filepath.Base(r.dir))
			if runtime.GOOS == "windows" {
				out += ".exe"
			}
			if os.Rename(out, bins[i]) == nil {
				r.bin = bins[i]
			} else {
				single = append(single, i)
			}
		}
	}
	for _, i := range single {
		if g.ctx.Err() != nil {
			return
		}
		job[i].buildAlone(bins[i])
	}
}

// buildAlone builds one program into bin, reporting its errors.
func (r *goRun) buildAlone(bin string) {
	tmp, err := os.CreateTemp(r.g.cache, filepath.Base(bin)+".tmp-*")
	if err != nil {
		r.rep().Errorf(model.CodeGoBuild, r.main, "cannot write to the build cache: %v", err).
			Hint("set PYROBUILD_CACHE to a writable folder")
		return
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	args := append(slices.Clone(goBuildFlags), "-o", tmp.Name())
	if r.fileArgs {
		for _, f := range r.u.files {
			args = append(args, filepath.Base(f))
		}
	} else {
		args = append(args, ".")
	}
	cmd := r.g.command(r.g.ctx, args...)
	cmd.Dir = r.dir
	out, err := cmd.CombinedOutput()
	if r.g.ctx.Err() != nil {
		return // stopped: not the program's fault
	}
	if err != nil {
		r.buildErrors(out, err)
		return
	}
	if err := os.Rename(tmp.Name(), bin); err != nil {
		r.rep().Errorf(model.CodeGoBuild, r.main, "cannot store the built program: %v", err)
		return
	}
	r.bin = bin
}

// goErrorRe matches a compiler message: file.go:line[:col]: text.
var goErrorRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.+?\.go):(\d+)(?::(\d+))?: (.*)$`) })

// buildErrors turns go build's output into diagnostics at the .go lines it
// names; what has no line (module problems) goes to the main function.
func (r *goRun) buildErrors(out []byte, err error) {
	var lines []string
	positioned := false
	for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "# ") || strings.TrimSpace(l) == "" || strings.HasSuffix(l, "too many errors"):
			continue
		case strings.HasPrefix(l, "\t") && len(r.diags) > 0 && positioned:
			// A continuation ("to add it:\n\tgo get …") is the hint.
			d := &r.diags[len(r.diags)-1]
			d.Hint = strings.TrimSpace(strings.TrimSpace(d.Hint + " " + strings.TrimSpace(l)))
			continue
		}
		if m := goErrorRe().FindStringSubmatch(l); m != nil {
			at := r.goPos(m[1], m[2], m[3])
			r.rep().Report(diag.Error, model.CodeGoBuild, at, m[4])
			positioned = true
			continue
		}
		lines = append(lines, strings.TrimSpace(l))
	}
	if positioned {
		return
	}
	msg := "go build failed"
	if len(lines) > 0 {
		msg = "go build failed: " + strings.TrimPrefix(lines[0], "go: ")
		lines = lines[1:]
	} else if err != nil {
		msg += ": " + err.Error()
	}
	r.rep().Errorf(model.CodeGoBuild, r.main, "%s", msg).
		Hint(strings.Join(lines, " "))
}

// goPosRe matches a position inside a message: file.go:line[:col].
var goPosRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^\s()"'\x60]+\.go:\d+(?::\d+)?`) })

// rewritePositions names the files of the positions a message of the
// program quotes (the other panel "at main.go:8:21", relative to the
// folder the program ran in) as the diagnostics name them.
func (r *goRun) rewritePositions(msg string) string {
	return goPosRe().ReplaceAllStringFunc(msg, func(s string) string {
		p, ok := r.parsePos(s)
		if !ok {
			return s
		}
		file := s[:strings.Index(s, ".go:")+3]
		abs := filepath.FromSlash(file)
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(r.dir, abs)
		}
		if fi, err := os.Stat(abs); err != nil || !fi.Mode().IsRegular() {
			return s // not a file: leave the text alone
		}
		return p.String()
	})
}

// goPos resolves a position the go command or the program printed: a file
// relative to the package folder (where they ran) or absolute, and a line
// and optional column.
//
// The file's text is kept, so that the renderer shows the line of every
// .go file a problem is at, a helper package's as the main package's.
func (r *goRun) goPos(file, line, col string) diag.Pos {
	p := diag.Pos{File: r.displayPath(file)}
	p.Line, _ = strconv.Atoi(line)
	p.Col, _ = strconv.Atoi(col)
	if p.Col == 0 {
		p.Col = r.firstColumn(p)
	} else {
		r.source(p.File)
	}
	return p
}

// displayPath names a file the way the user named the package's folder:
// relative to it when inside, relative to the working directory when
// below it, absolute otherwise.
func (r *goRun) displayPath(file string) string {
	file = filepath.FromSlash(file)
	abs := file
	if !filepath.IsAbs(file) {
		abs = filepath.Join(r.dir, file)
	}
	if rel, err := filepath.Rel(r.dir, abs); err == nil && filepath.IsLocal(rel) {
		return filepath.Join(r.u.dir, rel)
	}
	if r.g.cwd != "" {
		if rel, err := filepath.Rel(r.g.cwd, abs); err == nil && filepath.IsLocal(rel) {
			return rel
		}
	}
	return abs
}

// source returns a .go file's text, reading it once, or nil.
func (r *goRun) source(path string) *model.Source {
	if !strings.HasSuffix(path, ".go") {
		return nil // positions come from the program: quote only Go sources
	}
	if src := r.sources.Get(path); src != nil {
		return src
	}
	src, d := readSource(path)
	if d != nil {
		return nil
	}
	r.sources.Add(src)
	return src
}

// firstColumn is the column of the first non-blank byte of p's line: where
// the statement starts, when only the line is known.
func (r *goRun) firstColumn(p diag.Pos) int {
	if src := r.source(p.File); src != nil {
		line := src.Line(p.Line)
		return len(line) - len(strings.TrimLeft(line, " \t")) + 1
	}
	return 1
}

// limitedBuffer keeps at most max bytes and remembers that it overflowed.
type limitedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.over = true
		b.Buffer.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// run runs the binary in the package folder, as go run would, and returns
// its standard output.
func (r *goRun) run(bin string) ([]byte, bool) {
	if r.g.ctx.Err() != nil {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(r.g.ctx, r.g.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	r.g.ownGroup(cmd)
	cmd.Dir = r.dir
	stdout := &limitedBuffer{max: maxFileSize}
	stderr := &limitedBuffer{max: 1 << 20}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// Children that keep the output pipes open must not hold us past the
	// time-out.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	switch {
	case r.g.ctx.Err() != nil:
		return nil, false // stopped: Compile returns the reason
	case ctx.Err() == context.DeadlineExceeded:
		r.rep().Errorf(model.CodeGoTimeout, r.main, "program did not finish within %s", r.g.timeout).
			Hint("a dashboards program only builds and prints resources; raise the limit with --go-timeout if it must take longer")
		return nil, false
	case err != nil:
		r.runErrors(r.sdkErrors(stdout.Bytes(), stderr.String()), err)
		return nil, false
	case stdout.over:
		r.rep().Errorf(model.CodeInputLimit, r.main, "program printed more than %d MiB", maxFileSize>>20)
		return nil, false
	}
	return stdout.Bytes(), true
}

// runErrors reports a program that failed: a panic at the user's frame
// that raised it, the SDK's "file:line:col: message" lines at their
// positions, anything else at the main function.
func (r *goRun) runErrors(stderr string, err error) {
	status := err.Error()
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		status = fmt.Sprintf("status %d", ee.ExitCode())
	}
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	for i, l := range lines {
		if msg, ok := strings.CutPrefix(l, "panic: "); ok {
			r.panicked(msg, lines[i+1:])
			return
		}
		if msg, ok := strings.CutPrefix(l, "fatal error: "); ok {
			r.panicked(msg, lines[i+1:])
			return
		}
	}
	found := false
	for _, l := range lines {
		if m := goErrorRe().FindStringSubmatch(l); m != nil {
			r.rep().Report(diag.Error, model.CodeGoRun, r.goPos(m[1], m[2], m[3]), r.rewritePositions(m[4]))
			found = true
		}
	}
	if found {
		return
	}
	hint := strings.TrimSpace(stderr)
	if len(lines) > 5 {
		hint = "… " + strings.Join(lines[len(lines)-5:], " ")
	}
	r.rep().Errorf(model.CodeGoRun, r.main, "program exited with %s", status).
		Hint(strings.ReplaceAll(hint, "\n", " "))
}

// panicked reports a panic at the first frame of the goroutine trace that
// is in the package's own files, else at the first of package main (a
// helper package of the user's is still better than the main function).
func (r *goRun) panicked(msg string, trace []string) {
	at, found := r.main, false
	for i := 1; i < len(trace); i++ {
		fn, l := trace[i-1], trace[i]
		if !strings.HasPrefix(l, "\t") {
			continue
		}
		file, rest, ok := strings.Cut(strings.TrimSpace(l), ".go:")
		if !ok || strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "panic(") || strings.HasPrefix(fn, dacImport+".") {
			continue
		}
		file += ".go"
		line, _, _ := strings.Cut(rest, " ")
		if rel, err := filepath.Rel(r.dir, file); err == nil && filepath.IsLocal(rel) {
			at = r.goPos(file, line, "")
			break
		}
		if !found && strings.HasPrefix(fn, "main.") {
			at, found = r.goPos(file, line, ""), true
		}
	}
	r.rep().Errorf(model.CodeGoRun, at, "program panicked: %s", msg)
}

// decode reads what the program printed: the SDK's protocol, or plain
// Perses resources.
func (r *goRun) decode(out []byte) []Raw {
	src := model.NewSource(r.label()+" (output)", out)
	trimmed := bytes.TrimLeft(out, " \t\r\n\xef\xbb\xbf")
	if len(trimmed) == 0 {
		r.rep().Errorf(model.CodeGoOutput, r.main, "program printed nothing").
			Hint("call dac.Emit(resources...) at the end of main")
		return nil
	}
	var docs []*model.Node
	if c := trimmed[0]; c == '{' || c == '[' {
		n, d := ParseJSON(src)
		if d != nil {
			r.rep().Errorf(model.CodeGoOutput, r.main, "output is not valid JSON (line %d, column %d of the output: %s): %s", d.Pos.Line, d.Pos.Col, quoteLine(src.Line(d.Pos.Line)), d.Message).
				Hint(strayHint)
			return nil
		}
		if n.Kind == model.MapKind && n.Get("pyrobuild") != nil {
			return r.protocol(n)
		}
		docs = []*model.Node{n}
	} else {
		ns, d := ParseYAML(src)
		if line, text, ok := strayLine(out); ok && (d != nil || !slices.ContainsFunc(ns, func(n *model.Node) bool { return n.Kind == model.MapKind || n.Kind == model.ListKind })) {
			// Something printed before a JSON document: debug output.
			r.rep().Errorf(model.CodeGoOutput, r.main, "program printed other output before its resources (line %d of the output: %s)", line, quoteLine(text)).
				Hint(strayHint)
			return nil
		}
		if d != nil {
			r.rep().Errorf(model.CodeGoOutput, r.main, "output is neither JSON nor YAML (line %d of the output: %s): %s", d.Pos.Line, quoteLine(src.Line(d.Pos.Line)), d.Message).
				Hint(strayHint)
			return nil
		}
		docs = ns
	}
	// Plain resources carry no positions: everything is at main.
	var res []Raw
	for _, n := range docs {
		r.placeAll(n, r.main)
		res = append(res, Collect(n, r.main.File, &r.diags)...)
	}
	return res
}

// strayHint is the hint of output that is not the resources alone.
const strayHint = "standard output must carry only the resources (dac.Emit's document, or Perses resources as JSON or YAML): print debug output to standard error, e.g. fmt.Fprintln(os.Stderr, …)"

// strayLine finds output printed before a JSON document (fmt.Println
// before dac.Emit): the first non-blank line above the first line that
// starts with { or [, when there is one, and its 1-based number. A YAML
// document separator or comment above it is not stray.
func strayLine(out []byte) (int, string, bool) {
	lines := strings.Split(string(out), "\n")
	first := -1
	for i, l := range lines {
		l = strings.TrimRight(l, "\r")
		if t := strings.TrimSpace(l); t == "" || t == "---" || strings.HasPrefix(t, "#") {
			continue
		}
		if strings.HasPrefix(l, "{") || strings.HasPrefix(l, "[") {
			if first >= 0 {
				return first + 1, strings.TrimRight(lines[first], "\r"), true
			}
			return 0, "", false
		}
		if first < 0 {
			first = i
		}
	}
	return 0, "", false
}

// quoteLine quotes a line of output for a message, shortened.
func quoteLine(l string) string {
	l = strings.TrimRight(l, "\r")
	if len(l) > 60 {
		l = l[:57] + "…"
	}
	return strconv.Quote(l)
}

// placeAll positions every value of n at p.
func (r *goRun) placeAll(n *model.Node, p diag.Pos) {
	n.Pos, n.KeyPos = p, p
	n.SetOrigin(nil, -1)
	for _, v := range n.Vals {
		r.placeAll(v, p)
	}
	for _, v := range n.Items {
		r.placeAll(v, p)
	}
}

// protocol reads the SDK's document (see package dac): version 1 carries
// positions, version 2 the call frames they are found from.
func (r *goRun) protocol(doc *model.Node) []Raw {
	v := doc.Get("pyrobuild")
	version, err := strconv.Atoi(v.Value)
	if v.Kind != model.NumberKind || err != nil || version < 1 {
		r.rep().Errorf(model.CodeGoOutput, r.main, "output has an invalid protocol version %s", v.Literal())
		return nil
	}
	if version > goProtocol {
		r.rep().Errorf(model.CodeGoOutput, r.main, "program writes protocol version %d; this pyrobuild reads version %d", version, goProtocol).
			Hint("the program's pyrobuild Go SDK is newer than this pyrobuild: upgrade pyrobuild (go install github.com/pyrobuild/pyrobuild/cmd/pyrobuild@latest)")
		return nil
	}
	list := doc.Get("resources")
	if list == nil || list.Kind != model.ListKind {
		r.rep().Errorf(model.CodeGoOutput, r.main, `output has no "resources" list`)
		return nil
	}
	var table map[string]string
	if version == 1 {
		table = map[string]string{}
		if ps := doc.Get("positions"); ps != nil && ps.Kind == model.MapKind {
			for i, k := range ps.Keys {
				if ps.Vals[i].Kind == model.StringKind {
					table[k] = ps.Vals[i].Value
				}
			}
		}
	} else {
		table = r.framePositions(doc, list)
	}
	var res []Raw
	for i, n := range list.Items {
		r.place(n, strconv.Itoa(i), table, r.main)
		res = append(res, Collect(n, n.Pos.File, &r.diags)...)
	}
	return res
}

// place positions n and its values from the table, keyed by the
// resource's index and each value's JSON pointer; values without an entry
// inherit their parent's position.
func (r *goRun) place(n *model.Node, key string, table map[string]string, outer diag.Pos) {
	p := outer
	if s, ok := table[key]; ok {
		if q, ok := r.parsePos(s); ok {
			p = q
		}
	}
	n.Pos, n.KeyPos = p, p
	n.SetOrigin(nil, -1)
	if n.Kind == model.StringKind {
		r.mapLiteral(n)
	}
	for i, k := range n.Keys {
		r.place(n.Vals[i], key+"/"+strings.NewReplacer("~", "~0", "/", "~1").Replace(k), table, p)
	}
	for i, it := range n.Items {
		r.place(it, key+"/"+strconv.Itoa(i), table, p)
	}
}

// parsePos reads "file:line[:col]", from the right, as file names may hold
// colons.
func (r *goRun) parsePos(s string) (diag.Pos, bool) {
	rest, last, ok := cutLast(s)
	if !ok {
		return diag.Pos{}, false
	}
	line, col := last, ""
	if file, l, ok := cutLast(rest); ok {
		rest, line, col = file, l, last
	}
	if rest == "" {
		return diag.Pos{}, false
	}
	return r.goPos(rest, line, col), true
}

// cutLast splits "a:12" into "a" and "12" when the part after the last
// colon is a number.
func cutLast(s string) (string, string, bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", "", false
	}
	if _, err := strconv.Atoi(s[i+1:]); err != nil {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// mapLiteral lets a string value that the program wrote as a Go literal at
// its position map its bytes to columns inside the literal, so an error in
// a query selector points inside the Go string as it does inside YAML.
func (r *goRun) mapLiteral(n *model.Node) {
	src := r.source(n.Pos.File)
	if src == nil {
		return
	}
	off := src.Offset(n.Pos.Line, n.Pos.Col)
	if off < 0 || off >= len(src.Data) {
		return
	}
	switch src.Data[off] {
	case '"':
		end := off + 1
		for end < len(src.Data) && src.Data[end] != '"' && src.Data[end] != '\n' {
			if src.Data[end] == '\\' {
				end++
			}
			end++
		}
		if end < len(src.Data) {
			if s, err := strconv.Unquote(string(src.Data[off : end+1])); err == nil && s == n.Value {
				n.SetOrigin(src, off)
			}
		}
	case '`':
		// A raw string's bytes are its value: map from the first one, which
		// the plain-scalar rule of PosAt does, unless the value starts
		// like a quoted or block scalar.
		if bytes.HasPrefix(src.Data[off+1:], []byte(n.Value+"`")) && n.Value != "" && !strings.ContainsAny(n.Value[:1], "\"'|>`") {
			n.SetOrigin(src, off+1)
		}
	}
}

// TrimCache removes cached binaries unused for cache.TTL. It runs only
// after a build, so that warm compilations do not pay for it.
func (g *GoLoader) TrimCache() {
	cache.Trim(g.cache, 1, cache.TTL)
}

// ---- the cache key ----

// key is the hex SHA-256 of everything a package's binary depends on: the
// Go toolchain and build settings, the package's files and its folder (the
// binary records its paths), the module's go.mod and go.sum (the versions
// of dependencies, the SDK's among them), a go.work, and the files of every
// package it imports from a module on disk (the SDK itself when the
// program is in pyrobuild's module, shared helper packages, replace
// directives to local folders). Module cache contents are immutable and
// identified by go.sum, so they are not read. A program built from some
// of its folder's .go files (only, by name) depends on those alone.
func (g *GoLoader) key(dir, root string, only []string) (string, error) {
	h := sha256.New()
	field := func(name string, data []byte) {
		fmt.Fprintf(h, "%s %d\n", name, len(data))
		h.Write(data)
	}
	var read []string // for Result.Inputs
	defer func() {
		g.mu.Lock()
		for _, f := range read {
			g.inputs[f] = true
		}
		g.mu.Unlock()
	}()
	field("pyrobuild-go-cache", []byte("1"))
	field("dir", []byte(dir))
	if only != nil {
		field("files", []byte(strings.Join(only, "\n")))
	}
	env, err := g.env(root, dir)
	if err != nil {
		return "", err
	}
	field("env", []byte(env))
	var locals []*goModule
	if root != "" {
		m := g.module(root)
		if m.err != nil {
			return "", m.err
		}
		locals = append(locals, m)
		read = append(read, filepath.Join(root, "go.mod"), filepath.Join(root, "go.sum"), filepath.Join(root, "vendor", "modules.txt"))
		field("go.mod", m.goMod)
		field("go.sum", m.goSum)
		field("vendor", m.vendor)
		for _, rep := range m.replaces {
			if lm := g.module(rep.dir); lm.err == nil {
				lm = &goModule{path: rep.path, dir: lm.dir, goMod: lm.goMod}
				locals = append(locals, lm)
				read = append(read, filepath.Join(lm.dir, "go.mod"))
				field("replace "+rep.path, lm.goMod)
			}
		}
	}
	if work := envLine(env, slices.Index(goEnvVars, "GOWORK")); work != "" && work != "off" {
		w := g.module(filepath.Dir(work))
		read = append(read, work, work+".sum")
		if b, err := os.ReadFile(work); err == nil {
			field("go.work", b)
		}
		if b, err := os.ReadFile(work + ".sum"); err == nil {
			field("go.work.sum", b)
		}
		for _, use := range w.uses {
			if lm := g.module(use); lm.err == nil && lm.path != "" {
				locals = append(locals, lm)
				read = append(read, filepath.Join(lm.dir, "go.mod"))
				field("use "+lm.path, lm.goMod)
			}
		}
	}
	// The package, then every local package it reaches, breadth first; an
	// import belongs to the local module with the longest matching path.
	locals = slices.DeleteFunc(locals, func(m *goModule) bool { return m.path == "" })
	slices.SortStableFunc(locals, func(a, b *goModule) int { return len(b.path) - len(a.path) })
	seen := map[string]bool{dir: true}
	queue := []string{dir}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		var dh *dirHash
		if d == dir {
			dh = g.dirHash(d, only)
		} else {
			dh = g.dirHash(d, nil)
		}
		read = append(read, dh.files...)
		field("pkg "+d, dh.sum)
		for _, im := range dh.imports {
			for _, m := range locals {
				rest, ok := strings.CutPrefix(im, m.path)
				if !ok || (rest != "" && rest[0] != '/') {
					continue
				}
				pd := filepath.Join(m.dir, filepath.FromSlash(rest))
				if !seen[pd] {
					seen[pd] = true
					queue = append(queue, pd)
				}
				break
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// goEnvVars are the settings that change what go build makes, and GOWORK,
// the workspace file in effect.
var goEnvVars = []string{"GOVERSION", "GOOS", "GOARCH", "GOFLAGS", "CGO_ENABLED", "GOEXPERIMENT", "GOAMD64", "GOARM64", "GOARM", "GOROOT", "GOWORK", "GOTOOLCHAIN", "GO111MODULE"}

// gopathMode reports whether the go command builds in GOPATH mode
// (GO111MODULE=off) in folder dir. The go command is asked, not the
// environment: it also reads the setting from its go env file.
func (g *GoLoader) gopathMode(dir string) bool {
	if g.goCmd == "" {
		return false
	}
	env, err := g.env("", dir)
	return err == nil && envLine(env, slices.Index(goEnvVars, "GO111MODULE")) == "off"
}

// command is a go command run by the loader, ended with its process group
// when ctx is done.
func (g *GoLoader) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, g.goCmd, args...)
	g.ownGroup(cmd)
	return cmd
}

// ownGroup runs cmd in a process group of its own, which its cancellation
// kills whole: the go command's compilers and linker, and whatever a
// program starts, end with it instead of running on as orphans. When the
// compilation cannot be stopped (its context has no Done channel), the
// child stays in pyrobuild's group: a Ctrl-C at the terminal then reaches
// it as it reaches pyrobuild, which may exit without waiting for it.
func (g *GoLoader) ownGroup(cmd *exec.Cmd) {
	if g.ctx.Done() != nil {
		killGroupOnCancel(cmd)
	}
}

// envLine returns line i of go env's output.
func envLine(env string, i int) string {
	lines := strings.Split(env, "\n")
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

// env runs go env once per module (the module's go line can switch the
// toolchain).
func (g *GoLoader) env(root, dir string) (string, error) {
	at := root
	if at == "" {
		at = dir
	}
	g.mu.Lock()
	e := g.envs[at]
	if e == nil {
		e = &goEnvResult{}
		g.envs[at] = e
	}
	g.mu.Unlock()
	e.once.Do(func() {
		cmd := g.command(g.ctx, append([]string{"env"}, goEnvVars...)...)
		cmd.Dir = at
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			e.err = fmt.Errorf("go env: %v: %s", err, strings.TrimSpace(stderr.String()))
		}
		e.out = string(out)
	})
	return e.out, e.err
}

// moduleRoot returns the folder of the go.mod above dir, or "".
func (g *GoLoader) moduleRoot(dir string) string {
	g.mu.Lock()
	root, ok := g.roots[dir]
	g.mu.Unlock()
	if ok {
		return root
	}
	for d := dir; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && fi.Mode().IsRegular() {
			root = d
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	g.mu.Lock()
	g.roots[dir] = root
	g.mu.Unlock()
	return root
}

// dirHash hashes a package folder's files (test files left out, other files
// kept, as //go:embed may use them) and lists the imports of its .go files.
// Subfolders are hashed too when a file of the package embeds: a pattern
// may name files below it, and Go only learns which at build time. When
// only is set, the .go files are those named in it alone.
func (g *GoLoader) dirHash(dir string, only []string) *dirHash {
	id := dir
	if only != nil {
		id += "\x00" + strings.Join(only, "\x00")
	}
	g.mu.Lock()
	dh := g.dirs[id]
	if dh == nil {
		dh = &dirHash{}
		g.dirs[id] = dh
	}
	g.mu.Unlock()
	dh.once.Do(func() {
		h := sha256.New()
		entries, _ := os.ReadDir(dir)
		imports := map[string]bool{}
		embeds := false
		for _, e := range entries {
			name := e.Name()
			if !e.Type().IsRegular() || strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, ".") {
				continue
			}
			if only != nil && strings.HasSuffix(name, ".go") && !slices.Contains(only, name) {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				continue
			}
			fmt.Fprintf(h, "%s %d\n", name, len(b))
			h.Write(b)
			dh.files = append(dh.files, filepath.Join(dir, name))
			if strings.HasSuffix(name, ".go") {
				embeds = embeds || bytes.Contains(b, []byte("//go:embed"))
				if f, _ := parser.ParseFile(token.NewFileSet(), name, b, parser.ImportsOnly); f != nil {
					for _, im := range f.Imports {
						if p, err := strconv.Unquote(im.Path.Value); err == nil {
							imports[p] = true
						}
					}
				}
			}
		}
		if embeds {
			dh.files = append(dh.files, hashSubfolders(h, dir)...)
		}
		dh.sum = h.Sum(nil)
		for p := range imports {
			dh.imports = append(dh.imports, p)
		}
		slices.Sort(dh.imports)
	})
	return dh
}

// hashSubfolders adds every file below dir's subfolders to h, in walk
// (lexical) order, leaving out nested modules, which an embed cannot reach.
// It returns the files hashed.
func hashSubfolders(h io.Writer, dir string) (files []string) {
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return nil
		}
		if e.IsDir() {
			if e.Name() == ".git" {
				return fs.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return fs.SkipDir
			}
			return nil
		}
		if filepath.Dir(p) == dir || !e.Type().IsRegular() {
			return nil // the package's own files are hashed already
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(rel), len(b))
		h.Write(b)
		files = append(files, p)
		return nil
	})
	return files
}

// goModule is what the key needs of a module on disk.
type goModule struct {
	once     sync.Once
	dir      string
	path     string // module path
	goMod    []byte
	goSum    []byte
	vendor   []byte // vendor/modules.txt
	replaces []goReplace
	uses     []string // go.work: absolute module folders
	err      error
}

type goReplace struct{ path, dir string }

// module reads the go.mod (and go.work) of folder dir once.
func (g *GoLoader) module(dir string) *goModule {
	g.mu.Lock()
	m := g.mods[dir]
	if m == nil {
		m = &goModule{dir: dir}
		g.mods[dir] = m
	}
	g.mu.Unlock()
	m.once.Do(func() {
		if b, err := os.ReadFile(filepath.Join(dir, "go.work")); err == nil {
			for _, use := range goModDirectives(b, "use") {
				if len(use) > 0 {
					m.uses = append(m.uses, absFrom(dir, use[0]))
				}
			}
		}
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err != nil {
			if len(m.uses) == 0 {
				m.err = err
			}
			return
		}
		m.goMod = b
		m.goSum, _ = os.ReadFile(filepath.Join(dir, "go.sum"))
		m.vendor, _ = os.ReadFile(filepath.Join(dir, "vendor", "modules.txt"))
		if mod := goModDirectives(b, "module"); len(mod) > 0 && len(mod[0]) > 0 {
			m.path = mod[0][0]
		}
		for _, rep := range goModDirectives(b, "replace") {
			// old [v] => new [v]; a new path starting with ./ ../ or / is a folder.
			i := slices.Index(rep, "=>")
			if i < 1 || i+1 >= len(rep) {
				continue
			}
			if to := rep[i+1]; strings.HasPrefix(to, "./") || strings.HasPrefix(to, "../") || filepath.IsAbs(to) {
				m.replaces = append(m.replaces, goReplace{path: rep[0], dir: absFrom(dir, to)})
			}
		}
	})
	return m
}

func absFrom(dir, p string) string {
	p = filepath.FromSlash(p)
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

// goModDirectives returns the arguments of every `verb …` line of a go.mod
// or go.work, inside `verb ( … )` blocks too. It reads just enough of the
// syntax for the cache key; go build reads the file for real.
func goModDirectives(b []byte, verb string) [][]string {
	var out [][]string
	block := false
	for _, l := range strings.Split(string(b), "\n") {
		if i := strings.Index(l, "//"); i >= 0 {
			l = l[:i]
		}
		f := strings.Fields(l)
		for i, s := range f {
			if u, err := strconv.Unquote(s); err == nil {
				f[i] = u
			}
		}
		switch {
		case len(f) == 0:
		case block && f[0] == ")":
			block = false
		case block:
			out = append(out, f)
		case f[0] == verb && len(f) == 2 && f[1] == "(":
			block = true
		case f[0] == verb:
			out = append(out, f[1:])
		}
	}
	return out
}

// Available reports whether the go command was found.
func (g *GoLoader) Available() bool { return g.goCmd != "" }

// Builds is how many programs the loader compiled.
func (g *GoLoader) Builds() int { return int(g.builds.Load()) }

// Inputs are the files the programs' cache keys read (local packages,
// go.mod, go.sum, go.work), sorted: a change to any of them can change a
// program's output.
func (g *GoLoader) Inputs() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for f := range g.inputs {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}
