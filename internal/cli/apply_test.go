package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/perses/persestest"
)

// remoteSources are a project with mixed-case names (the server
// lower-cases them), a secret whose password comes from the environment,
// two datasources and a dashboard in the authoring form.
func remoteSources() map[string]string {
	return map[string]string{
		"project.yaml": "kind: Project\nmetadata:\n  name: Shop\nspec:\n  display:\n    name: Shop\n",
		"secret.yaml": `kind: Secret
metadata:
  name: pyro-auth
  project: Shop
spec:
  basicAuth:
    username: perses
    password: ${env:PB_TEST_PYRO_PASSWORD}
`,
		"datasources.yaml": `kind: Datasource
metadata:
  name: PyroscopeMain
  project: Shop
spec:
  default: true
  plugin:
    kind: PyroscopeDatasource
    spec:
      directUrl: http://pyroscope.example.com:4040
---
kind: Datasource
metadata:
  name: proxied
  project: Shop
spec:
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy:
        kind: HTTPProxy
        spec:
          url: http://pyroscope.example.com:4040
          allowedEndpoints:
            - endpointPattern: ^/pyroscope/render$
              method: GET
            - endpointPattern: ^/querier\.v1\.QuerierService/(ProfileTypes|LabelNames|LabelValues)$
              method: POST
          secret: pyro-auth
`,
		"cpu.yaml": dashboardSource("cpu", "CPU", "FlameChart"),
	}
}

func dashboardSource(name, title, panelPlugin string) string {
	return `kind: Dashboard
metadata:
  name: ` + name + `
  project: Shop
spec:
  display:
    name: ` + title + `
  duration: 1h
  panels:
    flame:
      kind: Panel
      spec:
        display:
          name: ` + title + `
        plugin:
          kind: ` + panelPlugin + `
          spec: {}
        queries:
          - kind: ProfileQuery
            spec:
              plugin:
                kind: PyroscopeProfileQuery
                spec:
                  profileType: cpu
                  query: '{service_name="api", env="prod"}'
  layouts:
    - kind: Grid
      spec:
        items:
          - x: 0
            y: 0
            width: 24
            height: 10
            content:
              $ref: "#/spec/panels/flame"
`
}

const testToken = "tok-S3CRET-1234567890"

// remoteSetup writes the sources in a folder and starts a server that
// wants testToken, given through $PERSES_TOKEN.
func remoteSetup(t *testing.T) (dir string, srv *persestest.Server) {
	dir = t.TempDir()
	writeFiles(t, dir, remoteSources())
	srv = persestest.New(t)
	srv.Token = testToken
	t.Setenv("PERSES_TOKEN", testToken)
	t.Setenv("PB_TEST_PYRO_PASSWORD", "S3CRET-PW-ENV")
	t.Setenv("HOME", t.TempDir()) // no percli login
	homes := percliHomes
	percliHomes = func() []string { return []string{os.Getenv("HOME")} }
	t.Cleanup(func() { percliHomes = homes })
	return dir, srv
}

// noLeak fails when a token or secret value is in what pyrobuild printed.
func noLeak(t *testing.T, outputs ...string) {
	t.Helper()
	for _, o := range outputs {
		for _, s := range []string{testToken, "S3CRET-PW-ENV"} {
			if strings.Contains(o, s) {
				t.Errorf("output holds %q:\n%s", s, o)
			}
		}
	}
}

