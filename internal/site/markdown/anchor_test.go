package markdown

import "testing"

func TestSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello World", "hello-world"},
		{"The `spec.panels` field", "the-specpanels-field"},
		{"Don’t panic!", "dont-panic"},
		{"snake_case and kebab-case", "snake_case-and-kebab-case"},
		{"Über Größe", "über-größe"},
		{"日本語 見出し", "日本語-見出し"},
		{"v1.2 (beta)", "v12-beta"},
		{"a  b", "a--b"},
		{"?!", "section"},
	}
	for _, tt := range tests {
		if got := slug(tt.in); got != tt.want {
			t.Errorf("slug(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAnchors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "permalink on h2, none on h1",
			src:  "# Title\n\n## Install it\n",
			want: []string{
				`<h1 id="title">Title</h1>`,
				`<h2 id="install-it">Install it<a class="headerlink" href="#install-it" aria-label="Permalink to this section">¶</a></h2>`,
			},
		},
		{
			name: "duplicates numbered",
			src:  "## Usage\n\n## Usage\n\n### Usage\n",
			want: []string{`<h2 id="usage">`, `<h2 id="usage-1">`, `<h3 id="usage-2">`},
		},
		{
			name: "markup and typography dropped",
			src:  "## The `targets` *field*'s use\n",
			want: []string{`<h2 id="the-targets-fields-use">The <code>targets</code> <em>field</em>&rsquo;s use<a class="headerlink" href="#the-targets-fields-use"`},
		},
		{
			name: "unicode kept",
			src:  "## Über Größe\n",
			want: []string{`<h2 id="über-größe">Über Größe<a class="headerlink" href="#über-größe"`},
		},
		{
			name: "custom id kept and reserved before generated ones",
			src:  "## Setup\n\n## Other {#setup}\n",
			want: []string{`<h2 id="setup-1">Setup`, `<h2 id="setup">Other<a class="headerlink" href="#setup"`},
		},
		{
			name: "ids in raw HTML reserved",
			src:  "## Setup\n\n<div id=\"setup\"></div>\n\nText <a id=\"usage\"></a>.\n\n## Usage\n",
			want: []string{`<h2 id="setup-1">`, `<div id="setup">`, `<a id="usage">`, `<h2 id="usage-1">`},
		},
		{
			name: "heading clashing with a tab id",
			src:  "=== \"A\"\n    a\n\n## Tab 0 0\n",
			want: []string{`id="tab-0-0"`, `<h2 id="tab-0-0-1">`},
		},
		{
			name: "setext heading",
			src:  "Big News\n========\n\nSmaller\n-------\n",
			want: []string{`<h1 id="big-news">Big News</h1>`, `<h2 id="smaller">Smaller<a class="headerlink"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkHTML(t, render(t, tt.src).HTML, tt.want...)
		})
	}
}
