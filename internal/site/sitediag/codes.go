// Package sitediag holds the docs site's diagnostic codes (pyrobuild build and
// serve, PB20xx) and registers their documentation in diag.Codes. It is a
// leaf, so the site and each of its sub-packages can report with them.
package sitediag

import "github.com/pyrobuild/pyrobuild/internal/diag"

// The docs site's diagnostic codes (pyrobuild build and serve), PB20xx.
const (
	CodeContentRead   diag.Code = "PB2001"
	CodeFrontMatter   diag.Code = "PB2002"
	CodeBrokenLink    diag.Code = "PB2003"
	CodeBrokenAnchor  diag.Code = "PB2004"
	CodeExample       diag.Code = "PB2005"
	CodeTemplate      diag.Code = "PB2006"
	CodeDuplicatePage diag.Code = "PB2007"
	CodeNav           diag.Code = "PB2008"
	CodeDiagram       diag.Code = "PB2009"
)

// codes documents the site's codes; the site registers them in diag.Codes,
// from which the diagnostics reference is made.
var codes = []diag.CodeInfo{
	{Code: CodeContentRead, Title: "unreadable page",
		Summary:   "A file of the site's content/ folder could not be read (a page must also be UTF-8 and at most 32 MiB), or is a link to a file outside it, to a folder or to nothing.",
		Fix:       "Copy a file that is linked from outside content/ into it, make unreadable files readable, save pages as UTF-8, and split a page over 32 MiB.",
		NoExample: "Its causes are in the file system the site is built from (permissions, links, special files) more than in the text of a page."},
	{Code: CodeFrontMatter, Title: "front matter",
		Summary: "A page's YAML front matter is malformed or has a field of the wrong type.",
		Fix:     "Correct the YAML between the `---` lines that open the page: `title`, `description` and `nav_title` are text, `weight` is an integer, `draft` is true or false."},
	{Code: CodeBrokenLink, Title: "broken link",
		Summary: "A link points to a page or file the site does not publish.",
		Fix:     "Point the link at a page or a file under content/ (relative to the page, or from the site's root), or delete it; files outside content/ are not published."},
	{Code: CodeBrokenAnchor, Title: "broken anchor",
		Summary: "A link's #anchor names no heading or element of the target page.",
		Fix:     "Use the anchor of a heading the target page has (the hint lists them; a heading's anchor is its text in lower case, with `-` for spaces), or add the heading."},
	{Code: CodeExample, Title: "example does not compile as expected",
		Summary: "A fenced example failed to compile, or an expect= example did not fail with the code it names. The example's own problems are reported with their codes at its lines.",
		Fix:     "Correct the example as its own diagnostics say; for an example meant to fail, make `expect=` name the code it fails with, or drop `expect=` if it should compile."},
	{Code: CodeTemplate, Title: "template error",
		Summary:   "A layout template does not parse or fails on a page.",
		Fix:       "Correct the template at the line shown (Go html/template syntax, and only the functions and page fields pyrobuild provides), or delete the override to use the embedded layout again.",
		NoExample: "It comes from a template of the site's templates/ folder, which overrides an embedded layout, not from a page or a dashboard source."},
	{Code: CodeDuplicatePage, Title: "two files at one address",
		Summary: "Two content files publish the same URL (foo.md and foo/index.md), or a static file or theme asset lies where a page is written (content/foo/index.html beside foo.md).",
		Fix:     "Rename, move or delete one of the two files: `foo.md` and `foo/index.md` are both the page /foo/, and a page foo.md is written to foo/index.html, where no other file may go."},
	{Code: CodeNav, Title: "navigation list incomplete or repeated",
		Summary:   "The `site.nav` list of pyrobuild.yaml leaves a published page out (a warning: readers find it only by search or a link), or names one page twice (an error).",
		Fix:       "Add the page, or its folder (`reference/` stands for all the pages there the list does not name), to `site.nav`; a page listed twice keeps one entry.",
		NoExample: "It comes from pyrobuild.yaml's `site.nav` list, not from a page or a dashboard source; the message names the page and the line of the list."},
	{Code: CodeDiagram, Title: "diagram that cannot be drawn",
		Summary: "A `mermaid` code block uses syntax that pyrobuild's build-time drawing does not read: another kind of diagram than a flowchart, subgraphs, styles, shapes other than boxes, or markup in a box's text. Diagrams are drawn when the site is built, as SVG, so that no page loads a diagram library.",
		Fix:     "Keep to flowcharts of boxes and arrows: a `flowchart LR` (or `graph TD`, `RL`, `BT`) line, then boxes `id`, `id[text]`, `id(\"text\")` joined by `-->`, `---`, `-.->` or `==>`, optionally with `|labels|` and `&`; `<br/>` breaks a line; `accTitle:` names the drawing for screen readers. Draw anything richer as an image."},
}

func init() { diag.Codes.Register(codes...) }
