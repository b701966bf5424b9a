// Package examples compiles the examples of the docs site's pages: every
// fenced block marked example.
package examples

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/site/markdown"
	"github.com/pyrobuild/pyrobuild/internal/site/sitediag"
)

// Every fenced block marked `example` is compiled during the build, alone,
// as the file a reader would copy. It must compile without problems, or,
// with expect=PBxxxx, fail with exactly that code. Problems are reported
// at the markdown line they come from.
//
// Examples of one page that share a group=NAME attribute are compiled
// together instead, as the files of one folder (a dashboard and the
// datasource it reads, written as two files by the page); each is reported
// at its own lines.
//
// A Go example is a program: it is written as main.go in a module that
// requires pyrobuild's Go SDK (this checkout's, when pyrobuild runs from
// one), and compiled through the Go loader. When the SDK cannot be
// resolved (no checkout, offline) it is reported, as a warning, as not
// compiled: neither silently passed nor failed for a reason not its own.

// A Run is the outcome of compiling one example's code.
type Run struct {
	diags diag.Diagnostics // positions relative to the example: File "", Line within the code
	err   error
	// skipped, when set, is why the example could not be compiled here.
	skipped string
	// parts are the outcomes of each example of a group, in order, when
	// they differ.
	parts []Run
}

// A Cache keeps the outcome of every example compiled, by its code, for
// the next build. Its methods may be called from several goroutines; its
// fields are set before the first call.
type Cache struct {
	// Root is pyrobuild's cache folder: Go examples are written as modules
	// in its folder examples, and their programs built into
	// compiler.GoCacheDir(Root), both kept for the next build. Empty:
	// nothing is kept.
	Root string
	// CUETimeout bounds the evaluation of each CUE example (see
	// compiler.Options).
	CUETimeout time.Duration

	mu   sync.Mutex
	runs map[string]Run // by language + code hash
}

var exampleExt = map[string]string{"yaml": ".yaml", "yml": ".yaml", "json": ".json", "cue": ".cue", "go": ".go"}

// Run compiles an example's code, or a group's, in a temporary
// folder, reusing the result of a previous build for the same code. It
// returns the outcome of each example. A run that ctx cut short is not
// kept.
func (c *Cache) Run(ctx context.Context, exs []markdown.Example) []Run {
	all := func(r Run) []Run {
		out := make([]Run, len(exs))
		for i := range out {
			out[i] = r
		}
		return out
	}
	h := sha256.New()
	exts := make([]string, len(exs))
	for i, ex := range exs {
		ext, ok := exampleExt[strings.ToLower(ex.Lang)]
		if !ok {
			return all(Run{err: fmt.Errorf("examples in %q cannot be compiled: use yaml, json, cue or go", ex.Lang)})
		}
		if ext == ".go" && len(exs) > 1 {
			return all(Run{err: fmt.Errorf("a go example is a program of its own: it cannot be in a group")})
		}
		exts[i] = ext
		fmt.Fprintf(h, "%s %d\n", ext, len(ex.Code))
		h.Write(ex.Code)
	}
	key := fmt.Sprintf("%d\x00%s", len(exs), h.Sum(nil))
	c.mu.Lock()
	r, ok := c.runs[key]
	c.mu.Unlock()
	if !ok {
		if exts[0] == ".go" {
			r = Run{parts: []Run{c.compileGoExample(ctx, exs[0].Code)}}
		} else {
			var codes [][]byte
			for _, ex := range exs {
				codes = append(codes, ex.Code)
			}
			r = c.compileExamples(ctx, exts, codes)
		}
		if ctx.Err() != nil {
			return all(Run{err: ctx.Err()})
		}
		c.mu.Lock()
		if c.runs == nil {
			c.runs = map[string]Run{}
		}
		c.runs[key] = r
		c.mu.Unlock()
	}
	if r.parts == nil {
		return all(r)
	}
	return r.parts
}

// compileExamples compiles files with the given extensions and code
// together, in a temporary folder, and splits the diagnostics by file.
func (c *Cache) compileExamples(ctx context.Context, exts []string, codes [][]byte) Run {
	dir, err := os.MkdirTemp("", "pyrobuild-example-")
	if err != nil {
		return Run{err: err}
	}
	defer os.RemoveAll(dir)
	files := make([]string, len(codes))
	for i, code := range codes {
		name := "example" + exts[i]
		if len(codes) > 1 {
			name = "example" + strconv.Itoa(i+1) + exts[i]
		}
		files[i] = filepath.Join(dir, name)
		if err := os.WriteFile(files[i], code, 0o644); err != nil {
			return Run{err: err}
		}
	}
	res, err := compiler.Compile(ctx, c.options(dir))
	if err != nil {
		return Run{err: err}
	}
	out := Run{parts: make([]Run, len(files))}
	for _, d := range res.Diagnostics {
		if d.Severity == diag.Info {
			continue
		}
		i := slices.Index(files, absPath(d.Pos.File))
		if i < 0 {
			i = 0 // not at a line of any: reported at the first's fence
		} else {
			d.Pos.File = ""
			if absPath(d.End.File) == files[i] {
				d.End.File = ""
			}
		}
		out.parts[i].diags = append(out.parts[i].diags, d)
	}
	return out
}

