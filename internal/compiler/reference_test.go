package compiler_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/site"
)

var updateReference = flag.Bool("update-reference", false, "rewrite docs/diagnostics.md")

const referencePath = "../../docs/diagnostics.md"

// TestDiagnosticsReference keeps docs/diagnostics.md in step with the code
// (go test ./internal/compiler -run Reference -update-reference). Every code's entry
// says what it means (its Summary), shows it on a broken source of the
// corpus with the diagnostic pyrobuild prints for it, and says how to fix
// it (its Fix), with the corrected source kept beside the broken one. A
// code no small source can produce explains why instead (its NoExample).
func TestDiagnosticsReference(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("# Diagnostics reference\n\n")
	b.WriteString("Every problem pyrobuild reports has a stable code. Each entry says what the code means, shows it on a\n")
	b.WriteString("real broken source from `internal/compiler/testdata/broken/` (or the Go and docs-site corpora) with what pyrobuild prints for it,\n")
	b.WriteString("and says how to fix it; where the corpus keeps the source corrected (`<case>.fixed`, beside the case), the fix is shown as a diff.\n")
	b.WriteString("The test suite compiles every broken source and every fixed one.\n")
	b.WriteString("Errors stop the build (exit 1); warnings do not, unless `--strict`; notes are information.\n\n")
	b.WriteString("This file is generated: `go test ./internal/compiler -run Reference -update-reference`.\n\n")
	// Every code registered, by the compiler and by the docs site.
	for _, info := range diag.Codes.All() {
		// The heading is the bare code so its anchor (#pb1203) is the same
		// on GitHub and on the docs site.
		fmt.Fprintf(&b, "## %s\n\n**%s.** %s\n\n", info.Code, upperFirst(info.Title), info.Summary)
		ex := exampleFor(t, info.Code)
		if ex == nil {
			ex = siteExampleFor(t, info.Code)
		}
		switch {
		case ex != nil && info.NoExample != "":
			t.Errorf("%s: %s shows it, so its NoExample is out of date: remove it", info.Code, ex.source)
		case ex != nil:
			writeExample(&b, ex)
		case info.NoExample != "":
			fmt.Fprintf(&b, "*No example:* %s\n\n", info.NoExample)
		default:
			t.Errorf("%s has no example: add a broken source for it to internal/compiler/testdata/broken, or say in its NoExample (internal/compiler/model/codes.go) why no small source shows it", info.Code)
		}
		if strings.TrimSpace(info.Fix) == "" {
			t.Errorf("%s has no fix: say how to correct it in its Fix (compiler/model/codes.go)", info.Code)
		}
		fmt.Fprintf(&b, "**Fix.** %s\n\n", info.Fix)
		switch {
		case ex != nil && len(ex.fixed) > 0:
			writeFixDiff(&b, ex)
		case ex != nil && ex.fixable:
			t.Errorf("%s: %s has no corrected version: add %s beside it (it must compile without errors or warnings)", info.Code, ex.source, ex.fixedName)
		}
	}
	if *updateReference {
		if err := os.WriteFile(referencePath, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(referencePath)
	if err != nil || !bytes.Equal(got, b.Bytes()) {
		t.Errorf("%s is out of date: run go test ./internal/compiler -run Reference -update-reference", referencePath)
	}
}

// example is a code shown on a broken source of a corpus.
type example struct {
	source   string       // the case, as the reader finds it in the repository
	folder   bool         // the case is a folder of files
	files    []sourceFile // its files
	rendered string       // the diagnostic as the terminal shows it
	// fixed are the corrected files (fixedName, beside the case), when the
	// corpus has them; fixable says the case should have them: an error or
	// warning of the compiler's corpus (notes need not be "fixed", and the
	// Go and docs-site corpora keep no corrected versions).
	fixed     []sourceFile
	fixedName string
	fixable   bool
}

// sourceFile is one file of a case: its name as the reference shows it
// (the case's file, or its folder's name and the file's) and its text.
type sourceFile struct {
	name string
	text string
}

// exampleFor renders the first diagnostic with code in the corpus, as the
// terminal shows it, with paths relative to the corpus.
func exampleFor(t *testing.T, code diag.Code) *example {
	for _, c := range slices.Concat(brokenCases, goBrokenCases) {
		if c.knownIssue != "" {
			continue
		}
		for _, w := range c.want {
			if w.code != code {
				continue
			}
			res, err := compileCase(c)
			if err != nil {
				t.Fatal(err)
			}
			r := &compiler.TextRenderer{Sources: res.Sources}
			for _, d := range res.Diagnostics {
				if d.Code != code {
					continue
				}
				var out bytes.Buffer
				r.Render(&out, d)
				// Paths relative to the case's folder for Go programs
				// (testdata/go/broken/<case>/), to the corpus otherwise.
				prefix := filepath.ToSlash(brokenDir) + "/"
				goCase := strings.HasPrefix(c.file, "../")
				if goCase {
					prefix = path.Join(filepath.ToSlash(brokenDir), c.file) + "/"
				}
				ex := &example{
					source:    path.Join("internal/compiler", filepath.ToSlash(brokenDir), c.file),
					folder:    isDir(filepath.Join(brokenDir, c.file)),
					files:     readCase(t, c.file, goCase),
					rendered:  strings.ReplaceAll(out.String(), prefix, ""),
					fixedName: path.Base(c.fixedFile()),
					fixable:   !goCase && d.Severity >= diag.Warning,
				}
				if _, err := os.Stat(filepath.Join(brokenDir, c.fixedFile())); err == nil {
					ex.fixed = readCase(t, c.fixedFile(), false)
				}
				return ex
			}
		}
	}
	return nil
}

// readCase reads the files of a case (relative to brokenDir), named as the
// reference shows them: a file case by its name, a folder's files by the
// folder's name and theirs; a Go program's by their own (its diagnostics
// are relative to its folder).
func readCase(t *testing.T, file string, goCase bool) []sourceFile {
	p := filepath.Join(brokenDir, filepath.FromSlash(file))
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if !info.IsDir() {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return []sourceFile{{path.Base(file), string(data)}}
	}
	var files []sourceFile
	err = filepath.WalkDir(p, func(q string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(q)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(p, q)
		name := path.Join(path.Base(file), filepath.ToSlash(rel))
		if goCase {
			name = filepath.ToSlash(rel)
		}
		files = append(files, sourceFile{name, string(data)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// writeExample writes the broken source and the diagnostic.
func writeExample(b *bytes.Buffer, ex *example) {
	fmt.Fprintf(b, "Broken source, from `%s`:\n\n", ex.source)
	for _, f := range ex.files {
		if ex.folder {
			fmt.Fprintf(b, "`%s`:\n\n", f.name)
		}
		writeFenced(b, fenceLang(f.name), f.text)
	}
	b.WriteString("pyrobuild reports:\n\n")
	writeFenced(b, "text", ex.rendered)
}

// writeFixDiff writes the corrected source as a unified diff of the
// broken one; a folder's, file by file.
func writeFixDiff(b *bytes.Buffer, ex *example) {
	var d strings.Builder
	if !ex.folder {
		d.WriteString(unifiedDiff(ex.files[0].name, ex.fixed[0].name, ex.files[0].text, ex.fixed[0].text, 2))
		writeFenced(b, "diff", d.String())
		return
	}
	folder := path.Base(ex.source)
	before, after := map[string]string{}, map[string]string{}
	var rels []string
	for _, f := range ex.files {
		rel := strings.TrimPrefix(f.name, folder+"/")
		before[rel] = f.text
		rels = append(rels, rel)
	}
	for _, f := range ex.fixed {
		rel := strings.TrimPrefix(f.name, ex.fixedName+"/")
		after[rel] = f.text
		if _, ok := before[rel]; !ok {
			rels = append(rels, rel)
		}
	}
	sort.Strings(rels)
	for _, rel := range rels {
		oldName, newName := folder+"/"+rel, ex.fixedName+"/"+rel
		old, hadOld := before[rel]
		fixed, hasNew := after[rel]
		if !hadOld {
			oldName = "/dev/null"
		}
		if !hasNew {
			newName = "/dev/null"
		}
		d.WriteString(unifiedDiff(oldName, newName, old, fixed, 2))
	}
	writeFenced(b, "diff", d.String())
}

// writeFenced writes text as a fenced code block, with a fence longer than
// any run of backticks in it (a markdown page holds fences of its own).
func writeFenced(b *bytes.Buffer, lang, text string) {
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	fmt.Fprintf(b, "%s%s\n%s%s\n\n", fence, lang, text, fence)
}

func fenceLang(name string) string {
	switch path.Ext(name) {
	case ".yaml", ".yml":
		return "yaml"
	case ".json":
		return "json"
	case ".cue":
		return "cue"
	case ".go":
		return "go"
	case ".md":
		return "markdown"
	}
	return "text"
}

// unifiedDiff is the unified diff of two texts, with context lines around
// each change; "" when they are equal.
func unifiedDiff(oldName, newName, a, b string, context int) string {
	x, y := splitLines(a), splitLines(b)
	// Longest common subsequence of lines, by dynamic programming: the
	// corpus's files are a few dozen lines.
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		kind byte // ' ', '-' or '+'
		line string
		i, j int // line numbers (0-based) in a and b before the op
	}
	var ops []op
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			ops = append(ops, op{' ', x[i], i, j})
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			// Deletions before insertions, as diff(1) writes them.
			ops = append(ops, op{'-', x[i], i, j})
			i++
		default:
			ops = append(ops, op{'+', y[j], i, j})
			j++
		}
	}
	var out strings.Builder
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		// A hunk: from context lines before this change to context lines
		// after the last change less than 2*context lines further on.
		start := max(0, k-context)
		end := k
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*context {
				end = min(end+context, len(ops))
				break
			}
			end = run
		}
		if out.Len() == 0 {
			fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
		}
		var oldN, newN int
		for _, o := range ops[start:end] {
			if o.kind != '+' {
				oldN++
			}
			if o.kind != '-' {
				newN++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(ops[start].i, oldN), hunkRange(ops[start].j, newN))
		for _, o := range ops[start:end] {
			fmt.Fprintf(&out, "%c%s\n", o.kind, o.line)
		}
		k = end
	}
	return out.String()
}

// hunkRange is a hunk's line range as unified diffs write it: 1-based
// start and count, the count left out when it is 1.
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprint(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

var (
	siteOnce   sync.Once
	brokenSite *site.Site
)

// siteExampleFor renders the first diagnostic with code of the docs site's
// broken test site (internal/site/testdata/broken), as pyrobuild build prints it,
// with the page it is about.
func siteExampleFor(t *testing.T, code diag.Code) *example {
	const root = "../site/testdata/broken/"
	siteOnce.Do(func() {
		b, err := site.NewBuilder(site.Config{Root: "../site/testdata/broken", Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		if brokenSite, err = b.Build(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	r := &compiler.TextRenderer{Sources: brokenSite.Sources}
	for _, d := range brokenSite.Diagnostics {
		if d.Code != code {
			continue
		}
		var out bytes.Buffer
		r.Render(&out, d)
		file := strings.TrimPrefix(d.Pos.File, root)
		data, err := os.ReadFile(d.Pos.File)
		if err != nil {
			t.Fatal(err)
		}
		return &example{
			source:   "internal/site/testdata/broken/" + file,
			files:    []sourceFile{{file, string(data)}},
			rendered: strings.ReplaceAll(out.String(), root, ""),
		}
	}
	return nil
}

// TestUnifiedDiff pins the diff the reference shows fixes with.
func TestUnifiedDiff(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"
	b := "1\n2\n3\nfour\n5\n6\n7\n8\n9\n10\neleven\n"
	want := "--- a\n+++ b\n@@ -2,5 +2,5 @@\n 2\n 3\n-4\n+four\n 5\n 6\n@@ -9,2 +9,3 @@\n 9\n 10\n+eleven\n"
	if got := unifiedDiff("a", "b", a, b, 2); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := unifiedDiff("a", "b", a, a, 2); got != "" {
		t.Errorf("equal texts: %q", got)
	}
	if got, want := unifiedDiff("/dev/null", "n", "", "x\ny\n", 2), "--- /dev/null\n+++ n\n@@ -0,0 +1,2 @@\n+x\n+y\n"; got != want {
		t.Errorf("new file: got\n%s\nwant\n%s", got, want)
	}
}
