package cueload

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/compiler/schema"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// cueLoc maps CUE positions (absolute paths under the CUE loader) back to
// the paths the user gave, and tells the user's files from dependencies.
type cueLoc struct {
	// absDir and relDir are the package's folder, absolute and as given;
	// both are "" for a package built without the CUE loader, whose
	// positions are the paths given already.
	absDir, relDir string
	// schemaDir is where pyrobuild's schema lies in the overlay.
	schemaDir string
	// modRoot is the user's module (the folder holding cue.mod), or "".
	modRoot string
	// modCache is where CUE keeps downloaded modules ("": not known).
	modCache string
	sources  Sources
	// root is the package evaluated, for finding where the user wrote a
	// path CUE reports inside a dependency.
	root cue.Value
	// tooDeep is where node met a value nested deeper than model.MaxDepth.
	tooDeep *diag.Pos
	// deps holds, for the nodes of the resource being converted that a
	// dependency made, where the dependency wrote them.
	deps map[*model.Node]depValue
	// files are the package's files when every struct the schema closes
	// can be read by lookup (see declaredLabels), else nil.
	files []*ast.File
	// labels are the field labels the files write, and schemaLabels those
	// the schema declares regular: no other field can be present.
	labels, schemaLabels map[string]bool
}

// within reports whether file is dir or below it.
func within(file, dir string) bool {
	return dir != "" && (file == dir || strings.HasPrefix(file, dir+string(filepath.Separator)) || strings.HasPrefix(file, dir+"/"))
}

// isUser reports whether file is one of the user's: not pyrobuild's schema,
// not a dependency in cue.mod/pkg or in CUE's module cache.
func (c *cueLoc) isUser(file string) bool {
	switch {
	case within(file, c.schemaDir):
		return false
	case c.absDir == "":
		return true // built directly: the package's files and the schema only
	case c.modRoot != "":
		return within(file, c.modRoot) && !within(file, filepath.Join(c.modRoot, "cue.mod"))
	}
	return within(file, c.absDir)
}

// display is how a file CUE names is shown: relative to the folder the
// user gave when it is below the package, else as CUE names it.
func (c *cueLoc) display(file string) string {
	if c.absDir == "" {
		return file
	}
	if rel, err := filepath.Rel(c.absDir, file); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.Join(c.relDir, rel)
	}
	return file
}

// pos is p when it is in one of the user's files, else the zero Pos.
func (c *cueLoc) pos(p token.Pos) diag.Pos {
	if !p.IsValid() || !c.isUser(p.Filename()) {
		return diag.Pos{}
	}
	return diag.Pos{File: c.display(p.Filename()), Line: p.Line(), Col: p.Column()}
}

// depPos is a position in a dependency, for a note: pyrobuild's schema is
// named by its import path, other files as display shows them.
func (c *cueLoc) depPos(p token.Pos) (diag.Pos, string) {
	file := p.Filename()
	if within(file, c.schemaDir) {
		rel, _ := filepath.Rel(c.schemaDir, file)
		return diag.Pos{File: schema.ImportPath + "/" + filepath.ToSlash(rel), Line: p.Line(), Col: p.Column()}, "pyrobuild's schema"
	}
	what := "a dependency in the CUE module cache"
	if c.modRoot != "" && within(file, filepath.Join(c.modRoot, "cue.mod")) {
		what = "a dependency in cue.mod"
	}
	return diag.Pos{File: c.display(file), Line: p.Line(), Col: p.Column()}, what
}

