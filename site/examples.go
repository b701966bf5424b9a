package site

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pyrobuild/pyrobuild/compiler"
	"github.com/pyrobuild/pyrobuild/site/markdown"
)

// Every fenced block marked `example` is compiled during the build, alone,
// as the file a reader would copy. It must compile without problems, or,
// with expect=PBxxxx, fail with exactly that code. Problems are reported
// at the markdown line they come from.

// exampleRun is the outcome of compiling one example's code.
type exampleRun struct {
	diags compiler.Diagnostics // positions relative to the example: File "", Line within the code
	err   error
}

var exampleExt = map[string]string{"yaml": ".yaml", "yml": ".yaml", "json": ".json", "cue": ".cue"}

func (b *Builder) checkExamples(pages []*Page) compiler.Diagnostics {
	type item struct {
		p  *Page
		ex markdown.Example
	}
	var items []item
	for _, p := range pages {
		for _, ex := range p.Doc.Examples {
			items = append(items, item{p, ex})
		}
	}
	runs := make([]exampleRun, len(items))
	parallel(len(items), b.cfg.Workers, func(i int) {
		runs[i] = b.runExample(items[i].ex)
	})
	var diags compiler.Diagnostics
	for i, it := range items {
		diags = append(diags, b.exampleDiags(it.p, it.ex, runs[i])...)
	}
	return diags
}

// runExample compiles an example's code in a temporary folder, reusing the
// result of a previous build for the same code.
func (b *Builder) runExample(ex markdown.Example) exampleRun {
	ext, ok := exampleExt[strings.ToLower(ex.Lang)]
	if !ok {
		return exampleRun{err: fmt.Errorf("examples in %q cannot be compiled: use yaml, json or cue", ex.Lang)}
	}
	sum := sha256.Sum256(append([]byte(ext+"\x00"), ex.Code...))
	key := string(sum[:])
	b.mu.Lock()
	r, ok := b.examples[key]
	b.mu.Unlock()
	if ok {
		return r
	}
	r = compileExample(ext, ex.Code)
	b.mu.Lock()
	b.examples[key] = r
	b.mu.Unlock()
	return r
}

func compileExample(ext string, code []byte) exampleRun {
	dir, err := os.MkdirTemp("", "pyrobuild-example-")
	if err != nil {
		return exampleRun{err: err}
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "example"+ext)
	if err := os.WriteFile(file, code, 0o644); err != nil {
		return exampleRun{err: err}
	}
	res, err := compiler.Compile(compiler.Options{Paths: []string{dir}, Workers: 1})
	if err != nil {
		return exampleRun{err: err}
	}
	var out compiler.Diagnostics
	for _, d := range res.Diagnostics {
		if d.Severity == compiler.Note {
			continue
		}
		if d.Pos.File == file {
			d.Pos.File = ""
		}
		if d.End.File == file {
			d.End.File = ""
		}
		out = append(out, d)
	}
	return exampleRun{diags: out}
}

// exampleDiags maps an example's outcome to diagnostics at its markdown
// lines.
func (b *Builder) exampleDiags(p *Page, ex markdown.Example, r exampleRun) compiler.Diagnostics {
	// Problems of the example as a whole point at its opening fence.
	at := compiler.Pos{File: p.File, Line: max(ex.Line-1, 1), Col: 1}
	if r.err != nil {
		return compiler.Diagnostics{{Severity: compiler.Error, Code: CodeExample, Pos: at, Message: r.err.Error()}}
	}
	expect := ex.Attrs["expect"]
	lines := strings.Split(string(p.src), "\n")
	codeLines := strings.Split(string(ex.Code), "\n")
	place := func(pos compiler.Pos) compiler.Pos {
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
		return compiler.Pos{File: p.File, Line: line, Col: col}
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
		return compiler.Diagnostics{{Severity: compiler.Error, Code: CodeExample, Pos: at, Message: msg,
			Hint: "fix the example or its expect= attribute"}}
	}
	var out compiler.Diagnostics
	for _, d := range r.diags {
		d.Pos = place(d.Pos)
		d.End = compiler.Pos{}
		d.Severity = compiler.Error // a documented example must be clean
		d.Message = "example: " + d.Message
		out = append(out, d)
	}
	return out
}
