package crd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// convertSrc compiles one YAML source and converts it with o; it returns
// the objects' YAML by kind/name and what the conversion reported.
func convertSrc(t *testing.T, src string, o Options) (map[string]string, diag.Diagnostics) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "src.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{p}, ServerDatasources: []string{"default"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Diagnostics.HasErrors() {
		t.Fatalf("source does not compile: %v", res.Diagnostics)
	}
	crs, diags := ConvertWith(res.Resources, o)
	out := map[string]string{}
	for _, r := range crs {
		k, _ := r.Node.Str("kind")
		name, _ := r.Node.Get("metadata").Str("name")
		out[k+"/"+name] = string(bundle.Encode(r.Node, bundle.YAML))
	}
	return out, diags
}

func diagLines(ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String() + " | " + d.Hint + "\n")
	}
	return b.String()
}

// TestCRDHideHeader: the operator's PersesDashboard has no panel
// display.hideHeader; --crd leaves it out with a warning at the field
// (true), silently when it is false (Perses' default).
func TestCRDHideHeader(t *testing.T) {
	src := `kind: Dashboard
metadata: {name: cpu, project: team}
spec:
  panels:
    hidden:
      kind: Panel
      spec:
        display: {name: Hidden, hideHeader: true}
        plugin: {kind: FlameChart}
        queries: [{kind: ProfileQuery, spec: {plugin: {kind: PyroscopeProfileQuery, spec: {profileType: cpu, service: api}}}}]
    shown:
      kind: Panel
      spec:
        display: {name: Shown, hideHeader: false}
        plugin: {kind: FlameChart}
        queries: [{kind: ProfileQuery, spec: {plugin: {kind: PyroscopeProfileQuery, spec: {profileType: cpu, service: api}}}}]
  layouts: [{kind: Grid, spec: {items: [{x: 0, y: 0, width: 12, height: 8, content: {$ref: "#/spec/panels/hidden"}}, {x: 12, y: 0, width: 12, height: 8, content: {$ref: "#/spec/panels/shown"}}]}}]
`
	objs, diags := convertSrc(t, src, Options{})
	if strings.Contains(objs["PersesDashboard/cpu"], "hideHeader") {
		t.Errorf("hideHeader written:\n%s", objs["PersesDashboard/cpu"])
	}
	if len(diags) != 1 {
		t.Fatalf("want one warning, got:\n%s", diagLines(diags))
	}
	d := diags[0]
	if d.Severity != diag.Warning || d.Code != model.CodeCRDSkipped || d.Pos.Line != 8 || d.Pos.Col != 33 ||
		d.Path != "spec.panels.hidden.spec.display.hideHeader" || !strings.Contains(d.Message, "operator's PersesDashboard (v0.5.0) has no such field") {
		t.Errorf("got %s (%s)", d, d.Path)
	}
}

// TestCRDSecretClient: a Secret whose credentials the operator's
// spec.client carries (files on the Perses server) becomes spec.client of
// each datasource using it, whose proxy names the secret the operator
// makes, <name>-secret; another gets a note that says what to do.
func TestCRDSecretClient(t *testing.T) {
	src := fmtProxied("MainPyro", "true", "files") + fmtProxied("other", "false", "files") + fmtProxied("inline", "false", "pw") + `kind: Secret
metadata: {name: files, project: p}
spec:
  basicAuth: {username: perses, passwordFile: /etc/perses/pw}
  tlsConfig: {caFile: /etc/ca.pem, certFile: /etc/c.pem, keyFile: /etc/k.pem, insecureSkipVerify: false}
---
kind: Secret
metadata: {name: pw, project: p}
spec:
  basicAuth: {username: perses, password: hunter2}
---
kind: Secret
metadata: {name: unused, project: p}
spec:
  authorization: {credentialsFile: /etc/token}
`
	objs, diags := convertSrc(t, src, Options{})
	main := objs["PersesDatasource/mainpyro"]
	for _, want := range []string{
		"secret: mainpyro-secret\n",
		"  client:\n    basicAuth:\n      type: file\n      username: perses\n      passwordPath: /etc/perses/pw\n",
		"    tls:\n      enable: true\n      caCert:\n        type: file\n        certPath: /etc/ca.pem\n      insecureSkipVerify: false\n      userCert:\n        type: file\n        certPath: /etc/c.pem\n        privateKeyPath: /etc/k.pem\n",
	} {
		if !strings.Contains(main, want) {
			t.Errorf("PersesDatasource mainpyro lacks\n%s\nin\n%s", want, main)
		}
	}
	if !strings.Contains(objs["PersesDatasource/other"], "secret: other-secret\n") {
		t.Errorf("the second user of the secret does not name its own:\n%s", objs["PersesDatasource/other"])
	}
	if in := objs["PersesDatasource/inline"]; strings.Contains(in, "client:") || !strings.Contains(in, "secret: pw\n") || strings.Contains(in, "hunter2") {
		t.Errorf("a secret spec.client cannot carry changed the datasource:\n%s", in)
	}
	text := diagLines(diags)
	for _, want := range []string{
		`Secret/p/files is not written: the Perses operator has no custom resource for Secrets; its credentials are written as spec.client of PersesDatasource mainpyro, PersesDatasource other, from which the operator makes the Perses secret "mainpyro-secret", "other-secret", and the datasource's proxy.spec.secret names it`,
		`Secret/p/pw is not written: the Perses operator has no custom resource for Secrets, and spec.client cannot carry it: its basicAuth password is written in it: put the password in a Kubernetes Secret`,
		`the operator makes a Perses secret from the spec.client of PersesDatasource inline and names it "inline-secret" (the custom resource's name and "-secret"), so set the datasource's proxy.spec.secret to that name`,
		`Secret/p/unused is not written: the Perses operator has no custom resource for Secrets, and no datasource's proxy names it`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no\n  %s\nin\n%s", want, text)
		}
	}
	if strings.Contains(text, "hunter2") {
		t.Error("a note prints a password")
	}
}

