package goprog

import "testing"

func TestMistakes(t *testing.T) {
	c := readSource(t, "calls.go")
	const rows = "dac.Row(1, 12, a)"
	l := c.at(rows, "", 0)
	doc := `{
  "pyrobuild": 2,
  "errors": [
    {"at": [0], "message": ["dac: Row: perRow is 0"]},
    {"at": [1], "message": ["dac: two rows (the other is at ", ")"], "quoted": [[0]]},
    {"message": ["dac: resource 2 of 2 is nil"]}
  ],
  "frames": [
    {"file": "calls.go", "line": ` + l[len("calls.go:"):] + `, "func": "Row", "rank": 0, "calls": 2},
    {"file": "calls.go", "line": ` + l[len("calls.go:"):] + `, "func": "Row", "rank": 1, "calls": 2}
  ]
}
`
	printed := l + ": dac: Row: perRow is 0\n" + l + ": dac: two rows (the other is at " + l + ")\ndac: resource 2 of 2 is nil\n"
	first, second := c.at(rows, "Row(", 1), c.at(rows, "Row(", 2)
	resolved := first + ": dac: Row: perRow is 0\n" + second + ": dac: two rows (the other is at " + first + ")\ndac: resource 2 of 2 is nil\n"
	cases := []struct {
		name           string
		stdout, stderr string
		want           string
	}{
		{"the SDK's lines", doc, printed, resolved},
		{"after the program's own", "debug\n" + doc, "x.go:1: debug\n" + printed, "x.go:1: debug\n" + resolved},
		{"stderr cut short", doc, "", resolved},
		{"no mistakes", "", "panic: x\n", "panic: x\n"},
		{"protocol 1", `{` + "\n" + `  "pyrobuild": 1, "resources": []}`, "m.go:1:2: dac: x\n", "m.go:1:2: dac: x\n"},
		{"not JSON", doc[:40], printed, printed},
	}
	for _, tc := range cases {
		if got := Mistakes("testdata", []byte(tc.stdout), tc.stderr); got != tc.want {
			t.Errorf("%s:\n%s\nwant\n%s", tc.name, got, tc.want)
		}
	}
}
