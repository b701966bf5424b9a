// Package catalog writes the docs site's dashboard catalog: a markdown
// page per compiled dashboard, showing what the compiler made of it
// (lowered queries, resolved datasources, layout) and where it came from,
// and an index of them.
package catalog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/proxyroute"
	"github.com/pyrobuild/pyrobuild/internal/snapshot/recording"
)

// ProxyPrefix is where the preview server mounts the datasource proxy,
// which the live previews fetch through.
const ProxyPrefix = "/_pyrobuild/proxy"

// Options describe the site the catalog is part of.
type Options struct {
	// ServerDatasources are the compiler's (see compiler.Options).
	ServerDatasources []string
	// Root is the site's folder; SourceURL, when set, links each page to
	// its dashboard's source: SourceURL + the file's path relative to Root.
	Root, SourceURL string
	// Preview adds live flame graphs, fetched through the preview
	// server's datasource proxy.
	Preview bool
}

// A Page is one page of the catalog, in markdown.
type Page struct {
	// Key is its path in the content tree ("dashboards/demo/cpu.md").
	Key string
	// File is what diagnostics name: the dashboard's source.
	File string
	// Source is its markdown.
	Source []byte
	// Deps are the files whose change changes the page.
	Deps []string
}

// Pages returns the catalog's pages for a compilation: the index first,
// then a page per project (its dashboards' folder, titled with the
// project's display name), then a page per dashboard.
func Pages(res *compiler.Result, o Options) []Page {
	var dashboards []*model.Resource
	projects := map[string]*model.Resource{}
	for _, r := range res.Resources {
		switch r.Kind {
		case "Dashboard":
			dashboards = append(dashboards, r)
		case "Project":
			projects[r.Name] = r
		}
	}
	resolver := compiler.NewResolver(res.Resources, o.ServerDatasources)
	var pages []Page
	var index bytes.Buffer
	index.WriteString("---\ntitle: Dashboards\ndescription: The dashboards compiled from this site's sources, with their lowered queries and datasources.\nweight: 950\n---\n\n# Dashboards\n\n")
	if len(dashboards) == 0 {
		index.WriteString("No dashboards were compiled.\n")
	} else {
		fmt.Fprintf(&index, "%s compiled from the site's sources, as pyrobuild writes them for Perses.\n\n", plural(len(dashboards), "dashboard"))
		index.WriteString("| dashboard | project | panels | source |\n|---|---|---|---|\n")
	}
	for _, d := range dashboards {
		key := "dashboards/" + d.Project + "/" + d.Name + ".md"
		spec := d.Node.Get("spec")
		title := displayName(spec, d.Name)
		fmt.Fprintf(&index, "| [%s](%s/%s.md) | `%s` | %d | %s |\n", cell(title), d.Project, d.Name, d.Project, len(spec.Get("panels").Keys), o.sourceLink(d.Pos))
		src := o.dashboardPage(d, title, resolver)
		pages = append(pages, Page{Key: key, File: d.Pos.File, Source: src, Deps: []string{d.Pos.File}})
	}
	idx := Page{Key: "dashboards/index.md", File: "dashboards (generated)", Source: index.Bytes()}
	for _, d := range dashboards {
		idx.Deps = append(idx.Deps, d.Pos.File)
	}
	return append(append([]Page{idx}, o.projectPages(dashboards, projects)...), pages...)
}

