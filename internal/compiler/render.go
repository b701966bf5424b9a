package compiler

import (
	"io"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// TextRenderer writes diagnostics for people, quoting the compiled
// sources: see diag.TextRenderer. Sources and Color must not change once
// it has rendered.
type TextRenderer struct {
	Sources map[string]*model.Source
	Color   bool

	tr *diag.TextRenderer
}

func (r *TextRenderer) text() *diag.TextRenderer {
	if r.tr == nil {
		r.tr = &diag.TextRenderer{Files: sourceText(r.Sources), Color: r.Color}
	}
	return r.tr
}

// Render writes one diagnostic.
func (r *TextRenderer) Render(w io.Writer, d diag.Diagnostic) { r.text().Render(w, d) }

// Excerpt writes only the source excerpt of d.
func (r *TextRenderer) Excerpt(w io.Writer, d diag.Diagnostic) { r.text().Excerpt(w, d) }

// sourceText gives renderers the text of the sources.
func sourceText(sources map[string]*model.Source) diag.FileText {
	return func(file string) ([]byte, bool) {
		if src := sources[file]; src != nil {
			return src.Data, true
		}
		return nil, false
	}
}
