package markdown

import (
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// examples collects the fenced code blocks whose info string's second word
// is "example", as in "```cue example expect=PB1203 title="Bad query"", so
// that the docs' tests can compile every example and check that it fails
// (or not) as the page says. The block still renders as code, with an
// "example" class and its title, if any, above it. Other fences may carry
// a title too.
type examples struct{}

func (examples) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(
		util.Prioritized(examples{}, 130),
	))
}

func (examples) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	p := pageOf(pc)
	src := reader.Source()
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if n.Type() == ast.TypeInline {
			return ast.WalkSkipChildren, nil
		}
		f, ok := n.(*ast.FencedCodeBlock)
		if !ok || f.Info == nil {
			return ast.WalkContinue, nil
		}
		words := splitInfo(string(f.Info.Segment.Value(src)))
		if len(words) < 2 || words[1][0] != "example" || words[1][1] != "" {
			// Any fence may carry a title (```yaml title="bundle.yaml"),
			// shown above the code like an example's.
			for _, w := range words[min(len(words), 1):] {
				if w[0] == "title" && w[1] != "" {
					f.SetAttributeString("title", w[1])
				}
			}
			return ast.WalkContinue, nil
		}
		ex := Example{
			Lang:  words[0][0],
			Attrs: map[string]string{},
			Code:  f.Lines().Value(src),
		}
		for _, w := range words[2:] {
			ex.Attrs[w[0]] = w[1]
		}
		if f.Lines().Len() > 0 {
			ex.Line = p.line(f.Lines().At(0).Start)
		} else {
			ex.Line = p.line(f.Pos()) + 1 // where the code would be
		}
		p.doc.Examples = append(p.doc.Examples, ex)
		f.SetAttributeString("class", "example")
		if t := ex.Attrs["title"]; t != "" {
			f.SetAttributeString("title", t)
		}
		return ast.WalkSkipChildren, nil
	})
}

// splitInfo splits an info string into words, each a key and a value:
// key=value, key="quoted value" (with \" and \\ escapes) or a bare word,
// whose value is "".
func splitInfo(s string) [][2]string {
	var words [][2]string
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return words
		}
		end := strings.IndexAny(s, " \t=")
		if end < 0 {
			end = len(s)
		}
		key := s[:end]
		s = s[end:]
		if !strings.HasPrefix(s, "=") {
			words = append(words, [2]string{key, ""})
			continue
		}
		s = s[1:]
		var val strings.Builder
		if strings.HasPrefix(s, `"`) {
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				val.WriteByte(s[i])
			}
			s = s[min(i+1, len(s)):]
		} else {
			end := strings.IndexAny(s, " \t")
			if end < 0 {
				end = len(s)
			}
			val.WriteString(s[:end])
			s = s[end:]
		}
		words = append(words, [2]string{key, val.String()})
	}
}
