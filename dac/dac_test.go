package dac_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/dac"
	"github.com/pyrobuild/pyrobuild/internal/compiler/goprog"
	"github.com/pyrobuild/pyrobuild/internal/dacproto"
)

// line returns the line it is called from, so expectations follow edits.
func line() int {
	_, _, l, _ := runtime.Caller(1)
	return l
}

// document is the protocol as a reader sees it.
type document struct {
	Pyrobuild int               `json:"pyrobuild"`
	Resources []json.RawMessage `json:"resources"`
	Positions map[string][]int  `json:"positions"`
	Frames    []dacproto.Frame  `json:"frames"`
	Errors    []struct {
		At      []int    `json:"at"`
		Message []string `json:"message"`
		Quoted  [][]int  `json:"quoted"`
	} `json:"errors"`

	// at is the position of each value of Positions, found in the
	// sources as pyrobuild finds it.
	at map[string]string
}

func write(t *testing.T, rs ...*dac.Resource) document {
	t.Helper()
	var b bytes.Buffer
	if err := dac.Write(&b, rs...); err != nil {
		t.Fatal(err)
	}
	doc := decode(t, b.Bytes())
	res := goprog.NewResolver(".")
	doc.at = map[string]string{}
	for key, s := range doc.Positions {
		idx, ptr, _ := strings.Cut(key, "/")
		i, err := strconv.Atoi(idx)
		if err != nil || i >= len(doc.Resources) {
			t.Fatalf("position key %q names no resource", key)
		}
		var lit *string
		if ptr != "" {
			if v, ok := lookup(t, doc.Resources[i], "/"+ptr).(string); ok {
				lit = &v
			}
		}
		doc.at[key] = res.Position(doc.stack(t, s), lit)
	}
	return doc
}

func decode(t *testing.T, b []byte) document {
	t.Helper()
	var doc document
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	if doc.Pyrobuild != dacproto.Version {
		t.Errorf("pyrobuild = %d, want %d", doc.Pyrobuild, dacproto.Version)
	}
	return doc
}

// stack returns the frames of a stack of indices.
func (doc document) stack(t *testing.T, s []int) []dacproto.Frame {
	t.Helper()
	var fs []dacproto.Frame
	for _, i := range s {
		if i < 0 || i >= len(doc.Frames) {
			t.Fatalf("frame %d of %d", i, len(doc.Frames))
		}
		fs = append(fs, doc.Frames[i])
	}
	return fs
}

// mistakes returns err's mistakes as pyrobuild reports them, at their
// columns: "file:line:col: dac: message".
func mistakes(t *testing.T, err error) []string {
	t.Helper()
	var de *dac.Error
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want *dac.Error", err)
	}
	doc := decode(t, dac.ErrorDocument(de))
	res := goprog.NewResolver(".")
	var lines []string
	for _, e := range doc.Errors {
		l := ""
		if len(e.At) > 0 {
			l = res.Position(doc.stack(t, e.At), nil) + ": "
		}
		for i, part := range e.Message {
			if i > 0 {
				l += res.Position(doc.stack(t, e.Quoted[i-1]), nil)
			}
			l += part
		}
		lines = append(lines, l)
	}
	return lines
}

