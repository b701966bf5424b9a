package compiler_test

import (
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// goProtocolCases are Go programs under testdata/go/protocol whose
// positions exercise the protocol's versions: one printing a protocol-1
// document by hand, as a program built against an older SDK does, and
// ones built against this SDK. Columns were worked out by reading the
// .go files.
var goProtocolCases = []brokenCase{
	{file: "../go/protocol/v1-positions", want: []wantDiag{
		// Where the document's positions say, as protocol 1 always read.
		errAt(model.CodeUnknownProfile, 11, 20, `unknown profile type "cpuu"`).inFile("../go/protocol/v1-positions/main.go"),
		// Inherited from the resource's position.
		warnAt(model.CodeNoService, 12, 6, "profile query has no service").inFile("../go/protocol/v1-positions/main.go"),
	}},
	{file: "../go/protocol/same-line-calls", want: []wantDiag{
		// Each query at its own ProfileQuery call of the line, the bad
		// profile type (a variable, not a literal) at the second
		// ProfileType call.
		warnAt(model.CodeNoService, 9, 81, "profile query has no service").inFile("../go/protocol/same-line-calls/main.go"),
		warnAt(model.CodeNoService, 9, 122, "profile query has no service").inFile("../go/protocol/same-line-calls/main.go"),
		errAt(model.CodeUnknownProfile, 9, 139, `unknown profile type "cpuu"`).inFile("../go/protocol/same-line-calls/main.go"),
	}},
}

func TestGoProtocol(t *testing.T) {
	needGo(t)
	for _, c := range goProtocolCases {
		t.Run(c.file[strings.LastIndex(c.file, "/")+1:], func(t *testing.T) {
			res, err := compileCase(c)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if probs := c.problems(res); len(probs) > 0 {
				var got []string
				for _, d := range res.Diagnostics {
					got = append(got, "  "+formatDiag(d))
				}
				t.Errorf("%s:\n  %s\nall diagnostics:\n%s", c.file, strings.Join(probs, "\n  "), strings.Join(got, "\n"))
			}
		})
	}
}