// errors converts CUE errors to diagnostics at the user's positions. CUE
// names several positions per error: the first in the user's files is
// taken; a problem CUE places only inside a dependency is reported where
// the user wrote the value's path, with the dependency's place as a note.
func (c *cueLoc) errors(err error, fallback string) diag.Diagnostics {
	var diags diag.Diagnostics
	rep := diag.NewReporter(&diags)
	for _, e := range cueerrors.Errors(err) {
		path := e.Path()
		at, dep, what := c.place(e, path)
		if !at.IsValid() {
			at = diag.Pos{File: fallback}
		}
		format, args := e.Msg()
		if format == "invalid value %v (out of bound %s)" && len(args) == 2 && len(path) > 0 {
			// A schema constraint: explain it as for YAML and JSON.
			if m, ok := model.MustSchema().BoundMessage(fmt.Sprint(args[1])); ok {
				msg := fmt.Sprintf("invalid %s %v: %s", path[len(path)-1], args[0], m)
				if diag.CredentialPath(path) {
					msg = diag.RedactQuoted(msg)
				}
				rep.Report(diag.Error, model.CodeInvalidValue, at, msg).
					Path(strings.Join(path[1:], ".")).
					Note(dep, "CUE found it here, in "+what)
				continue
			}
		}
		msg, notes := c.splitMessage(fmt.Sprintf(format, args...))
		if diag.CredentialPath(path) {
			// CUE quotes the values in conflict: never a credential.
			msg = diag.RedactQuoted(msg)
		}
		hint := cueHint(msg)
		if format == "field not allowed" {
			hint = firstHint(c.suggestField(path), hint)
		}
		if imp, ok := missingImport(e.Error()); ok {
			msg, hint = c.missingImport(imp)
		} else if format == "import failed" {
			if imp := c.importAt(e.Position()); imp != "" {
				msg, hint = c.missingImport(imp)
				detail, _ := c.splitMessage(strings.TrimPrefix(e.Error(), "import failed: "))
				msg += " (" + detail + ")"
			}
		}
		if len(path) > 0 {
			msg = strings.Join(path, ".") + ": " + msg
		}
		r := rep.Report(diag.Error, model.CodeCUE, at, msg).Hint(hint)
		for _, n := range notes {
			r.Note(n.Pos, n.Message)
		}
		r.Note(dep, "CUE found it here, in "+what)
	}
	return diags
}

// place finds where an error is the user's doing: the first of its
// positions in the user's files, else where the user wrote its path. dep
// is CUE's own position when that is in a dependency (then what says
// which), else the zero Pos.
func (c *cueLoc) place(e cueerrors.Error, path []string) (at, dep diag.Pos, what string) {
	found := false
	for _, p := range cueerrors.Positions(e) {
		if at = c.pos(p); at.IsValid() {
			found = true
			break
		}
	}
	if !found {
		at = c.lookup(path)
	}
	if !at.IsValid() {
		return at, dep, ""
	}
	// CUE's own position, or else its first, when it is in a dependency.
	// pyrobuild's schema is worth a note only when CUE named no place of
	// the user's: its files are not the user's to open.
	p := e.Position()
	if !p.IsValid() {
		for _, q := range cueerrors.Positions(e) {
			if q.IsValid() {
				p = q
				break
			}
		}
	}
	if p.IsValid() && !c.isUser(p.Filename()) && (!found || !within(p.Filename(), c.schemaDir)) {
		dep, what = c.depPos(p)
	}
	return at, dep, what
}

// lookup is where the user wrote path, or its nearest parent: the first of
// the value's conjuncts in a user's file.
func (c *cueLoc) lookup(path []string) diag.Pos {
	if !c.root.Exists() {
		return diag.Pos{}
	}
	for n := len(path); n > 0; n-- {
		v, ok := c.value(path[:n])
		if !ok {
			continue
		}
		if p := c.valuePos(v); p.IsValid() {
			return p
		}
	}
	return diag.Pos{}
}

// valuePos is the first position of v in a user's file: its own, or one
// of the values it unifies.
func (c *cueLoc) valuePos(v cue.Value) diag.Pos {
	if f, ok := v.Source().(*ast.Field); ok && f.Value != nil {
		// A field: where its value starts, as for values CUE places.
		if p := c.pos(f.Value.Pos()); p.IsValid() {
			return p
		}
	}
	if p := c.pos(v.Pos()); p.IsValid() {
		return p
	}
	if op, args := v.Expr(); op == cue.AndOp {
		for _, a := range args {
			if p := c.valuePos(a); p.IsValid() {
				return p
			}
		}
	}
	return diag.Pos{}
}