// lookup returns the value at a JSON pointer of a resource.
func lookup(t *testing.T, raw json.RawMessage, ptr string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	for _, k := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		k = strings.NewReplacer("~1", "/", "~0", "~").Replace(k)
		switch c := v.(type) {
		case map[string]any:
			v = c[k]
		case []any:
			i, _ := strconv.Atoi(k)
			if i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

// position returns the position of the value at key, inherited from the
// nearest enclosing value that has one, as pyrobuild reads it.
func position(doc document, key string) string {
	for {
		if p, ok := doc.at[key]; ok {
			return p
		}
		i := strings.LastIndex(key, "/")
		if i < 0 {
			return ""
		}
		key = key[:i]
	}
}

func TestProtocol(t *testing.T) {
	q := dac.ProfileType("cpuu")
	qLine := line() - 1
	d := dac.Dashboard("p", "cpu", dac.Row(2, 12, dac.FlameChart("api", dac.ProfileQuery(q, dac.Query(`{service_name="api"}`)))))
	dLine := line() - 1
	doc := write(t, dac.Project("p"), d)
	if doc.Pyrobuild != dac.ProtocolVersion || dac.ProtocolVersion != 2 {
		t.Errorf("pyrobuild = %d, want %d", doc.Pyrobuild, dac.ProtocolVersion)
	}
	if len(doc.Resources) != 2 {
		t.Fatalf("%d resources", len(doc.Resources))
	}
	ptr := "/spec/panels/api/spec/queries/0/spec/plugin/spec/profileType"
	if v := lookup(t, doc.Resources[1], ptr); v != "cpuu" {
		t.Errorf("profileType = %v", v)
	}
	// The value's position is the ProfileType call's line, at its literal.
	if got, want := position(doc, "1"+ptr), "dac_test.go:"+strconv.Itoa(qLine)+":23"; got != want {
		t.Errorf("profileType at %q, want %q", got, want)
	}
	if got, want := position(doc, "1/spec/layouts/0/spec/items/0/width"), "dac_test.go:"+strconv.Itoa(dLine)+":37"; got != want {
		t.Errorf("grid item at %q, want the Row call %q", got, want)
	}
	if got, want := position(doc, "1"), "dac_test.go:"+strconv.Itoa(dLine)+":11"; got != want {
		t.Errorf("dashboard at %q, want %q", got, want)
	}
	// Every key names a value that exists.
	for key := range doc.Positions {
		idx, ptr, _ := strings.Cut(key, "/")
		i, err := strconv.Atoi(idx)
		if err != nil || i >= len(doc.Resources) {
			t.Errorf("position key %q names no resource", key)
			continue
		}
		if ptr != "" && lookup(t, doc.Resources[i], "/"+ptr) == nil {
			t.Errorf("position key %q names no value", key)
		}
	}
}

// flameLine is the line of flame's return statement.
var flameLine int

// flame is a helper of the user's: a value passed through it is reported
// where the literal is written, a value it writes itself where it does.
func flame(key, profileType string) *dac.Panel {
	flameLine = line() + 1
	return dac.FlameChart(key, dac.ProfileQuery(dac.ProfileType(profileType), dac.Query(`{service_name="api"}`)))
}

func TestPositionsThroughHelper(t *testing.T) {
	d := dac.Dashboard("p", "d", dac.Row(1, 8, flame("cpu", "cpuu")))
	callLine := line() - 1
	doc := write(t, d)
	q := "0/spec/panels/cpu/spec/queries/0/spec/plugin/spec/"
	if got, want := position(doc, q+"profileType"), "dac_test.go:"+strconv.Itoa(callLine)+":58"; got != want {
		t.Errorf("profileType at %q, want the literal at the call site %q", got, want)
	}
	if got, want := position(doc, q+"query"), "dac_test.go:"+strconv.Itoa(flameLine)+":86"; got != want {
		t.Errorf("query at %q, want the literal in the helper %q", got, want)
	}
}

// column returns the 1-based column of the n-th (from 1) occurrence of sub
// on the source line l of this file.
func column(t *testing.T, l int, sub string, n int) int {
	t.Helper()
	b, err := os.ReadFile("dac_test.go")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Split(string(b), "\n")[l-1]
	at := -1
	for range n {
		i := strings.Index(text[at+1:], sub)
		if i < 0 {
			t.Fatalf("line %d has fewer than %d %q", l, n, sub)
		}
		at += 1 + i
	}
	return at + 1
}

// TestSameLineCalls: a literal is found among the arguments of the call
// that passed it, not wherever it first appears on the line, and two calls
// of one function on one line are told apart.
func TestSameLineCalls(t *testing.T) {
	d := dac.Dashboard("p", "d", dac.Row(1, 8, dac.FlameChart("a", dac.Display("memroy"), dac.ProfileQuery(dac.ProfileType("memroy")))))
	l := line() - 1
	doc := write(t, d)
	at := func(ptr string) string { return position(doc, "0/spec/panels/a/spec/"+ptr) }
	if got, want := at("queries/0/spec/plugin/spec/profileType"), "dac_test.go:"+strconv.Itoa(l)+":"+strconv.Itoa(column(t, l, `"memroy"`, 2)); got != want {
		t.Errorf("profileType at %q, want ProfileType's literal %q", got, want)
	}
	if got, want := at("display/name"), "dac_test.go:"+strconv.Itoa(l)+":"+strconv.Itoa(column(t, l, `"memroy"`, 1)); got != want {
		t.Errorf("display name at %q, want Display's literal %q", got, want)
	}

	// Through a helper called twice on one line.
	d = dac.Dashboard("p", "d", dac.Row(2, 8, flame("cpu", "cpuu"), flame("mem", "cpuu")))
	l = line() - 1
	doc = write(t, d)
	for i, key := range []string{"cpu", "mem"} {
		ptr := "0/spec/panels/" + key + "/spec/queries/0/spec/plugin/spec/profileType"
		if got, want := position(doc, ptr), "dac_test.go:"+strconv.Itoa(l)+":"+strconv.Itoa(column(t, l, `"cpuu"`, i+1)); got != want {
			t.Errorf("%s: profileType at %q, want %q", key, got, want)
		}
	}

	// Two panels of one key on one line: each at its own call.
	err := dac.Write(io.Discard, dac.Dashboard("p", "dup", dac.Row(1, 8, dac.FlameChart("x"), dac.FlameChart("x"))))
	l = line() - 1
	first, second := column(t, l, "FlameChart", 1), column(t, l, "FlameChart", 2)
	want := fmt.Sprintf("dac_test.go:%d:%d: dac: two panels have the key \"x\" (the other is at dac_test.go:%d:%d)", l, second, l, first)
	if got := mistakes(t, err); len(got) != 1 || got[0] != want {
		t.Errorf("mistakes %q\nwant %s", got, want)
	}

	// Two rows on one line: each grid at its own Row call.
	a, b := dac.FlameChart("a"), dac.FlameChart("b")
	doc = write(t, dac.Dashboard("p", "d", dac.Row(1, 12, a), dac.Row(1, 12, b)))
	l = line() - 1
	for i := range 2 {
		ptr := "0/spec/layouts/" + strconv.Itoa(i)
		if got, want := position(doc, ptr), "dac_test.go:"+strconv.Itoa(l)+":"+strconv.Itoa(column(t, l, "Row", i+1)); got != want {
			t.Errorf("layout %d at %q, want %q", i, got, want)
		}
	}

	// A call made in a loop is one call.
	var panels []*dac.Panel
	for _, k := range []string{"a", "b", "c"} {
		panels = append(panels, dac.FlameChart(k, dac.Display("same")))
	}
	l = line() - 2
	doc = write(t, dac.Dashboard("p", "d", dac.Row(3, 8, panels...)))
	for _, k := range []string{"a", "b", "c"} {
		if got, want := position(doc, "0/spec/panels/"+k+"/spec/display/name"), "dac_test.go:"+strconv.Itoa(l)+":"+strconv.Itoa(column(t, l, `"same"`, 1)); got != want {
			t.Errorf("%s: display at %q, want %q", k, got, want)
		}
	}
}

func TestRowsAndPlacement(t *testing.T) {
	a := dac.FlameChart("a")
	b := dac.FlameChart("b")
	c := dac.FlameChart("c")
	d := dac.Dashboard("p", "d",
		dac.Row(2, 6, a, b, c),
		dac.Grid(dac.Title("More"), dac.Collapsible(false),
			dac.Place(a, 0, 3, 12, 4),
			dac.Row(5, 2, b),
		),
	)
	doc := write(t, d)
	r := doc.Resources[0]
	type item struct{ x, y, w, h float64 }
	items := func(layout int) []item {
		var out []item
		for i := 0; ; i++ {
			p := "/spec/layouts/" + strconv.Itoa(layout) + "/spec/items/" + strconv.Itoa(i)
			if lookup(t, r, p) == nil {
				return out
			}
			out = append(out, item{lookup(t, r, p+"/x").(float64), lookup(t, r, p+"/y").(float64), lookup(t, r, p+"/width").(float64), lookup(t, r, p+"/height").(float64)})
		}
	}
	if got, want := items(0), []item{{0, 0, 12, 6}, {12, 0, 12, 6}, {0, 6, 12, 6}}; !equal(got, want) {
		t.Errorf("Row(2, 6): %v, want %v", got, want)
	}
	// 24/5 = 4 columns wide; below what Place put down.
	if got, want := items(1), []item{{0, 3, 12, 4}, {0, 7, 4, 2}}; !equal(got, want) {
		t.Errorf("Grid: %v, want %v", got, want)
	}
	if v := lookup(t, r, "/spec/layouts/1/spec/display/collapse/open"); v != false {
		t.Errorf("collapse.open = %v", v)
	}
	// A panel placed twice is defined once.
	var panels map[string]any
	json.Unmarshal(mustJSON(t, lookup(t, r, "/spec/panels")), &panels)
	if len(panels) != 3 {
		t.Errorf("panels %v, want a, b, c", panels)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMisuse(t *testing.T) {
	api := dac.FlameChart("api")
	other := dac.FlameChart("api")
	l := line()
	rs := []*dac.Resource{
		dac.Dashboard("p", "zero", dac.Row(0, 8, api)),
		dac.Dashboard("p", "dup", dac.Row(2, 8, api, other)),
		dac.Dashboard("p", "nil", dac.Place(nil, 0, 0, 1, 1)),
		dac.Dashboard("p", "ds", dac.DashboardDatasource("x", dac.Tags("t")),
			dac.DashboardDatasource("x")),
		nil,
	}
	var b bytes.Buffer
	err := dac.Write(&b, rs...)
	if b.Len() != 0 {
		t.Errorf("wrote %q despite the errors", b.String())
	}
	want := []string{
		"dac_test.go:" + strconv.Itoa(l+2) + ":34: dac: Row: perRow is 0; a row holds 1 to 24 panels",
		"dac_test.go:" + strconv.Itoa(l-1) + ":15: dac: two panels have the key \"api\" (the other is at dac_test.go:" + strconv.Itoa(l-2) + ":13)",
		"dac_test.go:" + strconv.Itoa(l+4) + ":33: dac: a nil *Panel cannot be placed",
		"dac_test.go:" + strconv.Itoa(l+5) + ":61: dac: Tags: a dashboard datasource has no metadata to tag",
		"dac_test.go:" + strconv.Itoa(l+6) + ":8: dac: DashboardDatasource: key \"x\" is already used (at dac_test.go:" + strconv.Itoa(l+5) + ":32)",
		"dac_test.go:" + strconv.Itoa(l+10) + ":13: dac: resource 5 of 5 is nil",
	}
	if got := mistakes(t, err); !equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Printed for a person, positions have their lines: the runtime knows
	// no columns.
	noCol := regexp.MustCompile(`(\.go:\d+):\d+`)
	for i := range want {
		want[i] = noCol.ReplaceAllString(want[i], "$1")
	}
	if got := strings.Split(err.Error(), "\n"); !equal(got, want) {
		t.Errorf("Error():\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestValues(t *testing.T) {
	d := dac.Dashboard("p", "d",
		dac.Display("D"), dac.Description("about"), dac.Tags("team a"),
		dac.Duration("6h"), dac.Refresh("30s"),
		dac.TextVariable("env", "prod", dac.Constant(), dac.Hidden()),
		dac.ListVariable("svc", []string{"api", "web"}, dac.AllowMultiple(), dac.AllowAll(), dac.DefaultValue("api", "web")),
		dac.DashboardDatasource("local", dac.Default(), dac.DirectURL("http://pyro:4040")),
		dac.Row(1, 8, dac.FlameChart("f",
			dac.Display("F"), dac.Palette(dac.PaletteValue),
			dac.ShowSettings(false), dac.ShowSeries(true), dac.ShowTable(false), dac.ShowFlameGraph(true), dac.TraceHeight(200),
			dac.ProfileQuery(dac.ProfileType("memory"), dac.Service("api"), dac.Filter("env", "=~", "prod.*"), dac.MaxNodes(512), dac.UseDatasource("local")),
			dac.ProfileQuery(dac.ProfileType("cpu"), dac.UseDatasource("$ds")),
		)),
	)
	gd := dac.GlobalDatasource("g", dac.Proxy("http://pyro:4040", dac.AllowEndpoint("GET", "^/x$"), dac.Header("a/b~c", "v")))
	gs := dac.GlobalSecret("s", dac.Authorization("", "tok"), dac.TLSFiles("/ca", "", "/key"))
	doc := write(t, d, gd, gs)
	r := doc.Resources[0]
	for ptr, want := range map[string]any{
		"/metadata/tags/0":                                                  "team a",
		"/spec/display/name":                                                "D",
		"/spec/display/description":                                         "about",
		"/spec/duration":                                                    "6h",
		"/spec/refreshInterval":                                             "30s",
		"/spec/variables/0/kind":                                            "TextVariable",
		"/spec/variables/0/spec/constant":                                   true,
		"/spec/variables/0/spec/display/hidden":                             true,
		"/spec/variables/1/spec/plugin/kind":                                "StaticListVariable",
		"/spec/variables/1/spec/plugin/spec/values/1":                       "web",
		"/spec/variables/1/spec/defaultValue/1":                             "web",
		"/spec/variables/1/spec/allowAllValue":                              true,
		"/spec/datasources/local/default":                                   true,
		"/spec/datasources/local/plugin/spec/directUrl":                     "http://pyro:4040",
		"/spec/panels/f/spec/display/name":                                  "F",
		"/spec/panels/f/spec/plugin/spec/palette":                           "value",
		"/spec/panels/f/spec/plugin/spec/showSettings":                      false,
		"/spec/panels/f/spec/plugin/spec/traceHeight":                       float64(200),
		"/spec/panels/f/spec/queries/0/spec/plugin/spec/service":            "api",
		"/spec/panels/f/spec/queries/0/spec/plugin/spec/filters/0/operator": "=~",
		"/spec/panels/f/spec/queries/0/spec/plugin/spec/maxNodes":           float64(512),
		"/spec/panels/f/spec/queries/0/spec/plugin/spec/datasource/name":    "local",
		"/spec/panels/f/spec/queries/0/spec/plugin/spec/datasource/kind":    "PyroscopeDatasource",
		"/spec/panels/f/spec/queries/1/spec/plugin/spec/datasource":         "$ds",
	} {
		if got := lookup(t, r, ptr); got != want {
			t.Errorf("%s = %#v, want %#v", ptr, got, want)
		}
	}
	if got := lookup(t, doc.Resources[1], "/spec/plugin/spec/proxy/spec/headers/a~1b~0c"); got != "v" {
		t.Errorf("header = %v", got)
	}
	if _, ok := doc.at["1/spec/plugin/spec/proxy/spec/headers/a~1b~0c"]; !ok {
		t.Errorf("no position for a key with / and ~ (escaped as a JSON pointer): %v", doc.Positions)
	}
	if got := lookup(t, doc.Resources[2], "/spec/authorization/type"); got != nil {
		t.Errorf("empty authorization type written: %v", got)
	}
	if got := lookup(t, doc.Resources[2], "/spec/tlsConfig"); len(got.(map[string]any)) != 2 {
		t.Errorf("tlsConfig = %v, want caFile and keyFile", got)
	}
	if d.Kind() != "Dashboard" || d.Name() != "d" || gd.Kind() != "GlobalDatasource" {
		t.Errorf("Kind/Name: %s %s %s", d.Kind(), d.Name(), gd.Kind())
	}
}

// TestStrings: any string survives the trip through the protocol.
func TestStrings(t *testing.T) {
	for _, s := range []string{`a"b\c`, "tab\there\nnew", "\x00\x1f", "é ✓ <&>", "\xff", ""} {
		doc := write(t, dac.Project(s))
		got := lookup(t, doc.Resources[0], "/metadata/name")
		want := strings.ToValidUTF8(s, "\uFFFD")
		if got != want {
			t.Errorf("%q came back as %q", s, got)
		}
	}
}

// TestOnlyStandardLibrary: the SDK must not pull the compiler (or CUE)
// into users' programs, which would make them slow to build, nor parse
// their sources: pyrobuild does. Of its own module it imports the
// protocol's constants alone, which import nothing.
func TestOnlyStandardLibrary(t *testing.T) {
	const proto = "github.com/pyrobuild/pyrobuild/internal/dacproto"
	files, _ := filepath.Glob("*.go")
	protoFiles, _ := filepath.Glob("../internal/dacproto/*.go")
	for _, f := range append(files, protoFiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		pf, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		inProto := strings.HasPrefix(f, "../")
		for _, im := range pf.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			switch first, _, _ := strings.Cut(p, "/"); {
			case inProto:
				t.Errorf("%s imports %s; the protocol's package imports nothing", f, p)
			case p == proto:
			case strings.Contains(first, "."):
				t.Errorf("%s imports %s; the SDK imports only the standard library", f, p)
			case strings.HasPrefix(p, "go/"):
				t.Errorf("%s imports %s; pyrobuild reads the sources, not the program", f, p)
			}
		}
	}
}

// TestEmitByHand: Emit prints the same document when a program is run by
// hand, from any folder; paths are relative to the working directory.
func TestEmitByHand(t *testing.T) {
	if os.Getenv("DAC_EMIT_CHILD") == "1" {
		dac.Emit(dac.Project("by-hand"))
		os.Exit(0) // before the test framework prints PASS
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	wd, _ := os.Getwd()
	dir := t.TempDir()
	cmd := testCommand(exe, dir, "TestEmitByHand")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var doc document
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	rel, _ := filepath.Rel(dir, filepath.Join(wd, "dac_test.go"))
	if s := doc.Positions["0"]; len(s) == 0 || s[0] >= len(doc.Frames) || doc.Frames[s[0]].File != filepath.ToSlash(rel) {
		t.Errorf("position %v of frames %v, want its file relative to the working directory (%s)", s, doc.Frames, rel)
	}
}

func testCommand(exe, dir, test string) *exec.Cmd {
	cmd := exec.Command(exe, "-test.run=^"+test+"$")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DAC_EMIT_CHILD=1")
	return cmd
}
