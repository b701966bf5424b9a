package markdown

import "testing"

func TestTableWrap(t *testing.T) {
	doc := render(t, "Before.\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n!!! note\n    | x |\n    |---|\n    | y |\n")
	checkHTML(t, doc.HTML,
		"<p>Before.</p>\n<div class=\"table-wrap\"><table>\n<thead>\n<tr>\n<th>a</th>\n<th style=\"text-align:center\">b</th>",
		"</tbody>\n</table>\n</div>\n",
		"<p class=\"admonition-title\">Note</p>\n<div class=\"table-wrap\"><table>",
		"</table>\n</div>\n</aside>\n",
	)
}
