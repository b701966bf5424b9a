package markdown

import (
	"strings"
	"testing"
)

func TestAdmonitions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "title",
			src:  "!!! note \"Read this & that\"\n    Body *text*.\n",
			want: []string{"<aside class=\"admonition note\" aria-label=\"Note\"><p class=\"admonition-title\">Read this &amp; that</p>\n<p>Body <em>text</em>.</p>\n</aside>\n"},
		},
		{
			name: "title is inline markdown",
			src:  "!!! tip \"Use `pb.#FlameChart` *as is*\"\n    x\n\n- item\n\n\t??? note \"Don't `miss`\"\n\t    y\n",
			want: []string{
				`<p class="admonition-title">Use <code>pb.#FlameChart</code> <em>as is</em></p>`,
				"<summary>Don&rsquo;t <code>miss</code></summary>\n<p>y</p>",
			},
		},
		{
			name: "default title",
			src:  "!!! warning\n    Careful.\n",
			want: []string{"<aside class=\"admonition warning\" aria-label=\"Warning\"><p class=\"admonition-title\">Warning</p>\n<p>Careful.</p>\n</aside>\n"},
		},
		{
			name: "empty title drops the title line",
			src:  "!!! tip \"\"\n    Quiet.\n",
			want: []string{"<aside class=\"admonition tip\" aria-label=\"Tip\">\n<p>Quiet.</p>\n</aside>\n"},
		},
		{
			name: "unknown type and extra classes",
			src:  "!!! Pyro inline end\n    x\n",
			want: []string{`<aside class="admonition pyro inline end" aria-label="Pyro"><p class="admonition-title">Pyro</p>`},
		},
		{
			name: "nested code block, list and admonition",
			src:  "!!! example\n    Before.\n\n    ```yaml\n    a: 1\n\n    b: 2\n    ```\n\n    - item\n\n    !!! danger\n        Inner.\n\nAfter.\n",
			want: []string{
				`<aside class="admonition example" aria-label="Example"><p class="admonition-title">Example</p>`,
				"<p>Before.</p>\n",
				`<div class="highlight" data-lang="yaml">`,
				`<span class="nt">a</span>`, `<span class="nt">b</span>`,
				"</code></pre></div>\n<ul>\n<li>item</li>\n</ul>\n",
				"<aside class=\"admonition danger\" aria-label=\"Danger\"><p class=\"admonition-title\">Danger</p>\n<p>Inner.</p>\n</aside>\n</aside>\n<p>After.</p>\n",
			},
		},
		{
			name: "indented code inside",
			src:  "!!! note\n        code line\n",
			want: []string{"<p class=\"admonition-title\">Note</p>\n<div class=\"highlight\" data-lang=\"\"><button class=\"copy\" type=\"button\" aria-label=\"Copy code\">Copy</button><pre class=\"chroma\"><code>code line\n</code></pre></div>\n</aside>\n"},
		},
		{
			name: "collapsed",
			src:  "??? question \"Why?\"\n    Because.\n",
			want: []string{"<details class=\"admonition question\"><summary>Why?</summary>\n<p>Because.</p>\n</details>\n"},
		},
		{
			name: "collapsible open",
			src:  "???+ info\n    Shown.\n",
			want: []string{"<details class=\"admonition info\" open><summary>Info</summary>\n<p>Shown.</p>\n</details>\n"},
		},
		{
			name: "body ends at the first unindented line",
			src:  "!!! note\n    In.\n\nOut.\n",
			want: []string{"<p>In.</p>\n</aside>\n<p>Out.</p>\n"},
		},
		{
			name: "inside a list item",
			src:  "- item\n\n    !!! tip\n        Deep.\n",
			want: []string{"<li>\n<p>item</p>\n<aside class=\"admonition tip\" aria-label=\"Tip\"><p class=\"admonition-title\">Tip</p>\n<p>Deep.</p>\n</aside>\n</li>"},
		},
		{
			name: "interrupts a paragraph",
			src:  "Text\n!!! note\n    x\n!!! tip\n    y\n",
			want: []string{"<p>Text</p>\n<aside class=\"admonition note\" aria-label=\"Note\"><p class=\"admonition-title\">Note</p>\n<p>x</p>\n</aside>\n<aside class=\"admonition tip\""},
		},
		{
			name: "GitHub note",
			src:  "> [!NOTE]\n> Useful **info**.\n",
			want: []string{"<aside class=\"admonition note\" aria-label=\"Note\"><p class=\"admonition-title\">Note</p>\n<p>Useful <strong>info</strong>.</p>\n</aside>\n"},
		},
		{
			name: "GitHub caution, lowercase marker, several blocks",
			src:  "> [!caution]\n> One.\n>\n> ```go\n> x := 1\n> ```\n",
			want: []string{
				"<aside class=\"admonition caution\" aria-label=\"Caution\"><p class=\"admonition-title\">Caution</p>\n<p>One.</p>\n",
				`<div class="highlight" data-lang="go">`,
				"</div>\n</aside>\n",
			},
		},
		{
			name: "GitHub marker alone",
			src:  "> [!IMPORTANT]\n",
			want: []string{"<aside class=\"admonition important\" aria-label=\"Important\"><p class=\"admonition-title\">Important</p>\n</aside>\n"},
		},
		{
			name: "GitHub tip and warning",
			src:  "> [!TIP]\n> a\n\n> [!WARNING]\n> b\n",
			want: []string{`<aside class="admonition tip" aria-label="Tip">`, `<aside class="admonition warning" aria-label="Warning">`},
		},
		{
			name: "unknown bracket word stays a blockquote",
			src:  "> [!FOO]\n> text\n",
			want: []string{"<blockquote>\n<p>[!FOO]\ntext</p>\n</blockquote>\n"},
		},
		{
			name: "marker with text on its line stays a blockquote",
			src:  "> [!NOTE] inline\n",
			want: []string{"<blockquote>\n<p>[!NOTE] inline</p>\n</blockquote>\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkHTML(t, render(t, tt.src).HTML, tt.want...)
		})
	}
}

// TestAdmonitionLabels: every kind of box is an <aside> named after its
// kind, the same way for all of them: a warning is not announced as a note,
// and none is a live alert.
func TestAdmonitionLabels(t *testing.T) {
	for _, kind := range []string{"note", "info", "tip", "warning", "danger", "caution"} {
		html := string(render(t, "!!! "+kind+" \"Whatever the title\"\n    Body.\n").HTML)
		label := defaultTitle(kind)
		checkHTML(t, []byte(html), `<aside class="admonition `+kind+`" aria-label="`+label+`">`, "</aside>\n")
		for _, bad := range []string{`role="note"`, `role="alert"`, "<div class=\"admonition"} {
			if strings.Contains(html, bad) {
				t.Errorf("%s: %s in %q", kind, bad, html)
			}
		}
	}
	// GitHub's alerts alike.
	checkHTML(t, render(t, "> [!WARNING]\n> b\n").HTML, `<aside class="admonition warning" aria-label="Warning">`)
}
