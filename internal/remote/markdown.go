package remote

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// WriteMarkdown prints d as a pull-request comment or an Actions job
// summary: a headline with the counts, then a table of the resources
// that differ and, folded, each changed field. Values are those of
// bundle's diff: credentials masked, long values shortened.
func WriteMarkdown(w io.Writer, d *bundle.DiffResult, server string, prune bool) error {
	var b bytes.Buffer
	added, removed, changed := d.Count()
	fmt.Fprintf(&b, "### pyrobuild diff against `%s`\n\n", server)
	if d.Empty() {
		fmt.Fprintf(&b, "No changes: the server holds exactly what the sources compile to (%d resources).\n", d.Unchanged)
		_, err := w.Write(b.Bytes())
		return err
	}
	fmt.Fprintf(&b, "Merging this will **create %d**, **update %d**", added, changed)
	if prune {
		fmt.Fprintf(&b, ", **delete %d**", removed)
	}
	fmt.Fprintf(&b, " and leave %d unchanged.\n\n", d.Unchanged)
	b.WriteString("| | resource | fields |\n|---|---|---|\n")
	for _, c := range d.Changes {
		sign := map[string]string{bundle.Added: "➕ create", bundle.Removed: "🗑️ delete", bundle.Changed: "✏️ update"}[c.Op]
		fields := ""
		if c.Op == bundle.Changed {
			fields = fmt.Sprint(len(c.Fields))
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s |\n", sign, c.ID, fields)
	}
	for _, c := range d.Changes {
		if c.Op != bundle.Changed {
			continue
		}
		fmt.Fprintf(&b, "\n<details><summary><code>%s</code></summary>\n\n```diff\n", c.ID)
		for _, f := range c.Fields {
			path := f.Path
			if path == "" {
				path = "/"
			}
			if len(f.Old) > 0 {
				fmt.Fprintf(&b, "- %s: %s\n", path, oneLine(string(f.Old)))
			}
			if len(f.New) > 0 {
				fmt.Fprintf(&b, "+ %s: %s\n", path, oneLine(string(f.New)))
			}
		}
		b.WriteString("```\n\n</details>\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// oneLine shortens a JSON value for a line of the table: no backticks
// fence breaks, at most 200 runes.
func oneLine(s string) string {
	s = strings.ReplaceAll(s, "```", "` ` `")
	r := []rune(s)
	if len(r) > 200 {
		return string(r[:199]) + "…"
	}
	return s
}

// Annotations are d's changes as notes at the sources of the resources
// (a resource only the server holds has none), for --diagnostics github:
// a pull request then shows, on each changed file, what the merge changes
// on the server.
func (st *State) Annotations(d *bundle.DiffResult) diag.Diagnostics {
	pos := map[string]diag.Pos{}
	for _, it := range st.Items {
		pos[it.Local.ID()] = it.Local.Pos
	}
	var ds diag.Diagnostics
	for _, c := range d.Changes {
		var msg string
		switch c.Op {
		case bundle.Added:
			msg = c.ID + " will be created on the server"
		case bundle.Removed:
			msg = c.ID + " will be deleted from the server (--prune)"
		default:
			var fields []string
			for _, f := range c.Fields {
				fields = append(fields, f.Path)
			}
			msg = fmt.Sprintf("%s will change on the server: %s", c.ID, strings.Join(fields, ", "))
		}
		ds = append(ds, diag.Diagnostic{Severity: diag.Info, Pos: pos[c.ID], Message: msg})
	}
	return ds
}