// value looks path up in the package evaluated.
func (c *cueLoc) value(path []string) (cue.Value, bool) {
	sels := make([]cue.Selector, 0, len(path))
	for _, l := range path {
		switch {
		case strings.HasPrefix(l, "#"):
			sels = append(sels, cue.Def(l))
		case strings.HasPrefix(l, "_"):
			return cue.Value{}, false // hidden: only its package can name it
		case strings.HasPrefix(l, `"`):
			u, err := strconv.Unquote(l)
			if err != nil {
				return cue.Value{}, false
			}
			sels = append(sels, cue.Str(u))
		default:
			if i, err := strconv.Atoi(l); err == nil {
				sels = append(sels, cue.Index(i))
			} else {
				sels = append(sels, cue.Str(l))
			}
		}
	}
	v := c.root.LookupPath(cue.MakePath(sels...))
	return v, v.Exists()
}

// suggestField is the "did you mean" for a field a closed struct does not
// allow: the closest of the fields the struct has or may have.
func (c *cueLoc) suggestField(path []string) string {
	if len(path) < 2 || !c.root.Exists() {
		return ""
	}
	parent, ok := c.value(path[:len(path)-1])
	if !ok {
		return ""
	}
	bad := path[len(path)-1]
	it, err := parent.Fields(cue.Optional(true))
	if err != nil {
		return ""
	}
	var names []string
	for it.Next() {
		// Unquoted panics on other labels (a pattern's, say): asked second.
		if sel := it.Selector(); sel.IsString() && sel.Unquoted() != bad {
			names = append(names, sel.Unquoted())
		}
	}
	return model.DidYouMean(bad, names)
}

// firstHint is the first hint that is not empty.
func firstHint(hints ...string) string {
	for _, h := range hints {
		if h != "" {
			return h
		}
	}
	return ""
}

// atPos matches a position CUE writes into a message: "previous
// declaration at a.cue:4:2".
var atPos = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.*\S)\s+at\s+(\S+):(\d+):(\d+)$`) })

// splitMessage keeps a message on one line, so the code printed after it
// stays on the diagnostic's first line: a further line naming a position
// becomes a note there, any other joins the message.
func (c *cueLoc) splitMessage(msg string) (string, []diag.Note) {
	lines := strings.Split(msg, "\n")
	first := strings.TrimSpace(lines[0])
	var notes []diag.Note
	for _, l := range lines[1:] {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if m := atPos().FindStringSubmatch(l); m != nil {
			line, _ := strconv.Atoi(m[3])
			col, _ := strconv.Atoi(m[4])
			file := m[2]
			if filepath.IsAbs(file) {
				file = c.display(file)
			}
			notes = append(notes, diag.Note{Pos: diag.Pos{File: file, Line: line, Col: col}, Message: m[1]})
			continue
		}
		first += "; " + l
	}
	return first, notes
}

// importPathIn finds the import path in CUE's messages about a package it
// cannot find.
var importPathIn = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:cannot find package|builtin package|package) "([^"]+)"(?: undefined| imported but not defined| not found)?`)
})

