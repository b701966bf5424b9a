package compiler

import "github.com/pyrobuild/pyrobuild/internal/compiler/model"

// Package bundle writes the compiler's output and imports the compiler, so
// the compiler's own tests, which compare and exercise output bytes, reach
// it through these stand-ins for its names. The external test package
// fills them in (output_ext_test.go); they are the same test binary.

// Format is bundle.Format.
type Format string

// The formats of bundle.
const (
	YAML Format = "yaml"
	JSON Format = "json"
)

// OutputFile is bundle.OutputFile.
type OutputFile struct {
	Path string
	Data []byte
}

var (
	bundleEncode func(n *model.Node, f Format) []byte
	bundleLayout func(rs []*model.Resource, f Format) []OutputFile
)

// SetBundle gives the tests of package compiler bundle.Encode and
// bundle.Layout.
func SetBundle(encode func(n *model.Node, f Format) []byte, layout func(rs []*model.Resource, f Format) []OutputFile) {
	bundleEncode, bundleLayout = encode, layout
}

// Encode is bundle.Encode.
func Encode(n *model.Node, f Format) []byte { return bundleEncode(n, f) }

// Layout is bundle.Layout.
func Layout(rs []*model.Resource, f Format) []OutputFile { return bundleLayout(rs, f) }
