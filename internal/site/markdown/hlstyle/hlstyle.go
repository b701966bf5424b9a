// Package hlstyle holds the two chroma styles the site's code highlighting
// uses, github (light) and github-dark, as XML files embedded here and
// parsed on first use.
//
// chroma's styles package parses all of its 70-odd styles when the program
// starts, whatever the command: a third of the start-up of every pyrobuild
// command, for the two styles only build and serve use. The files are
// chroma's own (v2.27.0, MIT licence, copyright Alec Thomas), written by
// `go test ./internal/site/markdown/hlstyle -update` from the chroma this
// module requires; the test fails when they drift from it.
package hlstyle

import (
	"bytes"
	"embed"
	"sync"

	"github.com/alecthomas/chroma/v2"
)

//go:embed *.xml
var files embed.FS

// Names are the styles this package holds, light first.
var Names = [2]string{"github", "github-dark"}

var load = sync.OnceValue(func() map[string]*chroma.Style {
	m := make(map[string]*chroma.Style, len(Names))
	for _, name := range Names {
		data, err := files.ReadFile(name + ".xml")
		if err != nil {
			panic(err) // embedded: cannot happen
		}
		s, err := chroma.NewXMLStyle(bytes.NewReader(data))
		if err != nil {
			panic("hlstyle: " + name + ".xml: " + err.Error())
		}
		m[name] = s
	}
	return m
})

// Get returns the named style, or nil when this package does not hold it.
func Get(name string) *chroma.Style { return load()[name] }
