package pack

import (
	"bytes"
	"compress/gzip"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/preview/live"
)

func TestPackedPage(t *testing.T) {
	big := strings.Repeat("<p>x</p>\n", 20000) // over one stored block after </body>
	pages := map[string]string{
		"page":        "<!doctype html>\n<html><body><nav>" + strings.Repeat("<li>entry</li>", 500) + "</nav><p>text</p></body>\n</html>\n",
		"two bodies":  "<body><pre>&lt;/body&gt; </body> in code</pre></body>\n</html>\n",
		"no body":     "<p>a fragment</p>",
		"empty":       "",
		"long tail":   "<body>a</body>" + big,
		"only a body": "</body>",
	}
	pk := NewPacker()
	for name, page := range pages {
		p := pk.Page([]byte(page))
		if got := string(p.Bytes(p.tail)); got != page {
			t.Errorf("%s: unpacked page differs:\n%q\nwant\n%q", name, got, page)
		}
		for _, build := range []string{"abc", "0123456789ab"} {
			want := live.Inject([]byte(page), build)
			tail := live.Inject(p.tail, build)
			if got := p.Bytes(tail); !bytes.Equal(got, want) {
				t.Errorf("%s: unpacked with the script differs from live.Inject:\n%q\nwant\n%q", name, got, want)
			}
			zr, err := gzip.NewReader(bytes.NewReader(p.Gzip(tail)))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			zr.Multistream(false)
			got, err := io.ReadAll(zr) // checks the CRC and the size
			if err != nil {
				t.Fatalf("%s: reading the gzip stream: %v", name, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: gzip stream differs from live.Inject:\n%q\nwant\n%q", name, got, want)
			}
		}
	}
}

func TestPackedHTML(t *testing.T) {
	pk := NewPacker()
	for _, html := range []string{"", "<p>a</p>", strings.Repeat("<pre><code>x := 1</code></pre>\n", 5000)} {
		got, err := pk.HTML([]byte(html)).Unpack()
		if err != nil || string(got) != html {
			t.Errorf("packed HTML of %d bytes: got %d bytes, %v", len(html), len(got), err)
		}
	}
}

// assetVersion is an asset's version in a link, as the theme writes it.
var assetVersion = regexp.MustCompile(`\?v=[0-9a-f]{10}`)

func TestVersionedSums(t *testing.T) {
	pages := []string{
		`<link href="/assets/css/site.css?v=0123456789">`,
		`<link href="/assets/css/site.css?v=abcdefabcd">`,
		`<link href="/assets/css/site.css?v=abcdefabcd"><a href="?v=x">`,
		`<link href="/assets/css/site.css?v=ABCDEFABCD">`,
		`<link href="/assets/css/site.css?v=012345678">`,
		`?v=?v=0123456789?v=99999999990`,
		`?v=?v=aaaaaaaaaa?v=99999999991`,
		`?v=`,
		`?v=0123456789`,
		``,
		`no versions`,
		`x?v=0123456789`,
		`?v=0123456789x`,
		`x?v=0123456789?v=aaaaaaaaaa`,
		`x?v=aaaaaaaaaa?v=0123456789`,
	}
	for _, a := range pages {
		for _, b := range pages {
			sa, ca := versionedSums([]byte(a))
			sb, cb := versionedSums([]byte(b))
			if (sa == sb) != (a == b) {
				t.Errorf("%q and %q: same sum %v", a, b, sa == sb)
			}
			sameContent := bytes.Equal(assetVersion.ReplaceAll([]byte(a), nil), assetVersion.ReplaceAll([]byte(b), nil))
			if (ca == cb) != sameContent {
				t.Errorf("%q and %q: same content %v, want %v", a, b, ca == cb, sameContent)
			}
		}
	}
}