// projectPages writes the index page of each project's folder of the
// catalog, so that the navigation names the folder with the project's
// display name (its name when it has none), as Perses does, rather than
// a title made up from the folder's name.
func (o *Options) projectPages(dashboards []*model.Resource, projects map[string]*model.Resource) []Page {
	byProject := map[string][]*model.Resource{}
	var names []string
	for _, d := range dashboards {
		if byProject[d.Project] == nil {
			names = append(names, d.Project)
		}
		byProject[d.Project] = append(byProject[d.Project], d)
	}
	sort.Strings(names)
	var pages []Page
	for _, name := range names {
		p := Page{Key: "dashboards/" + name + "/index.md", File: "dashboards (generated)"}
		title, desc := name, ""
		if pr := projects[name]; pr != nil {
			spec := pr.Node.Get("spec")
			title = displayName(spec, name)
			desc, _ = spec.Get("display").Str("description")
			p.File = pr.Pos.File
			p.Deps = append(p.Deps, pr.Pos.File)
		}
		var w bytes.Buffer
		fmt.Fprintf(&w, "---\ntitle: %q\ndescription: %q\n---\n\n# %s\n\n", title, fmt.Sprintf("The dashboards of project %s as pyrobuild compiles them.", name), mdEscape(title))
		if desc != "" {
			w.WriteString(mdEscape(desc) + "\n\n")
		}
		fmt.Fprintf(&w, "Project `%s`: %s.\n\n| dashboard | panels | source |\n|---|---|---|\n", name, plural(len(byProject[name]), "dashboard"))
		for _, d := range byProject[name] {
			spec := d.Node.Get("spec")
			fmt.Fprintf(&w, "| [%s](%s.md) | %d | %s |\n", cell(displayName(spec, d.Name)), d.Name, len(spec.Get("panels").Keys), o.sourceLink(d.Pos))
			p.Deps = append(p.Deps, d.Pos.File)
		}
		p.Source = w.Bytes()
		pages = append(pages, p)
	}
	return pages
}

func displayName(spec *model.Node, fallback string) string {
	if n, ok := spec.Get("display").Str("name"); ok && n != "" {
		return n
	}
	return fallback
}

func (o *Options) dashboardPage(d *model.Resource, title string, resolver *compiler.Resolver) []byte {
	spec := d.Node.Get("spec")
	var w bytes.Buffer
	fmt.Fprintf(&w, "---\ntitle: %q\ndescription: %q\n", title, fmt.Sprintf("Dashboard %s/%s as pyrobuild compiles it.", d.Project, d.Name))
	rec, recProblem := readRecording(d)
	switch {
	case o.Preview && rec != nil:
		w.WriteString("scripts: [js/flamegraph.js, js/recording.js, js/preview.js]\nstyles: [css/flamegraph.css]\n")
	case o.Preview:
		w.WriteString("scripts: [js/flamegraph.js, js/preview.js]\nstyles: [css/flamegraph.css]\n")
	case rec != nil:
		w.WriteString("scripts: [js/flamegraph.js, js/recording.js]\nstyles: [css/flamegraph.css]\n")
	}
	w.WriteString("---\n\n")
	fmt.Fprintf(&w, "# %s\n\n", mdEscape(title))
	if desc, ok := spec.Get("display").Str("description"); ok && desc != "" {
		w.WriteString(mdEscape(desc) + "\n\n")
	}
	// The dashboard's facts are name–value pairs: a definition list, not
	// a table, which would need a header row with nothing to say.
	fmt.Fprintf(&w, "project\n: `%s`\n\nname\n: `%s`\n\n", d.Project, d.Name)
	if v, ok := spec.Str("duration"); ok {
		fmt.Fprintf(&w, "time range\n: last `%s`\n\n", v)
	}
	if v, ok := spec.Str("refreshInterval"); ok {
		fmt.Fprintf(&w, "refresh\n: every `%s`\n\n", v)
	}
	if src := o.sourceLink(d.Pos); src != "" {
		fmt.Fprintf(&w, "source\n: %s\n\n", src)
	}

	panels := spec.Get("panels")
	if panels != nil && len(panels.Keys) > 0 {
		switch {
		case o.Preview:
			w.WriteString("## Live preview\n\n")
			writeLivePreview(&w, d, spec, panels, resolver, rec)
		case rec != nil:
			w.WriteString("## Recorded profiles\n\n")
			writeRecorded(&w, d, spec, panels, resolver, rec)
		}
		if recProblem != "" {
			w.WriteString(mdEscape(recProblem) + "\n\n")
		}
		w.WriteString("## Panels\n\n")
		if !o.Preview && rec == nil {
			writeGridPreview(&w, spec, panels)
		}
		for i, key := range panels.Keys {
			o.writePanel(&w, d, key, panels.Vals[i], resolver)
		}
	}
	if vars := spec.Get("variables").List(); len(vars) > 0 {
		w.WriteString("## Variables\n\n| name | kind | details |\n|---|---|---|\n")
		for _, v := range vars {
			kind, _ := v.Str("kind")
			vs := v.Get("spec")
			name, _ := vs.Str("name")
			var details []string
			if val, ok := vs.Str("value"); ok {
				details = append(details, "value `"+val+"`")
			}
			if pk, ok := vs.Get("plugin").Str("kind"); ok {
				details = append(details, "plugin "+pk)
			}
			fmt.Fprintf(&w, "| `%s` | %s | %s |\n", name, kind, cell(strings.Join(details, ", ")))
		}
		w.WriteString("\n")
	}
	w.WriteString("## Resource\n\nWhat pyrobuild writes for Perses:\n\n")
	fmt.Fprintf(&w, "```yaml\n%s```\n", diag.RedactURLs(string(bundle.Encode(redactHeaders(d.Node.Clone()), bundle.YAML))))
	return w.Bytes()
}