// fmtProxied is a datasource of project p proxied with a secret.
func fmtProxied(name, def, secret string) string {
	return strings.NewReplacer("NAME", name, "DEFAULT", def, "SECRET", secret).Replace(proxiedTmpl)
}

const proxiedTmpl = `kind: Datasource
metadata: {name: NAME, project: p}
spec:
  default: DEFAULT
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy: {kind: HTTPProxy, spec: {url: 'http://pyro:4040', secret: SECRET}}
---
`

// TestClientOf: what spec.client can carry, and why not otherwise.
func TestClientOf(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{`{basicAuth: {username: u, passwordFile: /f}}`, ""},
		{`{tlsConfig: {caFile: /ca}}`, ""},
		{`{basicAuth: {username: u, password: x}}`, "its basicAuth password is written in it"},
		{`{tlsConfig: {ca: PEM}}`, "its tlsConfig.ca is written in it"},
		{`{tlsConfig: {caFile: /ca, serverName: x}}`, "no equivalent of tlsConfig.serverName"},
		{`{tlsConfig: {keyFile: /k}}`, "a keyFile without a certFile"},
		{`{authorization: {credentials: t}}`, "no Authorization header"},
		{`{oauth: {clientID: c, clientSecretFile: /s, tokenURL: 'https://auth.example.com/token'}}`, "reads the client ID from a Kubernetes Secret"},
	} {
		src := "kind: Secret\nmetadata: {name: s, project: p}\nspec: " + tc.spec + "\n"
		p := filepath.Join(t.TempDir(), "s.yaml")
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{p}})
		if err != nil || res.Diagnostics.HasErrors() {
			t.Fatalf("%s: %v %v", tc.spec, err, res.Diagnostics)
		}
		client, why := clientOf(res.Resources[0].Tree().Get("spec"))
		if (client != nil) != (tc.want == "") || !strings.Contains(why, tc.want) {
			t.Errorf("%s: client %v, why %q, want %q", tc.spec, client != nil, why, tc.want)
		}
	}
}

// TestCRDProjectDisplay: the note about a project's display is printed
// only when the display says more than the operator's own (the namespace
// as display name).
func TestCRDProjectDisplay(t *testing.T) {
	for _, tc := range []struct {
		display string
		note    bool
	}{
		{`{name: team}`, false},
		{`{name: ""}`, false},
		{`{name: Team A}`, true},
		{`{name: team, description: Our dashboards}`, true},
	} {
		_, diags := convertSrc(t, "kind: Project\nmetadata: {name: team}\nspec: {display: "+tc.display+"}\n", Options{})
		if got := len(diags) == 1 && strings.Contains(diags[0].Message, "the display of project team is not written"); got != tc.note || len(diags) > 1 {
			t.Errorf("display %s: notes\n%s", tc.display, diagLines(diags))
		}
	}
}

// TestCRDInstanceSelector: the selector is written on every custom
// resource, not on namespaces.
func TestCRDInstanceSelector(t *testing.T) {
	sel, err := ParseSelector("app.kubernetes.io/instance=perses, env in (prod, staging),!canary")
	if err != nil {
		t.Fatal(err)
	}
	src := "kind: Project\nmetadata: {name: p}\n---\n" + fmtProxied("ds", "true", "none") + dashboardSrc("cpu", "p", "") + `---
kind: GlobalDatasource
metadata: {name: g}
spec: {default: true, plugin: {kind: PyroscopeDatasource, spec: {directUrl: 'http://x:4040'}}}
`
	objs, _ := convertSrc(t, src, Options{InstanceSelector: sel})
	want := "  instanceSelector:\n    matchLabels:\n      app.kubernetes.io/instance: perses\n    matchExpressions:\n      - key: env\n        operator: In\n        values:\n          - prod\n          - staging\n      - key: canary\n        operator: DoesNotExist\n"
	for _, k := range []string{"PersesDatasource/ds", "PersesDashboard/cpu", "PersesGlobalDatasource/g"} {
		if !strings.HasSuffix(objs[k], want) {
			t.Errorf("%s does not end with the selector:\n%s", k, objs[k])
		}
	}
	if strings.Contains(objs["Namespace/p"], "instanceSelector") {
		t.Error("a Namespace has no instanceSelector")
	}
}

func TestParseSelector(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "<nil>"},
		{"a=b", "&{[[a b]] []}"},
		{"a==b,c!=d", "&{[[a b]] [{c NotIn [d]}]}"},
		{"x notin (1, 2),y", "&{[] [{x NotIn [1 2]} {y Exists []}]}"},
		{"a=b,,c", "error: an empty requirement"},
		{"a b=c", `error: "a b" is not a label key`},
		{"a=b c", `error: "b c" is not a label value`},
	} {
		sel, err := ParseSelector(tc.in)
		got := ""
		if err != nil {
			got = "error: " + err.Error()
		} else if sel == nil {
			got = "<nil>"
		} else {
			got = fmt.Sprint(sel)
		}
		if !strings.Contains(got, strings.TrimPrefix(tc.want, "error: ")) || strings.HasPrefix(tc.want, "error") != (err != nil) {
			t.Errorf("%q: got %s, want %s", tc.in, got, tc.want)
		}
	}
}