func TestApplyThenDiffAndReapply(t *testing.T) {
	dir, srv := remoteSetup(t)
	code, stdout, stderr := run(t, "apply", "--url", srv.URL, dir)
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "5 created, 0 updated, 0 unchanged, 0 deleted") {
		t.Errorf("apply: %s", stdout)
	}
	want := []string{"POST Project/shop", "POST Secret/shop/pyro-auth", "POST Datasource/shop/pyroscopemain", "POST Datasource/shop/proxied", "POST Dashboard/shop/cpu"}
	if got := srv.Writes(); !reflect.DeepEqual(got, want) {
		t.Errorf("writes in this order:\n%q\nwant\n%q", got, want)
	}
	if got := srv.Secret("shop", "pyro-auth", "basicAuth", "password"); got != "S3CRET-PW-ENV" {
		t.Errorf("the server holds the password %q, want the environment's", got)
	}
	noLeak(t, stdout, stderr)

	// The server lower-cased names and stamped its metadata: no change.
	code, stdout, stderr = run(t, "diff", "--url", srv.URL, "--exit-code", dir)
	if code != 0 || !strings.Contains(stdout, "no changes (5 resources unchanged)") {
		t.Errorf("diff after apply: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "apply", "--url", srv.URL, dir)
	if code != 0 || !strings.Contains(stdout, "0 created, 0 updated, 5 unchanged") {
		t.Errorf("second apply: exit %d\n%s", code, stdout)
	}
	if n := len(srv.Writes()); n != 5 {
		t.Errorf("the second apply wrote: %q", srv.Writes()[5:])
	}

	// An edit: diff shows the field and exits 3; apply updates.
	writeFiles(t, dir, map[string]string{"cpu.yaml": dashboardSource("cpu", "CPU time", "FlameChart")})
	code, stdout, _ = run(t, "diff", "--url", srv.URL, "--exit-code", dir)
	if code != exitChanges || !strings.Contains(stdout, "~ Dashboard/Shop/cpu") || !strings.Contains(stdout, `/spec/display/name: "CPU" → "CPU time"`) {
		t.Errorf("diff of an edit: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = run(t, "diff", "--url", srv.URL, "--output", "markdown", dir)
	if code != 0 || !strings.Contains(stdout, "| ✏️ update | `Dashboard/Shop/cpu` | 2 |") || !strings.Contains(stdout, `+ /spec/display/name: "CPU time"`) {
		t.Errorf("markdown diff: exit %d\n%s", code, stdout)
	}
	_, stdout, _ = run(t, "diff", "--url", srv.URL, "--diagnostics", "github", dir)
	if want := "::notice file=" + filepath.Join(dir, "cpu.yaml") + ",line=1,col=1::Dashboard/Shop/cpu will change on the server: /spec/display/name, /spec/panels/flame/spec/display/name"; !strings.Contains(stdout, want) {
		t.Errorf("annotations: want %s in\n%s", want, stdout)
	}
	code, stdout, _ = run(t, "apply", "--url", srv.URL, dir)
	if code != 0 || !strings.Contains(stdout, "0 created, 1 updated, 4 unchanged") || !strings.Contains(stdout, "updated Dashboard/Shop/cpu") {
		t.Errorf("apply of an edit: exit %d\n%s", code, stdout)
	}
}

// TestApplyRollsBack: a write the server refuses after validation (here,
// the dashboard's) puts back every write of the run before it.
func TestApplyRollsBack(t *testing.T) {
	dir, srv := remoteSetup(t)
	srv.Put(`{"kind":"Project","metadata":{"name":"shop"},"spec":{"display":{"name":"Old shop"}}}`)
	srv.Put(`{"kind":"Datasource","metadata":{"name":"pyroscopemain","project":"shop"},"spec":{"default":true,"plugin":{"kind":"PyroscopeDatasource","spec":{"directUrl":"http://old.example.com:4040"}}}}`)
	before := srv.Snapshot()
	srv.FailWrite = func(method, kind, project, name string) string {
		if kind == "Dashboard" {
			return "database is locked"
		}
		return ""
	}
	code, stdout, stderr := run(t, "apply", "--url", srv.URL, dir)
	if code != exitErrors {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	for _, s := range []string{"refused to create Dashboard/Shop/cpu", "database is locked", "rolled back: the 4 writes before it were put back, the server is as it was", "Secret/Shop/pyro-auth (create undone)", "Datasource/Shop/PyroscopeMain (update undone)", "Project/Shop (update undone)", "Datasource/Shop/proxied (create undone)"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr)
		}
	}
	after := srv.Snapshot()
	stripVersions(before)
	stripVersions(after)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the server changed:\nbefore %v\nafter  %v", before, after)
	}
	noLeak(t, stdout, stderr)
}

// stripVersions leaves out the metadata the server changes on every
// write: a put-back resource is the same but for them.
func stripVersions(m map[string]string) {
	for k, v := range m {
		var doc map[string]any
		json.Unmarshal([]byte(v), &doc)
		meta := doc["metadata"].(map[string]any)
		delete(meta, "updatedAt")
		delete(meta, "version")
		b, _ := json.Marshal(doc)
		m[k] = string(b)
	}
}

// TestApplyValidatesFirst: a dashboard with a plugin the server lacks is
// reported at its source, and nothing is written.
func TestApplyValidatesFirst(t *testing.T) {
	dir, srv := remoteSetup(t)
	writeFiles(t, dir, map[string]string{"ts.yaml": dashboardSource("ts", "Series", "TimeSeriesChart")})
	code, stdout, stderr := run(t, "apply", "--url", srv.URL, dir)
	if code != exitErrors {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if want := filepath.Join(dir, "ts.yaml") + ":16:17"; !strings.Contains(stderr, want) || !strings.Contains(stderr, "schema not found for plugin TimeSeriesChart") {
		t.Errorf("stderr should point at %s:\n%s", want, stderr)
	}
	if !strings.Contains(stderr, "nothing was written") || len(srv.Writes()) != 0 {
		t.Errorf("writes: %q\n%s", srv.Writes(), stderr)
	}
	// For machines: one JSON document on stdout, the refusal in it.
	_, stdout, _ = run(t, "apply", "--url", srv.URL, "--diagnostics", "json", "-q", dir)
	var doc any
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || !strings.Contains(stdout, "schema not found for plugin TimeSeriesChart") {
		t.Errorf("--diagnostics json: %v\n%s", err, stdout)
	}
	// --dry-run without the bad dashboard: validated, still nothing written.
	os.Remove(filepath.Join(dir, "ts.yaml"))
	code, stdout, _ = run(t, "apply", "--url", srv.URL, "--dry-run", dir)
	if code != 0 || !strings.Contains(stdout, "apply would create 5, update 0, delete 0") || len(srv.Writes()) != 0 {
		t.Errorf("dry run: exit %d\n%s", code, stdout)
	}
}

func TestApplySecretsOnlyFromTheMachine(t *testing.T) {
	dir, srv := remoteSetup(t)
	writeFiles(t, dir, map[string]string{"secret.yaml": `kind: Secret
metadata:
  name: pyro-auth
  project: Shop
spec:
  basicAuth:
    username: perses
    password: S3CRET-PW-ENV
`})
	code, stdout, stderr := run(t, "apply", "--url", srv.URL, dir)
	if code != exitErrors || !strings.Contains(stderr, "secret.yaml:8:15") || !strings.Contains(stderr, "spec.basicAuth.password is written in the source") {
		t.Errorf("a literal password: exit %d\n%s", code, stderr)
	}
	noLeak(t, stdout, stderr)
	// From a file beside the source.
	writeFiles(t, dir, map[string]string{"secret.yaml": strings.Replace(remoteSources()["secret.yaml"], "${env:PB_TEST_PYRO_PASSWORD}", "${file:pw.txt}", 1), "pw.txt": "from-a-file\n"})
	code, _, stderr = run(t, "apply", "--url", srv.URL, dir)
	if code != 0 || srv.Secret("shop", "pyro-auth", "basicAuth", "password") != "from-a-file" {
		t.Errorf("a password from a file: exit %d\n%s", code, stderr)
	}
	// A variable that is not set.
	os.Unsetenv("PB_TEST_PYRO_PASSWORD")
	writeFiles(t, dir, remoteSources())
	code, _, stderr = run(t, "apply", "--url", srv.URL, dir)
	if code != exitErrors || !strings.Contains(stderr, "the environment variable PB_TEST_PYRO_PASSWORD is not set") {
		t.Errorf("an unset variable: exit %d\n%s", code, stderr)
	}
}

func TestApplyPrune(t *testing.T) {
	dir, srv := remoteSetup(t)
	srv.Put(`{"kind":"Project","metadata":{"name":"shop"},"spec":{"display":{"name":"Shop"}}}`)
	srv.Put(`{"kind":"Dashboard","metadata":{"name":"old","project":"shop"},"spec":{"duration":"1h","panels":{},"layouts":[]}}`)
	srv.Put(`{"kind":"Project","metadata":{"name":"other"},"spec":{}}`)
	srv.Put(`{"kind":"Dashboard","metadata":{"name":"keep","project":"other"},"spec":{"duration":"1h","panels":{},"layouts":[]}}`)
	code, stdout, _ := run(t, "diff", "--url", srv.URL, dir)
	if code != 0 || !strings.Contains(stdout, "1 resources on the server are not in the sources") {
		t.Errorf("diff: %s", stdout)
	}
	code, stdout, _ = run(t, "diff", "--url", srv.URL, "--prune", "--exit-code", dir)
	if code != exitChanges || !strings.Contains(stdout, "- Dashboard/shop/old") || strings.Contains(stdout, "keep") {
		t.Errorf("diff --prune: exit %d\n%s", code, stdout)
	}
	code, stdout, stderr := run(t, "apply", "--url", srv.URL, "--prune", dir)
	if code != 0 || !strings.Contains(stdout, "4 created, 0 updated, 1 unchanged, 1 deleted") {
		t.Errorf("apply --prune: exit %d\n%s%s", code, stdout, stderr)
	}
	snap := srv.Snapshot()
	if _, ok := snap["Dashboard/shop/old"]; ok {
		t.Error("Dashboard/shop/old is still there")
	}
	if _, ok := snap["Dashboard/other/keep"]; !ok {
		t.Error("prune deleted a dashboard of a project the sources do not name")
	}
}

func TestRemoteUsageAndAuth(t *testing.T) {
	dir, srv := remoteSetup(t)
	os.Unsetenv("PERSES_TOKEN")
	code, _, stderr := run(t, "apply", dir)
	if code != exitUsage || !strings.Contains(stderr, "no Perses server") {
		t.Errorf("no URL: exit %d\n%s", code, stderr)
	}
	code, _, stderr = run(t, "diff", "--url", srv.URL, "--token", "wrong-"+testToken, dir)
	if code != exitErrors || !strings.Contains(stderr, "401") || !strings.Contains(stderr, "the token was refused") {
		t.Errorf("a bad token: exit %d\n%s", code, stderr)
	}
	noLeak(t, stderr)
	// percli's login, read and never written.
	home := t.TempDir()
	t.Setenv("HOME", home)
	cfg := `{"rest_client_config":{"url":"` + srv.URL + `","authorization":{"type":"Bearer","credentials":"` + testToken + `"}}}`
	writeFiles(t, home, map[string]string{".perses/config.json": cfg})
	code, stdout, stderr := run(t, "diff", dir)
	if code != 0 || !strings.Contains(stdout, "5 added") {
		// Without --url, a plain diff compares with a build.
		if !strings.Contains(stderr, "--against") {
			t.Errorf("plain diff: exit %d\n%s%s", code, stdout, stderr)
		}
	}
	code, stdout, stderr = run(t, "diff", "--server", dir)
	if code != 0 || !strings.Contains(stdout, "compared with "+srv.URL) || !strings.Contains(stdout, "5 added") {
		t.Errorf("diff --server with percli's login: exit %d\n%s%s", code, stdout, stderr)
	}
	if data, _ := os.ReadFile(filepath.Join(home, ".perses/config.json")); string(data) != cfg {
		t.Error("percli's configuration was changed")
	}
	// A source with errors: nothing is sent.
	writeFiles(t, dir, map[string]string{"cpu.yaml": "kind: Dashboard\nmetadata: {name: cpu, project: Shop}\nspec: {duration: soon}\n"})
	code, _, stderr = run(t, "apply", "--url", srv.URL, dir)
	if code != exitErrors || !strings.Contains(stderr, "nothing was sent to the server") || len(srv.Writes()) != 0 {
		t.Errorf("bad sources: exit %d\n%s", code, stderr)
	}
}

// TestPullCompilesBack: what pull writes compiles to what the server
// holds, and never overwrites without --force.
func TestPullCompilesBack(t *testing.T) {
	dir, srv := remoteSetup(t)
	// A kind pyrobuild passes through, as a Perses server stores it.
	writeFiles(t, dir, map[string]string{"variable.yaml": `kind: Variable
metadata:
  name: env
  project: Shop
spec:
  kind: ListVariable
  spec:
    display:
      name: Environment
      hidden: false
    allowMultiple: false
    allowAllValue: false
    plugin:
      kind: StaticListVariable
      spec:
        values: [production, staging]
`})
	if code, _, stderr := run(t, "apply", "--url", srv.URL, dir); code != 0 {
		t.Fatal(stderr)
	}
	for _, tc := range []struct {
		name  string
		extra []string
		file  string
	}{
		{"yaml", nil, "dashboard-cpu.yaml"},
		{"cue", []string{"--lang", "cue"}, "dashboard-cpu.cue"},
		{"authoring", []string{"--authoring"}, "dashboard-cpu.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "pulled")
			args := append([]string{"pull", "--url", srv.URL, "--project", "shop", "-o", out}, tc.extra...)
			code, stdout, stderr := run(t, args...)
			if code != 0 || !strings.Contains(stdout, "pulled 6 resources of project shop") {
				t.Fatalf("pull: exit %d\n%s%s", code, stdout, stderr)
			}
			noLeak(t, stdout, stderr)
			data, err := os.ReadFile(filepath.Join(out, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "authoring" && !strings.Contains(string(data), `query: '{service_name="api", env="prod"}'`) {
				t.Errorf("authoring form:\n%s", data)
			}
			secret, _ := os.ReadFile(filepath.Join(out, "secret-pyro-auth."+map[bool]string{true: "cue", false: "yaml"}[tc.name == "cue"]))
			if !strings.Contains(string(secret), "${env:PERSES_SECRET_SHOP_PYRO_AUTH_BASICAUTH_PASSWORD}") || strings.Contains(string(secret), "<secret>") {
				t.Errorf("the pulled secret:\n%s", secret)
			}
			code, stdout, stderr = run(t, "diff", "--url", srv.URL, "--exit-code", out)
			if code != 0 || !strings.Contains(stdout, "no changes (6 resources unchanged)") {
				t.Errorf("diff of the pulled sources: exit %d\n%s%s", code, stdout, stderr)
			}
			code, _, stderr = run(t, args...)
			if code != exitUsage || !strings.Contains(stderr, "--force") {
				t.Errorf("a second pull: exit %d\n%s", code, stderr)
			}
			if code, _, stderr = run(t, append(args, "--force")...); code != 0 {
				t.Errorf("pull --force: exit %d\n%s", code, stderr)
			}
		})
	}
}

// TestApplyRollbackNamesWhatStays: a Secret the run updated cannot be put
// back (the server never returns its values): apply says so, and puts
// back the rest.
func TestApplyRollbackNamesWhatStays(t *testing.T) {
	dir, srv := remoteSetup(t)
	srv.Put(`{"kind":"Project","metadata":{"name":"shop"},"spec":{"display":{"name":"Shop"}}}`)
	srv.Put(`{"kind":"Secret","metadata":{"name":"pyro-auth","project":"shop"},"spec":{"basicAuth":{"username":"old","password":"old-pw"}}}`)
	srv.FailWrite = func(method, kind, project, name string) string {
		if kind == "Dashboard" {
			return "database is locked"
		}
		return ""
	}
	code, _, stderr := run(t, "apply", "--url", srv.URL, dir)
	if code != exitErrors || !strings.Contains(stderr, "rolled back 2 of 3 writes; NOT put back:") ||
		!strings.Contains(stderr, "Secret/Shop/pyro-auth: the server never returns a secret's values") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	if _, ok := srv.Snapshot()["Datasource/shop/proxied"]; ok {
		t.Error("a datasource the run created is still there")
	}
	// --rewrite-secrets writes a secret whose visible fields are the same.
	srv.FailWrite = nil
	if code, _, stderr := run(t, "apply", "--url", srv.URL, dir); code != 0 {
		t.Fatal(stderr)
	}
	t.Setenv("PB_TEST_PYRO_PASSWORD", "rotated")
	code, stdout, _ := run(t, "apply", "--url", srv.URL, dir)
	if code != 0 || !strings.Contains(stdout, "0 updated") || srv.Secret("shop", "pyro-auth", "basicAuth", "password") != "S3CRET-PW-ENV" {
		t.Errorf("a rotated value alone is no change: %s", stdout)
	}
	code, stdout, _ = run(t, "apply", "--url", srv.URL, "--rewrite-secrets", dir)
	if code != 0 || !strings.Contains(stdout, "updated Secret/Shop/pyro-auth") || srv.Secret("shop", "pyro-auth", "basicAuth", "password") != "rotated" {
		t.Errorf("--rewrite-secrets: %s", stdout)
	}
}
