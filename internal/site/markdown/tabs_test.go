package markdown

import (
	"strings"
	"testing"
)

func TestTabs(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "one group",
			src:  "=== \"CUE\"\n\n    ```cue\n    a: 1\n    ```\n\n=== \"YAML\"\n    Some *text*.\n",
			want: []string{
				`<div class="tabs" data-tabs><div class="tab-list" role="tablist">` +
					`<button type="button" role="tab" id="tab-0-0" aria-controls="panel-0-0" aria-selected="true">CUE</button>` +
					`<button type="button" role="tab" id="tab-0-1" aria-controls="panel-0-1" aria-selected="false" tabindex="-1">YAML</button></div>` + "\n" +
					`<div class="tab-panel" role="tabpanel" id="panel-0-0" aria-labelledby="tab-0-0">` + "\n" +
					`<div class="highlight" data-lang="cue">`,
				"</code></pre></div>\n</div>\n" +
					`<div class="tab-panel" role="tabpanel" id="panel-0-1" aria-labelledby="tab-0-1" hidden>` + "\n" +
					"<p>Some <em>text</em>.</p>\n</div>\n</div>\n",
			},
		},
		{
			name: "separate groups are numbered",
			src:  "=== \"A\"\n    a\n\nBetween.\n\n=== \"B\"\n    b\n=== \"C\"\n    c\n",
			want: []string{
				`id="tab-0-0"`, `>A</button></div>`,
				"<p>Between.</p>",
				`id="tab-1-0"`, `>B</button>`, `id="tab-1-1"`, `>C</button></div>`,
			},
		},
		{
			name: "bang starts a new group",
			src:  "=== \"A\"\n    a\n\n===! \"B\"\n    b\n",
			want: []string{`id="tab-0-0"`, `>A</button></div>`, `id="tab-1-0"`, `>B</button></div>`},
		},
		{
			name: "plus selects",
			src:  "=== \"A\"\n    a\n\n===+ \"B\"\n    b\n",
			want: []string{
				`id="tab-0-0" aria-controls="panel-0-0" aria-selected="false" tabindex="-1">A</button>`,
				`id="tab-0-1" aria-controls="panel-0-1" aria-selected="true">B</button>`,
				`id="panel-0-0" aria-labelledby="tab-0-0" hidden>`,
				`id="panel-0-1" aria-labelledby="tab-0-1">`,
			},
		},
		{
			name: "nested group",
			src:  "=== \"Outer\"\n    === \"Inner\"\n        x\n\n=== \"Outer 2\"\n    y\n",
			want: []string{`id="tab-0-0"`, `id="tab-0-1"`, `id="panel-0-0"`, `id="tab-1-0"`, `id="panel-1-0"`, `id="panel-0-1"`},
		},
		{
			name: "label is inline markdown",
			src:  "=== \"a & `<b>`\"\n    x\n\n- item\n\n\t=== \"*tabbed*\"\n\t    y\n",
			want: []string{`>a &amp; <code>&lt;b&gt;</code></button>`, `><em>tabbed</em></button>`},
		},
		{
			name: "setext heading is not a tab",
			src:  "Title\n===\n",
			want: []string{`<h1 id="title">Title</h1>`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := render(t, tt.src)
			checkHTML(t, doc.HTML, tt.want...)
			if want := strings.Contains(tt.src, "=== \""); doc.Tabs != want {
				t.Errorf("Tabs = %v, want %v", doc.Tabs, want)
			}
		})
	}
}
