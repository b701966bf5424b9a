package site

import (
	"context"
	"fmt"

	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/parallel"
	"github.com/pyrobuild/pyrobuild/internal/site/examples"
	"github.com/pyrobuild/pyrobuild/internal/site/markdown"
	"github.com/pyrobuild/pyrobuild/internal/site/sitediag"
)

// checkExamples compiles the examples of the pages (see package
// examples), those of one page that share a group together.
func (b *Builder) checkExamples(ctx context.Context, pages []*Page) (diag.Diagnostics, error) {
	type item struct {
		p   *Page
		exs []markdown.Example // one, or a group's
	}
	var items []item
	for _, p := range pages {
		groups := map[string]int{} // group name -> index in items
		for _, ex := range p.Doc.Examples {
			if g := ex.Attrs["group"]; g != "" {
				if i, ok := groups[g]; ok {
					items[i].exs = append(items[i].exs, ex)
					continue
				}
				groups[g] = len(items)
			}
			items = append(items, item{p, []markdown.Example{ex}})
		}
	}
	runs := make([][]examples.Run, len(items))
	if err := parallel.Run(ctx, len(items), b.cfg.Workers, func(i int) {
		runs[i] = b.examples.Run(ctx, items[i].exs)
	}); err != nil {
		return nil, err
	}
	var diags diag.Diagnostics
	for i, it := range items {
		for j, ex := range it.exs {
			diags = append(diags, examples.Diagnostics(it.p.File, it.p.src, ex, runs[i][j])...)
		}
	}
	return diags, nil
}

// emptyExamples reports the examples that hold no code (blank lines,
// comments, YAML document markers), which would compile cleanly and so
// check nothing, each at its opening fence. It returns the pages with
// only the other examples, to compile.
func emptyExamples(pages []*Page) ([]*Page, diag.Diagnostics) {
	var diags diag.Diagnostics
	out, copied := pages, false
	for i, p := range pages {
		var kept []markdown.Example
		for _, ex := range p.Doc.Examples {
			if !examples.Blank(ex) {
				kept = append(kept, ex)
				continue
			}
			diags = append(diags, diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeExample,
				Pos:     diag.Pos{File: p.File, Line: max(ex.Line-1, 1), Col: 1},
				Message: fmt.Sprintf("%s example is empty: there is nothing to compile", ex.Lang),
				Hint:    "write the example's code, or drop the word example from the fence"})
		}
		if len(kept) == len(p.Doc.Examples) {
			continue
		}
		if !copied {
			out, copied = append([]*Page(nil), pages...), true // pages stays as it is
		}
		c, d := *p, *p.Doc
		d.Examples, c.Doc = kept, &d
		out[i] = &c
	}
	return out, diags
}
