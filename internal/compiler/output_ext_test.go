package compiler_test

import (
	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// The compiler's own tests encode and lay out output with package bundle
// (see output_test.go).
func init() {
	compiler.SetBundle(
		func(n *model.Node, f compiler.Format) []byte { return bundle.Encode(n, bundle.Format(f)) },
		func(rs []*model.Resource, f compiler.Format) []compiler.OutputFile {
			var out []compiler.OutputFile
			for _, of := range bundle.Layout(rs, bundle.Format(f)) {
				out = append(out, compiler.OutputFile{Path: of.Path, Data: of.Data})
			}
			return out
		})
}
