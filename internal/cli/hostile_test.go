package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostileCase is one hostile input. setup writes it under dir and returns
// the command's arguments (without -o, which the test adds).
type hostileCase struct {
	name  string
	setup func(t *testing.T, dir string) []string
	code  int      // expected exit code
	want  []string // in stderr: the file, the limit, a hint
	env   []string
	// limit is how long the run may take (default 30 s); a hang fails the
	// test. Only the CUE bombs set it, and they skip under -short.
	limit time.Duration
	root  bool // still meaningful when running as root
}

// validDashboard is a small resource set that compiles cleanly.
const validDashboard = `kind: Project
metadata:
  name: demo
---
kind: Datasource
metadata:
  name: pyro
  project: demo
spec:
  default: true
  plugin:
    kind: PyroscopeDatasource
    spec:
      directUrl: http://pyroscope:4040
---
kind: Dashboard
metadata:
  name: cpu
  project: demo
spec:
  display:
    name: CPU é☃
  panels:
    api:
      kind: Panel
      spec:
        display:
          name: API
        plugin:
          kind: FlameChart
          spec: {}
        queries:
          - kind: ProfileQuery
            spec:
              plugin:
                kind: PyroscopeProfileQuery
                spec:
                  profileType: cpu
                  query: '{service_name="api"}'
  layouts:
    - kind: Grid
      spec:
        items:
          - x: 0
            y: 0
            width: 24
            height: 12
            content:
              $ref: '#/spec/panels/api'
`

// putFile writes a file, making its folder.
func putFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sparseFile makes a file of size bytes without writing them.
func sparseFile(t *testing.T, p string, size int64) {
	t.Helper()
	putFile(t, p, nil)
	if err := os.Truncate(p, size); err != nil {
		t.Fatal(err)
	}
}

// sitePage is a docs site of one page with the given markdown.
func sitePage(t *testing.T, dir, md string) []string {
	putFile(t, filepath.Join(dir, "site", "content", "index.md"), []byte("# Home\n"))
	putFile(t, filepath.Join(dir, "site", "content", "bad.md"), []byte(md))
	return []string{"build", "--root", filepath.Join(dir, "site"), "--cache-dir", "off"}
}

// compileOne writes one source file and compiles it.
func compileOne(name, text string) func(t *testing.T, dir string) []string {
	return func(t *testing.T, dir string) []string {
		putFile(t, filepath.Join(dir, "src", name), []byte(text))
		return []string{"compile", filepath.Join(dir, "src")}
	}
}