func absPath(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// options are the options of the compilation of the examples in dir.
func (c *Cache) options(dir string) compiler.Options {
	o := compiler.Options{Paths: []string{dir}, Workers: 1, CUETimeout: c.CUETimeout}
	if c.Root != "" {
		o.GoCache = compiler.GoCacheDir(c.Root)
	}
	return o
}

// sdkModule is how an example module requires pyrobuild's Go SDK: a
// replace directive to the checkout this pyrobuild was built from, when it
// is on disk, else the version this binary is of; "" when neither is
// known.
func sdkModule() (replace, version string) {
	const module = "github.com/pyrobuild/pyrobuild"
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		root := filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(file))))
		mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
		_, statErr := os.Stat(filepath.Join(root, "dac", "emit.go"))
		if err == nil && statErr == nil && bytes.HasPrefix(mod, []byte("module "+module+"\n")) {
			return root, ""
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path == module && strings.HasPrefix(bi.Main.Version, "v") {
			return "", bi.Main.Version
		}
		for _, d := range bi.Deps {
			if d.Path == module && d.Replace == nil && strings.HasPrefix(d.Version, "v") {
				return "", d.Version
			}
		}
	}
	return "", ""
}

// goExampleDirs serialises the writing of one Go example's folder.
var goExampleDirs sync.Mutex

// compileGoExample compiles a Go example as main.go of a module that
// requires the SDK. The folder is named after the code, and kept, so that
// the Go loader's cache, keyed by the folder and its files, holds the
// program from one build to the next (unless c.Root is empty: then the
// folder is temporary).
func (c *Cache) compileGoExample(ctx context.Context, code []byte) Run {
	replace, version := sdkModule()
	if replace == "" && version == "" {
		return Run{skipped: "pyrobuild's Go SDK cannot be found: this pyrobuild was not built from a checkout nor is a released version"}
	}
	goMod := "module example.com/dashboards\n\ngo 1.26.0\n\nrequire github.com/pyrobuild/pyrobuild "
	if replace != "" {
		goMod += "v0.0.0\n\nreplace github.com/pyrobuild/pyrobuild => " + filepath.ToSlash(replace) + "\n"
	} else {
		goMod += version + "\n"
	}
	sum := sha256.Sum256([]byte(goMod + "\x00" + string(code)))
	base := filepath.Join(c.Root, "examples")
	if c.Root == "" {
		tmp, err := os.MkdirTemp("", "pyrobuild-example-")
		if err != nil {
			return Run{err: err}
		}
		defer os.RemoveAll(tmp)
		base = tmp
	}
	dir := filepath.Join(base, hex.EncodeToString(sum[:12]))
	file := filepath.Join(dir, "main.go")
	goExampleDirs.Lock()
	err := writeGoExample(dir, goMod, code)
	goExampleDirs.Unlock()
	if err != nil {
		return Run{err: err}
	}
	if version != "" {
		if _, err := os.Stat(filepath.Join(dir, "go.sum")); err != nil {
			// A released SDK comes from the module proxy: resolve it first,
			// so that a network failure is told apart from the example's.
			if msg, ok := goModDownload(dir); !ok {
				return Run{skipped: "cannot download pyrobuild's Go SDK " + version + ": " + msg}
			}
		}
	}
	res, err := compiler.Compile(ctx, c.options(dir))
	if err != nil {
		return Run{err: err}
	}
	var out diag.Diagnostics
	for _, d := range res.Diagnostics {
		if d.Severity == diag.Info {
			continue
		}
		if why := notCompiled(d); why != "" {
			return Run{skipped: why}
		}
		if absPath(d.Pos.File) == file {
			d.Pos.File = ""
		}
		if absPath(d.End.File) == file {
			d.End.File = ""
		}
		out = append(out, d)
	}
	return Run{diags: out}
}

