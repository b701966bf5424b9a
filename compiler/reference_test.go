package compiler_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pyrobuild/pyrobuild/compiler"
	"github.com/pyrobuild/pyrobuild/site"
)

var updateReference = flag.Bool("update-reference", false, "rewrite docs/diagnostics.md")

const referencePath = "../docs/diagnostics.md"

// noCorpusExample lists codes whose cause is outside any source file, so
// the broken-source corpus cannot show them.
var noCorpusExample = map[compiler.Code]string{
	compiler.CodeGoToolchain:     "pyrobuild compile dashboards (without Go installed)\ndashboards/main.go:1:1: error: Go sources need the go command, which is not on PATH [PB0012]\n  hint: install Go 1.26 or newer from https://go.dev/dl/",
	compiler.CodeGoTimeout:       "pyrobuild compile dashboards\ndashboards/main.go:10:1: error: program did not finish within 30s [PB0011]\n  hint: a dashboards program only builds and prints resources; raise the limit with --go-timeout if it must take longer",
	compiler.CodeRead:            "pyrobuild compile missing-folder\nerror: cannot read: no such file or directory [PB0001]",
	compiler.CodeNoSources:       "pyrobuild compile empty-folder\nerror: no .cue, .yaml, .yml, .json or Go sources found in empty-folder [PB0008]\n  hint: pass the folder holding your dashboards, e.g. pyrobuild compile ./dashboards",
	compiler.CodeInputLimit:      "a YAML alias bomb, a file over 32 MiB, or nesting deeper than 200 levels\nlol.yaml:9:7: error: document expands to more than 250000 values (alias bomb?) [PB0007]",
	compiler.CodeLiveUnreachable: "pyrobuild check --live\ndatasources.yaml:8:12: warning: datasource PyroscopeMain (http://pyroscope.example.com:4040) could not be checked: … no such host [PB1301]",
	compiler.CodeContentRead:     "pyrobuild build\ncontent/guide/logo.svg: warning: symbolic link to outside the content folder skipped [PB2001]\n  hint: copy the file into content/ instead",
	compiler.CodeTemplate:        "pyrobuild build\ntemplates/layouts/page.html:12: error: template page.html: function \"assett\" not defined [PB2006]",
	compiler.CodeLiveNoData:      "pyrobuild check --live\nd.yaml:20:169: warning: service \"burnr\" has no profiles in datasource pyro over the last 24h0m0s [PB1302]\n  hint: did you mean \"burner\"?",
	compiler.CodeCRDSkipped:      "pyrobuild compile --crd examples\nexamples/profiling/datasources.yaml:40:9: note: Secret/profiling/pyroscope_secret_config is not written: the Perses operator has no custom resource for Secrets [PB1401]\n  hint: create it on the Perses server (percli apply -f with pyrobuild's output without --crd), or give the datasource's custom resource a spec.client, from which the operator makes a secret of its own",
	compiler.CodeCRDName:         "pyrobuild compile --crd dashboards\ndashboards/memory.yaml:5:9: error: Dashboard name \"memory_v2\" cannot be a Kubernetes name (the operator names the Perses resource after it) [PB1402]\n  hint: a Kubernetes name has at most 253 lower-case letters, digits and '-' or '.', starting and ending with a letter or digit: rename it, e.g. \"memory-v2\"",
}

// TestDiagnosticsReference keeps docs/diagnostics.md, the reference of
// every code with an example taken from the broken-source corpus, in step
// with the code (go test ./compiler -run Reference -update-reference).
func TestDiagnosticsReference(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("# Diagnostics reference\n\n")
	b.WriteString("Every problem pyrobuild reports has a stable code. Each entry says what the code means and shows\n")
	b.WriteString("it on a real broken source from `compiler/testdata/broken/` or `site/testdata/broken/` (the test suite builds each one).\n")
	b.WriteString("Errors stop the build (exit 1); warnings do not, unless `--strict`; notes are information.\n\n")
	b.WriteString("This file is generated: `go test ./compiler -run Reference -update-reference`.\n\n")
	for _, info := range compiler.Codes {
		// The heading is the bare code so its anchor (#pb1203) is the same
		// on GitHub and on the docs site.
		fmt.Fprintf(&b, "## %s\n\n**%s.** %s\n\n", info.Code, upperFirst(info.Title), info.Summary)
		example, source := exampleFor(t, info.Code)
		if example == "" {
			example, source = siteExampleFor(t, info.Code)
		}
		switch {
		case example != "":
			fmt.Fprintf(&b, "From `%s`:\n\n```text\n%s```\n\n", source, example)
		case noCorpusExample[info.Code] != "":
			fmt.Fprintf(&b, "```text\n%s\n```\n\n", noCorpusExample[info.Code])
		default:
			t.Errorf("%s has no example: add a broken source for it to the corpus", info.Code)
		}
	}
	if *updateReference {
		if err := os.WriteFile(referencePath, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(referencePath)
	if err != nil || !bytes.Equal(got, b.Bytes()) {
		t.Errorf("%s is out of date: run go test ./compiler -run Reference -update-reference", referencePath)
	}
}

// exampleFor renders the first diagnostic with code in the corpus, as the
// terminal shows it, with paths relative to the corpus.
func exampleFor(t *testing.T, code compiler.Code) (string, string) {
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
				if d.Code == code {
					var out bytes.Buffer
					r.Render(&out, d)
					// Paths relative to the case's folder for Go programs
					// (testdata/go/broken/<case>/), to the corpus otherwise.
					prefix := filepath.ToSlash(brokenDir) + "/"
					if strings.HasPrefix(c.file, "../") {
						prefix = path.Join(filepath.ToSlash(brokenDir), c.file) + "/"
					}
					return strings.ReplaceAll(out.String(), prefix, ""), path.Join("compiler", filepath.ToSlash(brokenDir), c.file)
				}
			}
		}
	}
	return "", ""
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
// broken test site (site/testdata/broken), as pyrobuild build prints it.
func siteExampleFor(t *testing.T, code compiler.Code) (string, string) {
	siteOnce.Do(func() {
		b, err := site.NewBuilder(site.Config{Root: "../site/testdata/broken", Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		if brokenSite, err = b.Build(); err != nil {
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
		file := strings.TrimPrefix(d.Pos.File, "../site/testdata/broken/")
		return strings.ReplaceAll(out.String(), "../site/testdata/broken/", ""), "site/testdata/broken/" + file
	}
	return "", ""
}