// testHostileInputs: each hostile input ends with exit 1 (exit 0 for the
// valid ones), a message naming the file, within a time bound, without a
// panic and without writing an output folder or leaving temp litter.
func testHostileInputs(t *testing.T, bin string) {
	const huge = 33 << 20 // over the 32 MiB input limit
	laughs := "kind: Dashboard\nmetadata: {name: lol, project: p}\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	for i, prev := 'b', 'a'; i <= 'j'; i, prev = i+1, i {
		laughs += string(i) + ": &" + string(i) + " [" + strings.Repeat("*"+string(prev)+", ", 8) + "*" + string(prev) + "]\n"
	}
	laughs += "spec: *j\n"
	cases := []hostileCase{
		{name: "huge yaml", setup: func(t *testing.T, dir string) []string {
			sparseFile(t, filepath.Join(dir, "src", "huge.yaml"), huge)
			return []string{"compile", filepath.Join(dir, "src")}
		}, code: 1, want: []string{"huge.yaml", "sources are limited to 32 MiB"}},
		{name: "huge json named", setup: func(t *testing.T, dir string) []string {
			sparseFile(t, filepath.Join(dir, "huge.json"), huge)
			return []string{"compile", filepath.Join(dir, "huge.json")}
		}, code: 1, want: []string{"huge.json", "limited to 32 MiB"}},
		{name: "huge cue", setup: func(t *testing.T, dir string) []string {
			sparseFile(t, filepath.Join(dir, "src", "huge.cue"), huge)
			return []string{"compile", filepath.Join(dir, "src")}
		}, code: 1, want: []string{"huge.cue", "limited to 32 MiB"}},
		{name: "huge markdown", setup: func(t *testing.T, dir string) []string {
			args := sitePage(t, dir, "")
			sparseFile(t, filepath.Join(dir, "site", "content", "bad.md"), huge)
			return args
		}, code: 1, want: []string{"bad.md", "32 MiB"}},
		{name: "yaml nested 10k flow", setup: compileOne("deep.yaml",
			"kind: Dashboard\nmetadata: {name: d, project: p}\nspec: "+strings.Repeat("[", 10000)+strings.Repeat("]", 10000)+"\n"),
			code: 1, want: []string{"deep.yaml"}},
		{name: "yaml nested 10k block", setup: compileOne("deep.yaml",
			"kind: Dashboard\nmetadata: {name: d, project: p}\nspec:\n"+strings.Repeat("- ", 10000)+"x\n"),
			code: 1, want: []string{"deep.yaml", "nesting deeper than"}},
		{name: "yaml billion laughs", setup: compileOne("lol.yaml", laughs),
			code: 1, want: []string{"lol.yaml", "alias bomb"}},
		{name: "json nesting bomb", setup: compileOne("deep.json",
			`{"kind": "Dashboard", "spec": `+strings.Repeat(`{"a":[`, 50000)+strings.Repeat(`]}`, 50000)+"}"),
			code: 1, want: []string{"deep.json", "nesting deeper than"}},
		{name: "cue nested 10k", setup: compileOne("deep.cue",
			"package deep\nkind: \"Folder\"\nmetadata: {name: \"d\", project: \"p\"}\nspec: x: "+strings.Repeat("{a: ", 10000)+"1"+strings.Repeat("}", 10000)+"\n"),
			code: 1, want: []string{"deep.cue:4:", "nesting deeper than 200 levels"}},
		{name: "front matter billion laughs", setup: func(t *testing.T, dir string) []string {
			return sitePage(t, dir, "---\n"+strings.Replace(laughs, "spec: *j", "extra: *j", 1)+"---\n# Bad\n")
		}, code: 1, want: []string{"bad.md"}},
		{name: "front matter nested 10k", setup: func(t *testing.T, dir string) []string {
			return sitePage(t, dir, "---\nextra: "+strings.Repeat("[", 10000)+strings.Repeat("]", 10000)+"\n---\n# Bad\n")
		}, code: 1, want: []string{"bad.md:2:", "nested deeper than"}},
		{name: "markdown nested 10k", setup: func(t *testing.T, dir string) []string {
			return sitePage(t, dir, "# Deep\n\n"+strings.Repeat("> ", 10000)+"x\n\n"+strings.Repeat("- ", 5000)+"y\n")
		}, code: 0},
		{name: "cue comprehension explodes", setup: compileOne("boom.cue", `package boom
import "list"
items: [for a in list.Range(0, 5000, 1) for b in list.Range(0, 5000, 1) {a*b}]
`), env: []string{"PYROBUILD_CUE_TIMEOUT=1s"}, code: 1, want: []string{"boom.cue", "longer than 1s", "hint"}, limit: time.Minute},
		{name: "cue doubling strings", setup: func(t *testing.T, dir string) []string {
			var b strings.Builder
			b.WriteString("package boom\ns0: \"0123456789abcdef\"\n")
			for i := 1; i <= 40; i++ {
				b.WriteString(fmt.Sprintf("s%d: s%d + s%d", i, i-1, i-1) + "\n")
			}
			putFile(t, filepath.Join(dir, "src", "boom.cue"), []byte(b.String()))
			return []string{"compile", filepath.Join(dir, "src")}
		}, code: 1, want: []string{"boom.cue", "MiB of memory", "hint"}, limit: time.Minute},
		{name: "invalid utf-8 yaml", setup: compileOne("bad.yaml", "kind: Project\nmetadata:\n  name: \xff\xfe\n"),
			code: 1, want: []string{"bad.yaml:3:", "UTF-8"}},
		{name: "invalid utf-8 json", setup: compileOne("bad.json", "{\"kind\": \"Project\", \"metadata\": {\"name\": \"\xff\"}}"),
			code: 1, want: []string{"bad.json:1:", "UTF-8"}},
		{name: "invalid utf-8 cue", setup: compileOne("bad.cue", "package bad\nkind: \"Project\"\nmetadata: name: \"\xff\"\n"),
			code: 1, want: []string{"bad.cue"}},
		{name: "invalid utf-8 markdown", setup: func(t *testing.T, dir string) []string {
			return sitePage(t, dir, "# Bad \xff\xfe page\n\nText.\n")
		}, code: 1, want: []string{"bad.md:1:", "UTF-8"}},
		{name: "symlink loop named", setup: func(t *testing.T, dir string) []string {
			os.Symlink("b.yaml", filepath.Join(dir, "a.yaml"))
			os.Symlink("a.yaml", filepath.Join(dir, "b.yaml"))
			return []string{"compile", filepath.Join(dir, "a.yaml")}
		}, code: 1, want: []string{"a.yaml", "symbolic links"}, root: true},
		{name: "symlink loop in folder", setup: func(t *testing.T, dir string) []string {
			// Links are not followed when walking a folder: the loops are
			// skipped and the real source compiles.
			putFile(t, filepath.Join(dir, "src", "ok.yaml"), []byte(validDashboard))
			os.Symlink("b.yaml", filepath.Join(dir, "src", "a.yaml"))
			os.Symlink("a.yaml", filepath.Join(dir, "src", "b.yaml"))
			os.Symlink(".", filepath.Join(dir, "src", "self"))
			os.Symlink("..", filepath.Join(dir, "src", "up"))
			return []string{"compile", filepath.Join(dir, "src")}
		}, code: 0, root: true},
		{name: "symlink loop in content", setup: func(t *testing.T, dir string) []string {
			args := sitePage(t, dir, "# Fine\n")
			c := filepath.Join(dir, "site", "content")
			os.Symlink("b.md", filepath.Join(c, "a.md"))
			os.Symlink("a.md", filepath.Join(c, "b.md"))
			os.Symlink(".", filepath.Join(c, "self"))
			return args
		}, code: 0, want: []string{"a.md: warning: broken symbolic link", "self: warning: symbolic link to a folder"}, root: true},
		{name: "named pipe in folder", setup: func(t *testing.T, dir string) []string {
			// Reading a pipe would block forever: it is skipped.
			putFile(t, filepath.Join(dir, "src", "ok.yaml"), []byte(validDashboard))
			mkfifo(t, filepath.Join(dir, "src", "pipe.yaml"))
			return []string{"compile", filepath.Join(dir, "src")}
		}, code: 0, root: true},
		{name: "named pipe named", setup: func(t *testing.T, dir string) []string {
			mkfifo(t, filepath.Join(dir, "pipe.yaml"))
			return []string{"compile", filepath.Join(dir, "pipe.yaml")}
		}, code: 1, want: []string{"pipe.yaml", "not a regular file"}, root: true},
		{name: "named pipe in content", setup: func(t *testing.T, dir string) []string {
			args := sitePage(t, dir, "# Fine\n")
			mkfifo(t, filepath.Join(dir, "site", "content", "pipe.md"))
			mkfifo(t, filepath.Join(dir, "site", "content", "pipe.png"))
			return args
		}, code: 0, root: true},
		{name: "unreadable yaml", setup: func(t *testing.T, dir string) []string {
			putFile(t, filepath.Join(dir, "src", "ok.yaml"), []byte(validDashboard))
			putFile(t, filepath.Join(dir, "src", "secret.yaml"), []byte(validDashboard))
			os.Chmod(filepath.Join(dir, "src", "secret.yaml"), 0)
			return []string{"compile", filepath.Join(dir, "src")}
		}, code: 1, want: []string{"secret.yaml", "permission denied"}},
		{name: "unreadable cue", setup: func(t *testing.T, dir string) []string {
			putFile(t, filepath.Join(dir, "src", "a.cue"), []byte("package a\n"))
			os.Chmod(filepath.Join(dir, "src", "a.cue"), 0)
			return []string{"compile", filepath.Join(dir, "src")}
		}, code: 1, want: []string{"a.cue", "permission denied"}},
		{name: "unreadable folder", setup: func(t *testing.T, dir string) []string {
			putFile(t, filepath.Join(dir, "src", "ok.yaml"), []byte(validDashboard))
			putFile(t, filepath.Join(dir, "src", "locked", "x.yaml"), []byte(validDashboard))
			os.Chmod(filepath.Join(dir, "src", "locked"), 0)
			t.Cleanup(func() { os.Chmod(filepath.Join(dir, "src", "locked"), 0o755) })
			return []string{"compile", filepath.Join(dir, "src")}
		}, code: 1, want: []string{"locked", "permission denied"}},
		{name: "unreadable markdown", setup: func(t *testing.T, dir string) []string {
			args := sitePage(t, dir, "# Secret\n")
			os.Chmod(filepath.Join(dir, "site", "content", "bad.md"), 0)
			return args
		}, code: 1, want: []string{"bad.md", "permission denied"}},
		{name: "spaces and unicode", setup: func(t *testing.T, dir string) []string {
			putFile(t, filepath.Join(dir, "my dashboards", "équipe ☃", "tableau de bord.yaml"), []byte(validDashboard))
			putFile(t, filepath.Join(dir, "my dashboards", "日本", "p.cue"), []byte("package p\nimport pb \"github.com/pyrobuild/pyrobuild/schema\"\nx: pb.#Project & {metadata: name: \"jp\"}\n"))
			return []string{"compile", filepath.Join(dir, "my dashboards")}
		}, code: 0, root: true},
		{name: "spaces and unicode in errors", setup: func(t *testing.T, dir string) []string {
			putFile(t, filepath.Join(dir, "my dashboards", "équipe ☃", "tableau de bord.yaml"),
				[]byte(strings.Replace(validDashboard, "profileType: cpu", "profileType: cpuu", 1)))
			return []string{"compile", filepath.Join(dir, "my dashboards")}
		}, code: 1, want: []string{filepath.Join("équipe ☃", "tableau de bord.yaml") + ":", "did you mean"}, root: true},
		{name: "site with spaces and unicode", setup: func(t *testing.T, dir string) []string {
			root := filepath.Join(dir, "my site ☃")
			putFile(t, filepath.Join(root, "content", "index.md"), []byte("# Home\n\nSee [the guide](guide/été%20doc.md).\n"))
			putFile(t, filepath.Join(root, "content", "guide", "été doc.md"), []byte("# Été\n\nBack [home](../index.md).\n"))
			putFile(t, filepath.Join(dir, "dash boards", "ü.yaml"), []byte(validDashboard))
			return []string{"build", "--root", root, "--cache-dir", "off", "--dashboards", filepath.Join(dir, "dash boards")}
		}, code: 0, root: true},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			if c.limit > 0 && testing.Short() {
				t.Skip("a CUE bomb: seconds of CPU, a GiB of memory")
			}
			dir := t.TempDir()
			args := c.setup(t, dir)
			out := filepath.Join(dir, "out put ☃")
			args = append(args, "-o", out)
			limit := c.limit
			if limit == 0 {
				limit = 30 * time.Second
			}
			var prepare func(*exec.Cmd)
			if strings.Contains(c.name, "unreadable") && os.Geteuid() == 0 {
				// Root reads files whatever their mode: run as nobody.
				prepare = asNobody(t, bin, dir)
			}
			r := runBinWith(t, prepare, bin, dir, c.env, limit, args...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d (after %s)\nstdout: %s\nstderr: %s", r.code, c.code, r.took.Round(time.Millisecond), lastLines(r.stdout), lastLines(r.stderr))
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, lastLines(r.stderr))
				}
			}
			for _, bad := range []string{"panic:", "goroutine ", "fatal error", "runtime."} {
				if strings.Contains(r.stderr, bad) || strings.Contains(r.stdout, bad) {
					t.Errorf("output shows %q:\n%s", bad, lastLines(r.stderr))
				}
			}
			_, err := os.Stat(out)
			if c.code != 0 && !os.IsNotExist(err) {
				t.Errorf("a failed run left an output folder: %v", err)
			}
			if c.code == 0 && err != nil {
				t.Errorf("no output: %v", err)
			}
			if l := tempLitter(t, dir); len(l) > 0 {
				t.Errorf("temp litter: %v", l)
			}
			t.Logf("exit %d after %s: %s", r.code, r.took.Round(time.Millisecond), firstLineOf(r.stderr))
		})
	}
}

// mkfifo makes a named pipe, which no one will ever write to.
func mkfifo(t *testing.T, p string) {
	t.Helper()
	if out, err := exec.Command("mkfifo", p).CombinedOutput(); err != nil {
		t.Skipf("mkfifo: %v %s", err, out)
	}
}

func firstLineOf(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
