package markdown

import (
	"testing"

	"github.com/alecthomas/chroma/v2"
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

// BenchmarkLex compares chroma's lexers with the native ones on blocks
// like the docs': the generated pages' YAML and Go, a CUE dashboard and a
// JSON panel. It tokenises and reads the tokens as highlight does,
// without the HTML.
func BenchmarkLex(b *testing.B) {
	blocks := map[string]string{"json": benchJSON, "cue": benchgen.CUE(benchgen.Describe(1))}
	for _, blk := range fencedBlocks("page", benchgen.Page(1, 10)) {
		blocks[map[string]string{"Go": "go", "YAML": "yaml"}[blk.lang]] = blk.code
	}
	for _, lang := range []string{"go", "yaml", "cue", "json"} {
		code := blocks[lang]
		native := nativeLexers()[nativeLang(lang)]
		for _, impl := range []struct {
			name  string
			lexer chroma.Lexer
		}{{"chroma", native.Lexer}, {"native", native}} {
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
