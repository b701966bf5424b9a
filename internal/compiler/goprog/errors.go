package goprog

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/dacproto"
)

// errorsMark is how the SDK starts a document: the document that lists
// the mistakes is found after output the program printed first.
var errorsMark = []byte("{\n  \"pyrobuild\": ")

// errorsDoc is a protocol-2 document that lists mistakes.
type errorsDoc struct {
	Pyrobuild int `json:"pyrobuild"`
	Errors    []struct {
		At      []int    `json:"at"`
		Message []string `json:"message"`
		Quoted  [][]int  `json:"quoted"`
	} `json:"errors"`
	Frames []dacproto.Frame `json:"frames"`
}

// Mistakes reads the mistakes that a failed protocol-2 program, which ran
// in dir, lists in its output, and returns its standard error with the
// lines the SDK printed for them ("file:line: message") replaced by
// protocol 1's, with columns ("file:line:col: message"), so that they
// are read as protocol 1's are. It returns stderr as it is when the
// output lists no mistakes.
func Mistakes(dir string, stdout []byte, stderr string) string {
	i := bytes.LastIndex(stdout, errorsMark)
	if i < 0 {
		return stderr
	}
	var doc errorsDoc
	if err := json.Unmarshal(stdout[i:], &doc); err != nil || doc.Pyrobuild < 2 || doc.Pyrobuild > dacproto.Version || doc.Errors == nil {
		return stderr
	}
	stack := func(s []int) []dacproto.Frame {
		var fs []dacproto.Frame
		for _, n := range s {
			if n < 0 || n >= len(doc.Frames) {
				return nil
			}
			fs = append(fs, doc.Frames[n])
		}
		return fs
	}
	r := NewResolver(dir)
	lineOnly := func(s []dacproto.Frame) string {
		if len(s) == 0 {
			return "?"
		}
		return r.format(s[0].File, s[0].Line, 0)
	}
	var printed, resolved []string
	for _, e := range doc.Errors {
		if len(e.Message) != len(e.Quoted)+1 {
			return stderr
		}
		// As the SDK printed it, and as a protocol-1 program did.
		var p, q strings.Builder
		if at := stack(e.At); len(at) > 0 && at[0].Line > 0 {
			p.WriteString(lineOnly(at) + ": ")
			q.WriteString(r.Position(at, nil) + ": ")
		}
		for j, part := range e.Message {
			if j > 0 {
				s := stack(e.Quoted[j-1])
				p.WriteString(lineOnly(s))
				q.WriteString(r.Position(s, nil))
			}
			p.WriteString(part)
			q.WriteString(part)
		}
		printed, resolved = append(printed, p.String()), append(resolved, q.String())
	}
	block := strings.Join(printed, "\n")
	if j := strings.LastIndex(stderr, block); j >= 0 {
		return stderr[:j] + strings.Join(resolved, "\n") + stderr[j+len(block):]
	}
	return strings.Join(resolved, "\n") + "\n"
}