// missingImport reports whether msg says an import cannot be found, and
// which.
func missingImport(msg string) (string, bool) {
	if !strings.Contains(msg, "cannot find package") && !strings.Contains(msg, "builtin package") && !strings.Contains(msg, "imported but not defined") {
		return "", false
	}
	m := importPathIn().FindStringSubmatch(msg)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// importAt reads the quoted import path at p in the user's source.
func (c *cueLoc) importAt(p token.Pos) string {
	at := c.pos(p)
	src := c.sources.Get(at.File)
	if src == nil || p.Offset() >= len(src.Data) {
		return ""
	}
	q, err := strconv.QuotedPrefix(string(src.Data[p.Offset():]))
	if err != nil {
		return ""
	}
	path, _ := strconv.Unquote(q)
	return path
}

// missingImport is the message and hint for an import no place holds:
// where pyrobuild looked, and what to run.
func (c *cueLoc) missingImport(path string) (msg, hint string) {
	if !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") {
		return fmt.Sprintf("cannot find package %q: it is not in CUE's standard library", path),
			"a path without a dot in its first element names a standard library package (\"strings\", \"list\", \"encoding/json\", …); modules have a domain first"
	}
	schemaOnly := fmt.Sprintf("pyrobuild's schema (which provides %q only)", schema.ImportPath)
	if c.modRoot == "" {
		return fmt.Sprintf("cannot find package %q: there is no cue.mod/module.cue above the package, so pyrobuild looked only in %s and CUE's standard library", path, schemaOnly),
			"create cue.mod/module.cue at the root of your dashboards repository (module: \"example.com/dashboards\", language: version: \"v0.16.0\"); for the Perses CUE SDK, run `percli dac setup` and then `cue mod tidy` there"
	}
	if mod := modulePath(c.modRoot); mod != "" && (path == mod || strings.HasPrefix(path, mod+"/")) {
		dir := filepath.Join(c.modRoot, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(path, mod), "/")))
		return fmt.Sprintf("cannot find package %q: it is in your module %q, so pyrobuild looked in %s, which holds no CUE package", path, mod, c.display(dir)),
			"check the import path against the folder of the package, relative to the folder holding cue.mod"
	}
	cache := "the CUE module cache ($CUE_CACHE_DIR, by default cue in your user cache folder)"
	if c.modCache != "" {
		cache = "the CUE module cache (" + filepath.Join(c.modCache, "mod", "extract") + ")"
	}
	vendored := c.display(filepath.Join(c.modRoot, "cue.mod", "pkg", filepath.FromSlash(path)))
	msg = fmt.Sprintf("cannot find package %q: looked in %s, %s and %s", path, schemaOnly, vendored, cache)
	hint = "declare the module in cue.mod/module.cue's deps and run `cue mod tidy` to fetch it into the module cache, or vendor it under cue.mod/pkg; for the Perses CUE SDK, run `percli dac setup` and then `cue mod tidy`"
	return msg, hint
}

// moduleLine finds the module path in cue.mod/module.cue.
var moduleLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\s*module:\s*"([^"@]+)(?:@[^"]*)?"`) })

// modulePath is the path of the module rooted at root, or "".
func modulePath(root string) string {
	b, err := os.ReadFile(filepath.Join(root, "cue.mod", "module.cue"))
	if err != nil {
		return ""
	}
	if m := moduleLine().FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

func cueHint(msg string) string {
	switch {
	case strings.Contains(msg, "incomplete value"), strings.Contains(msg, "non-concrete value"):
		return "every field of a resource must have a concrete value; give it one or a default (*value)"
	case strings.Contains(msg, "field not allowed"):
		return "the field is not part of the definition it is unified with; check its spelling"
	case strings.Contains(msg, "cannot find package"), strings.Contains(msg, "import failed"):
		return "pyrobuild provides \"" + schema.ImportPath + "\"; other imports need a cue.mod of your own"
	}
	return ""
}

// cueDedup drops what CUE reports twice: an error whose message only
// wraps another's (a schema constraint that failed on a value already in
// conflict: "invalid left-hand value to '=~' (type _|_): <the conflict>"),
// and a required field reported missing beside the misspelt field that
// was meant for it. Exact duplicates go when diagnostics are sorted.
func cueDedup(diags diag.Diagnostics) diag.Diagnostics {
	meant := map[string]bool{} // paths of fields a "did you mean" names
	for _, d := range diags {
		path, ok := strings.CutSuffix(d.Message, ": field not allowed")
		q, hok := strings.CutPrefix(d.Hint, "did you mean ")
		if !ok || !hok {
			continue
		}
		if name, err := strconv.Unquote(strings.TrimSuffix(q, "?")); err == nil {
			parent, _, _ := cutLast(path, ".")
			meant[parent+"."+name] = true
		}
	}
	out := diags[:0:0]
	for i, d := range diags {
		if path, ok := strings.CutSuffix(d.Message, ": field is required but not present"); ok && meant[path] {
			continue
		}
		wraps := false
		for j, o := range diags {
			if i != j && d.Code == model.CodeCUE && len(d.Message) > len(o.Message) && strings.HasSuffix(d.Message, ": "+o.Message) {
				wraps = true
				break
			}
		}
		if !wraps {
			out = append(out, d)
		}
	}
	return out
}

// cutLast slices s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
