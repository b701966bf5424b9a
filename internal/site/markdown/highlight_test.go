package markdown

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
)

func TestHighlightHTML(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{
			name: "known language",
			src:  "```go\nx := \"<a>\"\n```\n",
			want: `<div class="highlight" data-lang="go"><button class="copy" type="button" aria-label="Copy code">Copy</button><pre class="chroma"><code>` +
				`<span class="nx">x</span><span class="w"> </span><span class="o">:=</span><span class="w"> </span><span class="s">&#34;&lt;a&gt;&#34;</span><span class="w">` + "\n" +
				`</span></code></pre></div>` + "\n",
		},
		{
			// A language the site has no lexer for gets the generic one.
			name: "unknown language",
			src:  "```nosuchlang\na < b & \"c\"\n```\n",
			want: `<div class="highlight" data-lang="nosuchlang"><button class="copy" type="button" aria-label="Copy code">Copy</button><pre class="chroma"><code>` +
				`<span class="n">a</span> <span class="o">&lt;</span> <span class="n">b</span> <span class="o">&amp;</span> <span class="s">&#34;c&#34;</span>` + "\n</code></pre></div>\n",
		},
		{
			name: "no language",
			src:  "```\nplain\n```\n",
			want: `<div class="highlight" data-lang=""><button class="copy" type="button" aria-label="Copy code">Copy</button><pre class="chroma"><code>plain` + "\n</code></pre></div>\n",
		},
		{
			name: "indented code",
			src:  "    indented\n",
			want: `<div class="highlight" data-lang=""><button class="copy" type="button" aria-label="Copy code">Copy</button><pre class="chroma"><code>indented` + "\n</code></pre></div>\n",
		},
		{
			name: "language case folded",
			src:  "```YAML\na: 1\n```\n",
			want: `<div class="highlight" data-lang="yaml">`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := render(t, tt.src)
			checkHTML(t, doc.HTML, tt.want)
			if !doc.Code {
				t.Error("Code = false")
			}
		})
	}
	if render(t, "Text and `inline code`.\n").Code {
		t.Error("Code = true without a code block")
	}
}

func TestHighlightCache(t *testing.T) {
	h := NewHighlighter("", "")
	e := New(Options{Highlighter: h})
	page := []byte("```go\npackage a\n```\n\n```yaml\na: 1\n```\n\n```go\npackage a\n```\n\n```nosuchlang\nx\n```\n")
	if _, err := e.Render("a.md", page); err != nil {
		t.Fatal(err)
	}
	// The second go block repeats the first: one hit already. The
	// unknown language is highlighted too, by the generic lexer.
	if hits, misses := h.Stats(); hits != 1 || misses != 3 {
		t.Errorf("after one render: hits %d, misses %d; want 1, 3", hits, misses)
	}
	// Another engine sharing the highlighter, as a warm rebuild does.
	if _, err := New(Options{Highlighter: h}).Render("a.md", page); err != nil {
		t.Fatal(err)
	}
	if hits, misses := h.Stats(); hits != 5 || misses != 3 {
		t.Errorf("after a second render: hits %d, misses %d; want 5, 3", hits, misses)
	}
	// Aliases share entries: "golang" is chroma's alias of Go.
	if _, ok := h.highlight("golang", []byte("package a\n")); !ok {
		t.Fatal("golang not highlighted")
	}
	if hits, _ := h.Stats(); hits != 6 {
		t.Errorf("alias missed the cache: hits %d, want 6", hits)
	}
}

func TestHighlightCacheBounded(t *testing.T) {
	h := NewHighlighter("", "")
	for i := range highlightCacheSize + 10 {
		h.highlight("go", fmt.Appendf(nil, "var x = %d\n", i))
	}
	h.mu.Lock()
	n := len(h.cur) + len(h.old)
	h.mu.Unlock()
	if n > 2*highlightCacheSize {
		t.Errorf("cache holds %d entries, want at most %d", n, 2*highlightCacheSize)
	}
	// The oldest entry is still in the old generation, and a hit keeps it.
	h.highlight("go", []byte("var x = 0\n"))
	if hits, _ := h.Stats(); hits != 1 {
		t.Errorf("hits %d, want 1", hits)
	}
}

// TestHighlightConcurrent shares one Highlighter between goroutines that
// highlight the same and different blocks; run with -race.
func TestHighlightConcurrent(t *testing.T) {
	h := NewHighlighter("", "")
	const workers, blocks = 8, 30
	var wg sync.WaitGroup
	results := make([][]string, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range blocks {
				out, ok := h.highlight("go", fmt.Appendf(nil, "package p%d\n", i))
				if !ok {
					t.Error("not highlighted")
					return
				}
				results[w] = append(results[w], string(out))
			}
		})
	}
	wg.Wait()
	for w := 1; w < workers; w++ {
		for i := range results[w] {
			if results[w][i] != results[0][i] {
				t.Fatalf("worker %d block %d differs", w, i)
			}
		}
	}
	hits, misses := h.Stats()
	if hits+misses != workers*blocks || misses < blocks {
		t.Errorf("hits %d + misses %d, want %d in all and at least %d misses", hits, misses, workers*blocks, blocks)
	}
}

