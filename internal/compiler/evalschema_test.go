package compiler

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// TestCUEDefaultsAsWritten: packages are evaluated against the schema's
// evaluation form, where defaults are left to the validator. What the
// user's CUE reads of a default it did not set, and every diagnostic,
// must still be the schema's as written: the loader evaluates a package
// that fails in the evaluation form again.
func TestCUEDefaultsAsWritten(t *testing.T) {
	dir := t.TempDir()
	const src = `package dash

import pb "github.com/pyrobuild/pyrobuild/schema"

project: pb.#Project & {metadata: name: "shop"}

pyroscope: pb.#Datasource & {
	metadata: {name: "pyroscope", project: "shop"}
	spec: {
		default: true
		plugin: pb.#PyroscopeDatasource & {spec: directUrl: "http://pyroscope:4040"}
	}
}

dashboard: pb.#Dashboard & {
	metadata: {name: "cpu", project: "shop"}
	spec: {
		// duration and palette are the schema's defaults, read here.
		display: name: "CPU over \(dashboard.spec.duration), by \(dashboard.spec.panels.cpu.spec.plugin.spec.palette)"
		panels: cpu: pb.#Panel & {
			spec: {
				display: name: "CPU"
				plugin: pb.#FlameChart & {spec: showSeries: SERIES}
				queries: [{kind: "ProfileQuery", spec: plugin: pb.#PyroscopeProfileQuery & {spec: {profileType: "cpu", service: "api"}}}]
			}
		}
		layouts: [{kind: "Grid", spec: items: [{x: 0, y: 0, width: 24, height: 10, content: "$ref": "#/spec/panels/cpu"}]}]
	}
}
`
	write := func(series string) {
		b := []byte(strings.ReplaceAll(src, "SERIES", series))
		if err := os.WriteFile(filepath.Join(dir, "dash.cue"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	write("true")
	res := compileOK(t, Options{Paths: []string{dir}})
	var dash *model.Node
	for _, r := range res.Resources {
		if r.Kind == "Dashboard" {
			dash = r.Node
		}
	}
	if dash == nil {
		t.Fatal("no dashboard compiled")
	}
	if name, _ := dash.Get("spec").Get("display").Str("name"); name != "CPU over 1h, by package-name" {
		t.Errorf("display name %q, want the schema's defaults read: %q", name, "CPU over 1h, by package-name")
	}
	spec := dash.Get("spec").Get("panels").Get("cpu").Get("spec").Get("plugin").Get("spec")
	for k, want := range map[string]bool{"showSettings": true, "showSeries": true, "showTable": true, "showFlameGraph": true} {
		if v := spec.Get(k); v == nil || v.Kind != model.BoolKind || v.Value != strconv.FormatBool(want) {
			t.Errorf("FlameChart %s = %+v, want %v", k, v, want)
		}
	}

	// A wrong value for a field with a default: CUE's message about the
	// schema as written, a conflict with each alternative and the empty
	// disjunction, at the user's value.
	write(`"yes"`)
	bad, err := Compile(context.Background(), Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, d := range bad.Diagnostics {
		msgs = append(msgs, d.Message)
	}
	all := strings.Join(msgs, "\n")
	if !strings.Contains(all, `conflicting values "yes" and false`) || !strings.Contains(all, "empty disjunction") {
		t.Errorf("diagnostics:\n%s\nwant those of the schema as written (the default false among them)", all)
	}
}
