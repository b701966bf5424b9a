package compiler_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// minifiedDashboard is a dashboard on one line, as Perses exports are
// often kept, made about size bytes long by the panels' descriptions;
// extra is spliced into the plugin spec of the panels named in it.
func minifiedDashboard(size int, extra map[string]string) string {
	var panels, items []string
	for i := range 3 {
		name := fmt.Sprintf("p%d", i)
		panels = append(panels, fmt.Sprintf(`"%s":{"kind":"Panel","spec":{"display":{"name":"%s","description":"%s"},`+
			`"plugin":{"kind":"FlameChart","spec":{"showTable":true%s}},"queries":[{"kind":"ProfileQuery","spec":{"plugin":`+
			`{"kind":"PyroscopeProfileQuery","spec":{"profileType":"process_cpu:cpu:nanoseconds:cpu:nanoseconds","service":"api"}}}}]}}`,
			name, name, strings.Repeat("lorem ipsum ", size/3/12), extra[name]))
		items = append(items, fmt.Sprintf(`{"x":%d,"y":0,"width":8,"height":8,"content":{"$ref":"#/spec/panels/%s"}}`, 8*i, name))
	}
	return `{"kind":"Dashboard","metadata":{"name":"big","project":"p"},"spec":{"display":{"name":"Big"},"panels":{` +
		strings.Join(panels, ",") + `},"layouts":[{"kind":"Grid","spec":{"items":[` + strings.Join(items, ",") + `]}}],"duration":"1h"}}`
}

// TestMinifiedSourceOutputBounded: errors about a minified 200 KB JSON
// file print a window of its one line each, not the line: under 2 KB for
// one error, under 4 KB for three.
func TestMinifiedSourceOutputBounded(t *testing.T) {
	cases := []struct {
		name   string
		extra  map[string]string
		errors int
	}{
		{"one error", map[string]string{"p1": `,"showFlamegraph":true`}, 1},
		{"three errors", map[string]string{"p0": `,"showFlamegraph":true`, "p1": `,"palette":"rainbow"`, "p2": `,"maxNode":3`}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			src := minifiedDashboard(200_000, c.extra)
			for name, text := range map[string]string{"big.json": src, "p.json": `{"kind":"Project","metadata":{"name":"p"},"spec":{}}`} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}, ServerDatasources: []string{"default"}})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			r := &compiler.TextRenderer{Sources: res.Sources}
			for _, d := range res.Diagnostics {
				r.Render(&out, d)
			}
			if n := res.Diagnostics.Count(diag.Error); n != c.errors {
				t.Fatalf("%d errors, want %d:\n%s", n, c.errors, out.String())
			}
			if len(src) < 200_000 || out.Len() > 2048*(1+c.errors/2) {
				t.Errorf("a %d-byte source: %d bytes of diagnostics:\n%.4000s", len(src), out.Len(), out.String())
			}
			if !strings.Contains(out.String(), "…") {
				t.Errorf("no line is cut:\n%.4000s", out.String())
			}
		})
	}
}

// TestBinarySourceOutputBounded: a binary file named .cue and sources with
// terminal escapes print a short report with every control character
// escaped: no source can drive the terminal.
func TestBinarySourceOutputBounded(t *testing.T) {
	dir := t.TempDir()
	bin := make([]byte, 30_000)
	for i := range bin {
		bin[i] = byte(i*7 + i/256)
	}
	files := map[string]string{
		"blob.cue":  string(bin),
		"esc.cue":   "package x\n\nfoo: 1 +\x1b[2J\x1b]0;title\x07\n",
		"esc.yaml":  "kind: Project\nmetadata:\n  name: p\x1b[31m\n",
		"esc.json":  "{\"kind\": \"Project\", \"metadata\": {\"name\": \"p\x9b2J\"}}",
		"nul.yaml":  "kind: Project\x00\n",
		"bidi.yaml": "kind: Project\nmetadata:\n  name: \"\u202eevil\"\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r := &compiler.TextRenderer{Sources: res.Sources}
	for _, d := range res.Diagnostics {
		r.Render(&out, d)
	}
	diag.RenderGitHub(&out, res.Diagnostics)
	if res.Diagnostics.Count(diag.Error) < len(files)-1 {
		t.Errorf("%d errors for %d broken files:\n%s", res.Diagnostics.Count(diag.Error), len(files), out.String())
	}
	if out.Len() > 8192 {
		t.Errorf("%d bytes of diagnostics:\n%.8000s", out.Len(), out.String())
	}
	for i, c := range out.Bytes() {
		if (c < 0x20 && c != '\n') || c == 0x7f {
			t.Fatalf("control byte %#x at %d: %q", c, i, out.Bytes()[max(0, i-40):min(out.Len(), i+40)])
		}
	}
	for _, bad := range []string{"\u202e", "\u009b"} {
		if strings.Contains(out.String(), bad) {
			t.Errorf("%q printed raw:\n%s", bad, out.String())
		}
	}
}
