package compiler

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// headerCases are headers of every form: those read from the tokens and
// those left to the parser.
var headerCases = map[string]bool{ // source → read from the tokens
	"package a\n\nimport pb \"github.com/pyrobuild/pyrobuild/schema\"\n\nx: 1\n":                                true,
	"package a\nimport (\n\t\"strings\"\n\tpb \"github.com/perses/perses/cue/schemas/dashboard@v0\"\n)\nx: 1\n": true,
	"// comment\npackage a // line\n\n/* no */\nimport \"list\", import \"math\"\n":                             true,
	"import \"strings\"\nx: strings.ToUpper(\"a\")\n":                                                           true,
	"package a\nimport ()\n":               true,
	"x: 1\n":                               true,
	"":                                     true,
	"package a":                            true,
	"@if(prod)\npackage a\n":               false,
	"package a\n@extern(embed)\n":          false,
	"package _\n":                          false,
	"package #a\n":                         false,
	"import #pb \"strings\"\n":             false,
	"import \"a.com/x:pkg\"\n":             false,
	"import \"a b\"\n":                     false,
	"import #\"strings\"#\n":               false,
	"import (\"a\" \"b\")\n":               false,
	"package a import \"b\"\n":             false,
	"package a\nimport \"strings\"\n\x00":  false,
	"package a\nimport (\n\t\"strings\"\n": false,
}

// TestFileHeader: a header read from the tokens is what the parser reads,
// and the plain forms are read from the tokens.
func TestFileHeader(t *testing.T) {
	for src, plain := range headerCases {
		pkg, imports, sure := plainHeader("a.cue", []byte(src))
		if sure != plain {
			t.Errorf("%q: read from the tokens %v, want %v", src, sure, plain)
		}
		if sure {
			checkHeader(t, src, pkg, imports)
		}
	}
	// The projects pyrobuild ships and tests with.
	seen := 0
	for _, root := range []string{"../../examples", "testdata", "../../content"} {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".cue") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if pkg, imports, sure := plainHeader(p, data); sure {
				seen++
				checkHeader(t, string(data), pkg, imports)
			}
			return nil
		})
	}
	if seen < 10 {
		t.Errorf("only %d files read from the tokens", seen)
	}
}

func checkHeader(t *testing.T, src, pkg string, imports []string) {
	t.Helper()
	wpkg, wimports, ok := parsedHeader("a.cue", []byte(src))
	if !ok || pkg != wpkg || !slices.Equal(imports, wimports) {
		t.Errorf("%q: tokens read %q %q, the parser %q %q (ok %v)", src, pkg, imports, wpkg, wimports, ok)
	}
}

// FuzzFileHeader: whatever the tokens read, the parser reads the same.
func FuzzFileHeader(f *testing.F) {
	for src := range headerCases {
		f.Add([]byte(src))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if pkg, imports, sure := plainHeader("a.cue", data); sure {
			checkHeader(t, string(data), pkg, imports)
		}
	})
}
