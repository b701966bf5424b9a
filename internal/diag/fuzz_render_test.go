package diag

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzDiagnosticsRender: any diagnostic (any message, hint, path, code,
// position, end, severity, about any source text) renders as text, JSON
// and GitHub annotations without panicking; the JSON is always one valid
// array with an entry per diagnostic, and each diagnostic and each of its
// notes is exactly one GitHub workflow command line.
func FuzzDiagnosticsRender(f *testing.F) {
	f.Add("invalid query: unexpected identifier", "write service_name=\"api\"", "spec.panels.api", "PB1203", 19, 41, 19, 44, 2,
		[]byte("kind: Dashboard\nspec:\n  query: '{service_name=api}'\n"), "a.yaml", false)
	f.Add("unknown field \"pasword\"", "did you mean \"password\"?", "spec.basicAuth.pasword", "PB1002", 6, 5, 6, 12, 2,
		[]byte("kind: Secret\nspec:\n  basicAuth:\n    username: a\n\n    pasword: S3CRET\n"), "s.yaml", true)
	f.Add("line\nbreak % and ::error::", "hint\r\nwith CR", "", "", 1, 1, 0, 0, 1, []byte("\t\tx: \"y\"\n"), "dir/with,comma:colon.yaml", false)
	f.Add("", "", "", "", 0, 0, 0, 0, 0, []byte(nil), "", false)
	f.Add("\xff\xfe invalid", "\xc3", "a.\xff", "PB\x00", 1, 3, 1, 2, 7, []byte("é\xff\xfe\n"), "\xff.yaml", true)
	f.Add("caret past the end", "", "", "PB0001", 2, 500, 2, 900, -1, []byte("a\nbc\n"), "x.json", false)
	f.Add("go secret", "", "", "PB1209", 1, 40, 1, 41, 1,
		[]byte(`dac.Header("Authorization", "Bearer t0ken"), dac.BasicAuth("u", "p")`), "main.go", false)
	f.Fuzz(func(t *testing.T, msg, hint, path, code string, line, col, endLine, endCol, sev int, src []byte, file string, color bool) {
		files := func(f string) ([]byte, bool) { return src, f == file }
		ds := Diagnostics{
			{Severity: sevOf(sev), Code: Code(code), Pos: Pos{File: file, Line: line, Col: col},
				End: Pos{File: file, Line: endLine, Col: endCol}, Message: msg, Hint: hint, Path: path},
			// The same, with the end filled in as Compile does.
			{Severity: sevOf(sev), Code: Code(code), Pos: Pos{File: file, Line: line, Col: col}, Message: msg, Hint: hint, Path: path},
			// About a file whose text is unknown.
			{Severity: Error, Code: Code(code), Pos: Pos{File: file + "x", Line: line, Col: col}, Message: msg},
			// With notes: one at the fuzzed position, one at the
			// fuzzed end, one in a file whose text is unknown.
			{Severity: sevOf(sev), Code: Code(code), Pos: Pos{File: file, Line: 1, Col: 1}, Message: msg, Path: path, Notes: []Note{
				{Pos: Pos{File: file, Line: line, Col: col}, End: Pos{File: file, Line: endLine, Col: endCol}, Message: hint},
				{Pos: Pos{File: file, Line: endLine, Col: endCol}, Message: msg},
				{Pos: Pos{File: file + "x", Line: line, Col: col}, Message: msg},
			}},
		}
		SetEnds(ds[1:2], files)

		var text bytes.Buffer
		r := &TextRenderer{Files: files, Color: color}
		for _, d := range ds {
			r.Render(&text, d)
			_ = d.String()
		}
		ds.Sort()
		_ = ds.Summary()

		var js bytes.Buffer
		if err := RenderJSON(&js, ds); err != nil {
			t.Fatal(err)
		}
		var decoded []map[string]any
		if err := json.Unmarshal(js.Bytes(), &decoded); err != nil {
			t.Fatalf("invalid JSON: %v\n%s", err, js.Bytes())
		}
		if len(decoded) != len(ds) {
			t.Fatalf("JSON has %d entries for %d diagnostics", len(decoded), len(ds))
		}

		var gh bytes.Buffer
		RenderGitHub(&gh, ds)
		lines := strings.Split(strings.TrimSuffix(gh.String(), "\n"), "\n")
		want := len(ds)
		for _, d := range ds {
			want += len(d.Notes)
		}
		if len(lines) != want {
			t.Fatalf("%d GitHub lines for %d diagnostics and notes:\n%s", len(lines), want, gh.String())
		}
		for _, l := range lines {
			if !strings.HasPrefix(l, "::error") && !strings.HasPrefix(l, "::warning") && !strings.HasPrefix(l, "::notice") {
				t.Fatalf("not a workflow command: %q", l)
			}
		}
	})
}

// sevOf maps any int to one of the three severities.
func sevOf(n int) Severity { return Severity(((n % 3) + 3) % 3) }