func TestHighlighterCSS(t *testing.T) {
	css := string(NewHighlighter("", "").CSS())
	for _, want := range []string{
		".chroma { background-color: #f7f7f7 }\n",
		".chroma .k { color: #cf222e }\n",
		".chroma .err { color: #f6f8fa; background-color: #82071e }\n",
		`[data-theme="dark"] .chroma .err { color: #f85149; background-color: transparent }` + "\n",
		`[data-theme="dark"] .chroma { color: #e6edf3; background-color: #0d1117 }` + "\n",
		`[data-theme="dark"] .chroma .k { color: #ff7b72 }` + "\n",
		"@media (prefers-color-scheme: dark) {\n",
		`  :root:not([data-theme="light"]) .chroma .k { color: #ff7b72 }` + "\n",
		// github-dark leaves punctuation plain; the light colour must not
		// show through.
		`[data-theme="dark"] .chroma .p { color: inherit }` + "\n",
		// bold in the light label, not in the dark one
		`[data-theme="dark"] .chroma .nl { color: #79c0ff; font-weight: bold }`,
	} {
		if !strings.Contains(css, want) {
			t.Errorf("CSS lacks %q", want)
		}
	}
	if strings.Contains(css, "style=") {
		t.Error("CSS has inline styles")
	}
	// The styles are hlstyle's (chroma's github pair, without chroma's
	// registry of every style, which costs every command's start-up).
	other := string(NewHighlighter("github-dark", "github").CSS())
	if other == css || !strings.Contains(other, ".chroma .k { color: #ff7b72 }\n") {
		t.Error("style names ignored")
	}
	if unknown := string(NewHighlighter("no-such-style", "").CSS()); unknown != css {
		t.Error("an unknown style name does not fall back to the default")
	}
}

// TestHighlightNative checks that the native lexers take their languages
// with their aliases, HTML as chroma's lexers would have it, that input a
// lexer declines is plain text, and that their cache entries are not those
// of chroma's lexers.
func TestHighlightNative(t *testing.T) {
	h := NewHighlighter("", "")
	for _, c := range []struct{ lang, code, plain string }{
		{lang: "golang", code: "package main\n\n//go:generate x\nfunc main() { println(`raw`, 0x1F, 0o7) } // c\n"},
		{lang: "cue", code: "#A: {x?: int & >0, s: \"a\\(x)b\\n\"} @go(A)\n"},
		{lang: "json", code: "{\"a\": [1, 2.5e3, true, null], \"b\": {}}\n"},
		{lang: "yml", code: "a: &x [1, 'b']\nb: |\n  c\n- *x # d\n"},
		{lang: "console", code: "$ echo \"$HOME\" | wc -c # count\n6\n# ls -l\n"},
		{lang: "zsh", code: "for f in *.md; do\n  [ -s \"$f\" ] && echo ${f%.md}\ndone\n"},
		{lang: "text", code: "a < b\n"},
		{lang: "diff", code: "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a: 1\n+a: 2\n b: 3\n"},
		// Declined (go/scanner reports an error): plain text.
		{lang: "go", code: "x := \"\\d\" // a scanner error\n", plain: "x := &#34;\\d&#34; // a scanner error\n"},
		// A raw string holding a template: the template highlighted inside.
		{lang: "go", code: "t := `a {{- if .X }}{{ printf \"%d\" (len $y) | html }}{{/* c */}}{{ $z := 0x1F }}{{end -}} b`\n"},
	} {
		got, ok := h.highlight(c.lang, []byte(c.code))
		if !ok {
			t.Fatalf("%s not highlighted", c.lang)
		}
		if c.plain != "" {
			if string(got) != c.plain {
				t.Errorf("%s: HTML\n%s\nwant\n%s", c.lang, got, c.plain)
			}
			continue
		}
		it, err := chroma.Coalesce(lexers.Get(c.lang)).Tokenise(nil, c.code)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := h.format.Format(&want, h.light, it); err != nil {
			t.Fatal(err)
		}
		if string(got) != want.String() {
			t.Errorf("%s: native HTML\n%s\nchroma's\n%s", c.lang, got, want.String())
		}
	}
	suffix := fmt.Sprintf(" native-%d", nativeLexerVersion)
	h.mu.Lock()
	for k := range h.cur {
		if !strings.HasSuffix(k.lang, suffix) {
			t.Errorf("cache key %q lacks %q", k.lang, suffix)
		}
	}
	// An entry made by chroma's lexer, as a saved cache of an earlier
	// version holds, is not used.
	code := []byte("package stale\n")
	h.put(highlightKey{lang: "Go", sum: sha256.Sum256(code)}, []byte("stale"))
	h.mu.Unlock()
	if out, _ := h.highlight("go", code); string(out) == "stale" {
		t.Error("a chroma lexer's cache entry was used")
	}
}