// writeGoExample writes the example's module, unless it is there already,
// each file through a rename, so that a build reading it never sees half
// of it. Folders of examples unused for 30 days are removed.
func writeGoExample(dir, goMod string, code []byte) error {
	now := time.Now()
	if _, err := os.Stat(filepath.Join(dir, "main.go")); err == nil {
		_ = os.Chtimes(dir, now, now)
		return nil
	}
	if entries, err := os.ReadDir(filepath.Dir(dir)); err == nil {
		for _, e := range entries {
			if fi, err := e.Info(); err == nil && e.IsDir() && now.Sub(fi.ModTime()) > 30*24*time.Hour {
				_ = os.RemoveAll(filepath.Join(filepath.Dir(dir), e.Name()))
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"go.mod", []byte(goMod)}, {"main.go", code}} {
		tmp := filepath.Join(dir, "."+f.name+".tmp")
		if err := os.WriteFile(tmp, f.data, 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, filepath.Join(dir, f.name)); err != nil {
			return err
		}
	}
	return nil
}

// notCompiled says why a diagnostic of a Go example's compilation is not
// the example's fault: the go command or the SDK module is missing.
func notCompiled(d diag.Diagnostic) string {
	switch d.Code {
	case model.CodeGoToolchain:
		return "Go examples need the go command, which is not on PATH"
	case model.CodeGoBuild:
		text := d.Message + " " + d.Hint
		for _, s := range []string{"go build failed", "missing go.sum entry", "no required module provides", "module lookup disabled", "cannot find module", "dial tcp", "go.mod file not found", "reading github.com/pyrobuild/pyrobuild"} {
			if strings.Contains(text, s) {
				return "pyrobuild's Go SDK cannot be resolved: " + d.Message
			}
		}
	}
	return ""
}

// Diagnostics maps the outcome of an example of the page file, whose
// markdown is src, to diagnostics at its lines.
func Diagnostics(file string, src []byte, ex markdown.Example, r Run) diag.Diagnostics {
	// Problems of the example as a whole point at its opening fence.
	at := diag.Pos{File: file, Line: max(ex.Line-1, 1), Col: 1}
	if r.err != nil {
		return diag.Diagnostics{{Severity: diag.Error, Code: sitediag.CodeExample, Pos: at, Message: r.err.Error()}}
	}
	if r.skipped != "" {
		return diag.Diagnostics{{Severity: diag.Warning, Code: sitediag.CodeExample, Pos: at, Message: ex.Lang + " example not compiled: " + r.skipped,
			Hint: "run pyrobuild built from its checkout (go run ./cmd/pyrobuild build), with the go command on PATH, to compile it"}}
	}
	expect := ex.Attrs["expect"]
	lines := strings.Split(string(src), "\n")
	codeLines := strings.Split(string(ex.Code), "\n")
	place := func(pos diag.Pos) diag.Pos {
		if pos.File != "" || pos.Line < 1 {
			return at
		}
		line := ex.Line + pos.Line - 1
		col := pos.Col
		// The code may be indented in the markdown (inside a tab or an
		// admonition): shift the column by that indentation.
		if line-1 < len(lines) && pos.Line-1 < len(codeLines) {
			if i := strings.Index(lines[line-1], codeLines[pos.Line-1]); i > 0 && codeLines[pos.Line-1] != "" {
				col += i
			}
		}
		return diag.Pos{File: file, Line: line, Col: col}
	}
	if expect != "" {
		var codes []string
		for _, d := range r.diags {
			if string(d.Code) == expect {
				return nil
			}
			codes = append(codes, string(d.Code))
		}
		msg := fmt.Sprintf("example should fail with %s but compiles cleanly", expect)
		if len(codes) > 0 {
			slices.Sort(codes)
			msg = fmt.Sprintf("example should fail with %s but reports %s", expect, strings.Join(slices.Compact(codes), ", "))
		}
		return diag.Diagnostics{{Severity: diag.Error, Code: sitediag.CodeExample, Pos: at, Message: msg,
			Hint: "fix the example or its expect= attribute"}}
	}
	var out diag.Diagnostics
	for _, d := range r.diags {
		d.Pos = place(d.Pos)
		d.End = diag.Pos{}
		// Notes point into the example's temporary files.
		d.Notes = nil
		d.Severity = diag.Error // a documented example must be clean
		d.Message = "example: " + d.Message
		out = append(out, d)
	}
	return out
}

// goModDownload resolves the requirements of the module in dir (go mod
// tidy), writing its go.sum; on failure it returns go's message.
func goModDownload(dir string) (string, bool) {
	cmd := exec.Command("go", "mod", "tidy")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return strings.TrimSpace(string(out)), false
	}
	return "", true
}

// Blank reports whether an example's code is only blank lines and
// comments.
func Blank(ex markdown.Example) bool {
	lang := strings.ToLower(ex.Lang)
	for _, line := range strings.Split(string(ex.Code), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case (lang == "yaml" || lang == "yml") && (strings.HasPrefix(line, "#") || line == "---" || line == "..."):
		case lang == "cue" && strings.HasPrefix(line, "//"):
		default:
			return false
		}
	}
	return true
}
