package hlstyle

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"testing"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/styles"
)

var update = flag.Bool("update", false, "rewrite the embedded styles from chroma's")

// TestStylesAreChromas: each embedded style is chroma's, entry for entry,
// so the highlighted HTML and its CSS are what chroma's registry gives.
func TestStylesAreChromas(t *testing.T) {
	for _, name := range Names {
		want := styles.Registry[name]
		if want == nil {
			t.Fatalf("chroma has no style %q", name)
		}
		if *update {
			var b bytes.Buffer
			enc := xml.NewEncoder(&b)
			enc.Indent("", "  ")
			if err := enc.Encode(want); err != nil {
				t.Fatal(err)
			}
			b.WriteString("\n")
			if err := os.WriteFile(name+".xml", b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got := Get(name)
		if got == nil || got.Name != want.Name {
			t.Fatalf("Get(%q) = %v", name, got)
		}
		for tt := range chroma.StandardTypes {
			if g, w := got.Get(tt), want.Get(tt); g != w {
				t.Errorf("%s: %s is %q, chroma's %q (go test -update rewrites the files)", name, tt, g, w)
			}
		}
	}
	if Get("monokai") != nil {
		t.Error("a style this package does not hold")
	}
}
