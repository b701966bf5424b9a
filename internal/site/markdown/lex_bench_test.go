package markdown

import (
	"testing"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/pyrobuild/pyrobuild/internal/benchgen"
)

// benchJSON is a Perses panel as the JSON output shows it.
const benchJSON = `{
  "kind": "Panel",
  "spec": {
    "display": {"name": "CPU of api", "description": "CPU time in production"},
    "plugin": {"kind": "FlameChart", "spec": {"palette": "package", "showSettings": true}},
    "queries": [
      {
        "kind": "ProfileQuery",
        "spec": {
          "plugin": {
            "kind": "PyroscopeProfileQuery",
            "spec": {
              "datasource": {"kind": "PyroscopeDatasource", "name": "pyroscope"},
              "profileType": "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
              "service": "api",
              "filters": [{"label": "env", "operator": "=", "value": "production"}],
              "maxNodes": 16384,
              "ratio": 0.25,
              "merge": null
            }
          }
        }
      }
    ]
  }
}
`

const benchConsole = `$ pyrobuild build -o public
built 42 pages in 180ms
$ pyrobuild check dashboards/ # the same checks, no output
$ export PYROSCOPE_URL="http://localhost:4040" && pyrobuild live --since 1h dashboards/*.cue
checked 3 dashboards against http://localhost:4040: 0 problems
`

const benchShell = `#!/bin/sh
set -eu
# Build the site and check its links.
out=${1:-public}
for f in content/*.md; do
  if [ -s "$f" ]; then echo "page: $f"; fi
done
pyrobuild build -o "$out" && echo 'done' >&2
n=$(ls "$out" | wc -l)
echo "$((n + 1)) files in $out"
`

// chromaLexer lets chroma's Coalesce drive a native lexer, for the
// benchmark's comparison.
type chromaLexer struct{ l *nativeLexer }

func (c chromaLexer) Config() *chroma.Config { return &chroma.Config{Name: c.l.name} }
func (c chromaLexer) Tokenise(_ *chroma.TokeniseOptions, src string) (chroma.Iterator, error) {
	return chroma.Literator(c.l.tokenise(src)...), nil
}
func (c chromaLexer) SetRegistry(*chroma.LexerRegistry) chroma.Lexer { return c }
func (c chromaLexer) SetAnalyser(func(string) float32) chroma.Lexer  { return c }
func (c chromaLexer) AnalyseText(string) float32                     { return 0 }

// BenchmarkLex compares chroma's lexers with the native ones on blocks
// like the docs': the generated pages' YAML and Go, a CUE dashboard and a
// JSON panel. It tokenises and reads the tokens as highlight does,
// without the HTML.
func BenchmarkLex(b *testing.B) {
	blocks := map[string]string{"json": benchJSON, "cue": benchgen.CUE(benchgen.Describe(1))}
	for _, blk := range fencedBlocks("page", benchgen.Page(1, 10)) {
		blocks[map[string]string{"Go": "go", "YAML": "yaml"}[blk.lang]] = blk.code
	}
	blocks["console"] = benchConsole
	blocks["sh"] = benchShell
	for _, lang := range []string{"go", "yaml", "cue", "json", "console", "sh"} {
		code := blocks[lang]
		for _, impl := range []struct {
			name  string
			lexer chroma.Lexer
		}{{"chroma", lexers.Get(lang)}, {"native", chromaLexer{lexerFor(lang)}}} {
			b.Run(lang+"/"+impl.name, func(b *testing.B) {
				b.SetBytes(int64(len(code)))
				lexer := chroma.Coalesce(impl.lexer)
				for b.Loop() {
					it, err := lexer.Tokenise(nil, code)
					if err != nil {
						b.Fatal(err)
					}
					for t := it(); t != chroma.EOF; t = it() {
					}
				}
			})
		}
	}
}
