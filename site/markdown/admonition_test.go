package markdown

import "testing"

func TestAdmonitions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "title",
			src:  "!!! note \"Read this & that\"\n    Body *text*.\n",
			want: []string{"<div class=\"admonition note\" role=\"note\"><p class=\"admonition-title\">Read this &amp; that</p>\n<p>Body <em>text</em>.</p>\n</div>\n"},
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
			want: []string{"<div class=\"admonition warning\" role=\"note\"><p class=\"admonition-title\">Warning</p>\n<p>Careful.</p>\n</div>\n"},
		},
		{
			name: "empty title drops the title line",
			src:  "!!! tip \"\"\n    Quiet.\n",
			want: []string{"<div class=\"admonition tip\" role=\"note\">\n<p>Quiet.</p>\n</div>\n"},
		},
		{
			name: "unknown type and extra classes",
			src:  "!!! Pyro inline end\n    x\n",
			want: []string{`<div class="admonition pyro inline end" role="note"><p class="admonition-title">Pyro</p>`},
		},
		{
			name: "nested code block, list and admonition",
			src:  "!!! example\n    Before.\n\n    ```yaml\n    a: 1\n\n    b: 2\n    ```\n\n    - item\n\n    !!! danger\n        Inner.\n\nAfter.\n",
			want: []string{
				`<div class="admonition example" role="note"><p class="admonition-title">Example</p>`,
				"<p>Before.</p>\n",
				`<div class="highlight" data-lang="yaml">`,
				`<span class="nt">a</span>`, `<span class="nt">b</span>`,
				"</code></pre></div>\n<ul>\n<li>item</li>\n</ul>\n",
				"<div class=\"admonition danger\" role=\"note\"><p class=\"admonition-title\">Danger</p>\n<p>Inner.</p>\n</div>\n</div>\n<p>After.</p>\n",
			},
		},
		{
			name: "indented code inside",
			src:  "!!! note\n        code line\n",
			want: []string{"<p class=\"admonition-title\">Note</p>\n<div class=\"highlight\" data-lang=\"\"><button class=\"copy\" type=\"button\" aria-label=\"Copy code\">Copy</button><pre class=\"chroma\"><code>code line\n</code></pre></div>\n</div>\n"},
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
			want: []string{"<p>In.</p>\n</div>\n<p>Out.</p>\n"},
		},
		{
			name: "inside a list item",
			src:  "- item\n\n    !!! tip\n        Deep.\n",
			want: []string{"<li>\n<p>item</p>\n<div class=\"admonition tip\" role=\"note\"><p class=\"admonition-title\">Tip</p>\n<p>Deep.</p>\n</div>\n</li>"},
		},
		{
			name: "interrupts a paragraph",
			src:  "Text\n!!! note\n    x\n!!! tip\n    y\n",
			want: []string{"<p>Text</p>\n<div class=\"admonition note\" role=\"note\"><p class=\"admonition-title\">Note</p>\n<p>x</p>\n</div>\n<div class=\"admonition tip\""},
		},
		{
			name: "GitHub note",
			src:  "> [!NOTE]\n> Useful **info**.\n",
			want: []string{"<div class=\"admonition note\" role=\"note\"><p class=\"admonition-title\">Note</p>\n<p>Useful <strong>info</strong>.</p>\n</div>\n"},
		},
		{
			name: "GitHub caution, lowercase marker, several blocks",
			src:  "> [!caution]\n> One.\n>\n> ```go\n> x := 1\n> ```\n",
			want: []string{
				"<div class=\"admonition caution\" role=\"note\"><p class=\"admonition-title\">Caution</p>\n<p>One.</p>\n",
				`<div class="highlight" data-lang="go">`,
				"</div>\n</div>\n",
			},
		},
		{
			name: "GitHub marker alone",
			src:  "> [!IMPORTANT]\n",
			want: []string{"<div class=\"admonition important\" role=\"note\"><p class=\"admonition-title\">Important</p>\n</div>\n"},
		},
		{
			name: "GitHub tip and warning",
			src:  "> [!TIP]\n> a\n\n> [!WARNING]\n> b\n",
			want: []string{`<div class="admonition tip" role="note">`, `<div class="admonition warning" role="note">`},
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