func (o *Options) writePanel(w *bytes.Buffer, d *model.Resource, key string, panel *model.Node, resolver *compiler.Resolver) {
	ps := panel.Get("spec")
	title := displayName(ps, key)
	fmt.Fprintf(w, "### %s\n\n", mdEscape(title))
	plugin := ps.Get("plugin")
	kind, _ := plugin.Str("kind")
	fmt.Fprintf(w, "Panel `%s`, plugin **%s**", key, kind)
	if opts := plugin.Get("spec"); opts != nil && len(opts.Keys) > 0 {
		var parts []string
		for i, k := range opts.Keys {
			parts = append(parts, fmt.Sprintf("`%s: %s`", k, opts.Vals[i].Literal()))
		}
		fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
	}
	w.WriteString(".\n\n")
	queries := ps.Get("queries").List()
	if len(queries) == 0 {
		return
	}
	w.WriteString("| query | profile type | service | filters | datasource |\n|---|---|---|---|---|\n")
	s := compiler.MustSchema()
	short := map[string]string{}
	for _, a := range s.AliasOrder {
		if _, dup := short[s.Aliases[a]]; !dup {
			short[s.Aliases[a]] = a
		}
	}
	for i, q := range queries {
		qp := q.Get("spec").Get("plugin")
		qkind, _ := qp.Str("kind")
		qs := qp.Get("spec")
		pt, _ := qs.Str("profileType")
		ptCell := "`" + pt + "`"
		if a := short[pt]; a != "" {
			ptCell += " (" + a + ")"
		}
		svc, _ := qs.Str("service")
		var filters []string
		for _, f := range qs.Get("filters").List() {
			n, _ := f.Str("labelName")
			op, _ := f.Str("operator")
			v, _ := f.Str("labelValue")
			filters = append(filters, fmt.Sprintf("`%s%s%q`", n, op, v))
		}
		ds := "—"
		if rd, ok := resolver.Resolve(d, qp); ok {
			ds = fmt.Sprintf("`%s` (%s", rd.Name, rd.Scope)
			if rd.Default {
				ds += ", default"
			}
			if u := datasourceURL(rd.Spec); u != "" {
				ds += ", " + u
			}
			ds += ")"
		}
		if qkind != "PyroscopeProfileQuery" {
			ptCell, svc = qkind, ""
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s |\n", i+1, cell(ptCell), cell(code(svc)), cell(strings.Join(filters, " ")), cell(ds))
	}
	w.WriteString("\n")
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

// datasourceURL says where a Pyroscope datasource points, without any
// header or secret.
func datasourceURL(spec *model.Node) string {
	if spec == nil {
		return ""
	}
	ps := spec.Get("plugin").Get("spec")
	if u, ok := ps.Str("directUrl"); ok {
		return "direct " + mdURL(u)
	}
	if u, ok := ps.Get("proxy").Get("spec").Str("url"); ok {
		return "proxy to " + mdURL(u)
	}
	return ""
}

// mdURL is a datasource URL for a markdown cell: credentials written in
// it redacted, and the marker's angle brackets escaped so that they are
// not read as HTML.
func mdURL(u string) string {
	return strings.NewReplacer("<", `\<`, ">", `\>`).Replace(diag.RedactURL(u))
}

// writeGridPreview draws the dashboard's grid layouts as boxes named after
// their panels, in plain HTML and CSS, laid out as Perses lays them: 24
// columns of the window's width, 30 px rows (pb-wide widens the page).
func writeGridPreview(w *bytes.Buffer, spec, panels *model.Node) {
	for _, l := range spec.Get("layouts").List() {
		items := l.Get("spec").Get("items").List()
		if len(items) == 0 {
			continue
		}
		type box struct {
			x, y, w, h int
			name       string
		}
		var boxes []box
		for _, it := range items {
			x, _ := intValue(it.Get("x"))
			y, _ := intValue(it.Get("y"))
			wd, _ := intValue(it.Get("width"))
			ht, _ := intValue(it.Get("height"))
			ref, _ := it.Get("content").Str("$ref")
			key := ref[strings.LastIndex(ref, "/")+1:]
			name := key
			if i := indexOf(panels.Keys, key); i >= 0 {
				name = displayName(panels.Vals[i].Get("spec"), key)
			}
			boxes = append(boxes, box{x, y, wd, ht, name})
		}
		sort.SliceStable(boxes, func(i, j int) bool {
			if boxes[i].y != boxes[j].y {
				return boxes[i].y < boxes[j].y
			}
			return boxes[i].x < boxes[j].x
		})
		w.WriteString(`<div class="grid-preview pb-wide" role="img" aria-label="Panel layout">`)
		for _, bx := range boxes {
			fmt.Fprintf(w, `<div class="grid-item" style="grid-column:%d / span %d;grid-row:%d / span %d">%s</div>`,
				bx.x+1, max(bx.w, 1), bx.y+1, max(bx.h, 1), html.EscapeString(bx.name))
		}
		w.WriteString("</div>\n\n")
	}
}

func intValue(n *model.Node) (int, bool) {
	if n == nil {
		return 0, false
	}
	var v int
	_, err := fmt.Sscan(n.Value, &v)
	return v, err == nil
}

func indexOf(keys []string, k string) int {
	for i, x := range keys {
		if x == k {
			return i
		}
	}
	return -1
}

// sourceLink names a source position, linked to the repository when the
// site knows its URL.
func (o *Options) sourceLink(p diag.Pos) string {
	if !p.IsValid() {
		return ""
	}
	rel := p.File
	if r, err := filepath.Rel(o.Root, p.File); err == nil && !strings.HasPrefix(r, "..") {
		rel = filepath.ToSlash(r)
	}
	text := fmt.Sprintf("`%s:%d`", rel, p.Line)
	if o.SourceURL == "" {
		return text
	}
	return fmt.Sprintf("[%s](%s%s#L%d)", text, o.SourceURL, rel, p.Line)
}

// mdEscape keeps user text from being read as markdown markup.
func mdEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;", "#", `\#`, "|", `\|`)
	return r.Replace(s)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// redactHeaders blanks the values of proxy headers: they may carry
// credentials (the compiler warns), and the site is public.
func redactHeaders(n *model.Node) *model.Node {
	if n == nil {
		return n
	}
	for i, k := range n.Keys {
		if k == "headers" && n.Vals[i] != nil {
			for _, v := range n.Vals[i].Vals {
				v.Value = "<redacted>"
			}
			continue
		}
		redactHeaders(n.Vals[i])
	}
	for _, it := range n.Items {
		redactHeaders(it)
	}
	return n
}

// writeLivePreview lays the dashboard's panels out on its grid as Perses
// does (24 columns of the window's width, 30 px rows; pb-wide widens the
// page), each FlameChart with what preview.js needs to fetch and draw its flame
// graph through the preview server's proxy. With a recording, the panels
// carry it too, for recording.js to draw when a query cannot be answered
// live. It is one HTML block (no blank line), so markdown passes it
// through.
func writeLivePreview(w *bytes.Buffer, d *model.Resource, spec, panels *model.Node, resolver *compiler.Resolver, rec *recording.File) {
	duration, _ := spec.Str("duration")
	fmt.Fprintf(w, `<div class="pb-preview pb-wide" data-duration="%s"`, html.EscapeString(duration))
	if rec != nil {
		fmt.Fprintf(w, ` data-recorded="%s"`, html.EscapeString(recordedLabel(rec)))
	}
	w.WriteString(">")
	w.WriteString(`<div class="pb-preview-toolbar"><label>Time range <select class="pb-range">`)
	ranges := []string{"5m", "15m", "30m", "1h", "3h", "6h", "12h", "24h", "2d", "7d"}
	if duration != "" && indexOf(ranges, duration) < 0 {
		ranges = append([]string{duration}, ranges...)
	}
	if duration == "" {
		duration = "1h"
	}
	for _, r := range ranges {
		sel := ""
		if r == duration {
			sel = " selected"
		}
		fmt.Fprintf(w, `<option value="%s"%s>last %s</option>`, r, sel, r)
	}
	w.WriteString(`</select></label> <button type="button" class="pb-refresh">Refresh</button></div>`)
	writePanelGrid(w, d, spec, panels, resolver, rec)
	w.WriteString("</div>\n\n")
}

// writePanelGrid lays the panels out on the dashboard's grid; with a
// recording, each FlameChart panel carries its recorded answers.
func writePanelGrid(w *bytes.Buffer, d *model.Resource, spec, panels *model.Node, resolver *compiler.Resolver, rec *recording.File) {
	w.WriteString(`<div class="pb-preview-grid">`)
	placed := map[string]bool{}
	for _, l := range spec.Get("layouts").List() {
		for _, it := range l.Get("spec").Get("items").List() {
			ref, _ := it.Get("content").Str("$ref")
			key := ref[strings.LastIndex(ref, "/")+1:]
			i := indexOf(panels.Keys, key)
			if i < 0 || placed[key] {
				continue
			}
			placed[key] = true
			x, _ := intValue(it.Get("x"))
			y, _ := intValue(it.Get("y"))
			wd, _ := intValue(it.Get("width"))
			ht, _ := intValue(it.Get("height"))
			writePreviewPanel(w, d, key, panels.Vals[i], resolver, rec, fmt.Sprintf("grid-column:%d / span %d;grid-row:%d / span %d", x+1, max(wd, 1), y+1, max(ht, 1)))
		}
	}
	for i, key := range panels.Keys {
		if !placed[key] {
			writePreviewPanel(w, d, key, panels.Vals[i], resolver, rec, "grid-column:1 / span 24;grid-row:auto / span 10")
		}
	}
	w.WriteString("</div>")
}

func writePreviewPanel(w *bytes.Buffer, d *model.Resource, key string, panel *model.Node, resolver *compiler.Resolver, rec *recording.File, style string) {
	ps := panel.Get("spec")
	title := displayName(ps, key)
	kind, _ := ps.Get("plugin").Str("kind")
	attrs := map[string]string{"data-kind": kind, "data-panel": key}
	note := ""
	queries := ps.Get("queries").List()
	switch {
	case kind != "FlameChart":
		note = fmt.Sprintf("The preview draws FlameChart panels; this is a %s panel.", kind)
	case len(queries) == 0:
		note = "This panel has no query."
	default:
		// One flame graph per query, each labelled with its query when
		// there are several (Perses draws them the same way, one per
		// query), each fetched through its own datasource's proxy.
		var pqs []previewQuery
		for _, q := range queries {
			qp := q.Get("spec").Get("plugin")
			qs := qp.Get("spec")
			pq := previewQuery{Query: recording.RenderQuery(qs), Filters: strings.Join(recording.FilterMatchers(qs), ",")}
			pq.ProfileType, _ = qs.Str("profileType")
			pq.Service, _ = qs.Str("service")
			if mn := qs.Get("maxNodes"); mn != nil {
				pq.MaxNodes = mn.Value
			}
			rd, ok := resolver.Resolve(d, qp)
			switch {
			case !ok:
				pq.Note = "The query's datasource is not among the sources."
			case rd.Scope == "server":
				pq.Note = fmt.Sprintf("Datasource %q exists only on the Perses server: the preview cannot reach it.", rd.Name)
			case rd.Scope == "global":
				pq.Proxy = ProxyPrefix + proxyroute.Global(rd.Name)
			case rd.Scope == "dashboard":
				pq.Proxy = ProxyPrefix + proxyroute.Dashboard(d.Project, d.Name, rd.Name)
			default:
				pq.Proxy = ProxyPrefix + proxyroute.Project(rd.Project, rd.Name)
			}
			pq.Datasource = rd.Name
			pqs = append(pqs, pq)
		}
		js, _ := json.Marshal(pqs)
		attrs["data-queries"] = string(js)
		if r := recordedAnswers(rec, key, pqs); r != "" {
			attrs["data-recording"] = r
		}
		opts := ps.Get("plugin").Get("spec")
		var parts []string
		if opts != nil {
			for i, k := range opts.Keys {
				parts = append(parts, fmt.Sprintf("%q:%s", k, jsonLiteral(opts.Vals[i])))
			}
		}
		attrs["data-options"] = "{" + strings.Join(parts, ",") + "}"
	}
	attrs["data-hash"] = panelHash(attrs, note)
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintf(w, `<section class="pb-panel" style="%s"`, style)
	for _, k := range names {
		fmt.Fprintf(w, ` %s="%s"`, k, html.EscapeString(attrs[k]))
	}
	fmt.Fprintf(w, `><div class="pb-panel-title">%s</div><div class="pb-panel-body" aria-live="polite">`, html.EscapeString(title))
	if note != "" {
		fmt.Fprintf(w, `<p class="pb-state">%s</p>`, html.EscapeString(note))
	}
	w.WriteString(`</div></section>`)
}

// panelHash identifies what a preview panel draws: its kind, queries,
// options, recording and note, not its title or its place on the grid.
// The preview server's live script compares it across rebuilds, so that a
// panel whose hash is unchanged keeps its flame graphs (and their zoom,
// search and scroll) and only a changed one queries again; a new recording
// from pyrobuild snapshot changes it.
func panelHash(attrs map[string]string, note string) string {
	h := sha256.New()
	for _, k := range []string{"data-kind", "data-queries", "data-options", "data-recording"} {
		fmt.Fprintf(h, "%s=%q\n", k, attrs[k])
	}
	fmt.Fprintf(h, "note=%q\n", note)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// previewQuery is what preview.js needs of one query of a FlameChart
// panel: the /pyroscope/render query, and the proxy path of its datasource
// (none, with a note, when the preview cannot reach it).
type previewQuery struct {
	Query string `json:"query"`
	// ProfileType, Service and Filters (the filters' matchers) let the
	// page say why an answer is empty.
	ProfileType string `json:"profileType,omitempty"`
	Service     string `json:"service,omitempty"`
	Filters     string `json:"filters,omitempty"`
	MaxNodes    string `json:"maxNodes,omitempty"`
	Proxy       string `json:"proxy,omitempty"`
	Datasource  string `json:"datasource,omitempty"`
	Note        string `json:"note,omitempty"`
}

func jsonLiteral(n *model.Node) string {
	if n.Kind == model.StringKind {
		return fmt.Sprintf("%q", n.Value)
	}
	return n.Value
}

// cell escapes text for a cell of a markdown table.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}
