// Package initkit holds the project that `pyrobuild init` scaffolds: a
// Pyroscope datasource and a dashboard in CUE, Go or YAML, a content/ page,
// a pyrobuild.yaml, a .gitignore and a GitHub Actions workflow, as embedded
// templates, and writes it without clobbering what is already there.
package initkit

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/template"
)

// The templates are named *.tmpl so that no tool (go build, pyrobuild
// compile of this repository, GitHub) takes them for real files, and
// dot-x stands for .x because embed leaves hidden files out.
//
//go:embed templates
var templates embed.FS

// Langs are the languages a dashboard can be scaffolded in.
var Langs = []string{"cue", "go", "yaml"}

// Options describe the project to scaffold.
type Options struct {
	// Lang is the dashboards' language: cue, go or yaml.
	Lang string
	// Project is the Perses project's name.
	Project string
	// Title is the display name of the project and the site's title
	// (default Project).
	Title string
	// Module is the Go module path (default example.com/<Project>: a
	// plain name may be one the go command reserves, such as "go").
	Module string
	// SDKVersion is the version of github.com/pyrobuild/pyrobuild that
	// go.mod requires: the running pyrobuild's own when it is a release,
	// else "latest", which `go mod tidy` resolves.
	SDKVersion string
	// SDKReplace, when set, points go.mod at a local checkout of
	// pyrobuild (a replace directive, from init --sdk), so the project
	// builds offline from it. It is written as it is: a path relative to
	// the project's folder or absolute, quoted when it needs to be.
	SDKReplace string
	// InstallVersion is the version the CI workflow installs (default
	// "latest").
	InstallVersion string
}

// File is one file of the scaffold.
type File struct {
	// Path is relative to the project's folder, with forward slashes.
	Path string
	Data []byte
	// Merge is set for .gitignore: an existing file gets the missing
	// lines appended instead of being a conflict.
	Merge bool
	// Keep is set for go.mod: an existing module is used as it is.
	Keep bool
}

// nameRe is Perses's rule for resource names.
var nameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,75}$`) })

// ValidName reports whether name can name a Perses project.
func ValidName(name string) bool {
	return nameRe().MatchString(name) && !strings.Contains(name, "..") && !strings.HasPrefix(name, ".") && !strings.HasSuffix(name, ".")
}

// ProjectName derives a project name from a folder's name that both
// Perses and Kubernetes take (the operator makes the project a namespace):
// a DNS-1123 label of at most 63 lower-case letters, digits and '-',
// starting and ending with a letter or digit. Capitals are lowered,
// accented Latin letters lose their accents (é → e, ø → o, ß → ss), and
// each run of other characters becomes one '-'. It returns "dashboards"
// when nothing usable is left.
func ProjectName(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(filepath.Base(abs)) {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' {
			b.WriteRune(r)
			dash = false
		} else if ascii := latinASCII(r); ascii != "" {
			b.WriteString(ascii)
			dash = false
		} else if !dash {
			b.WriteRune('-')
			dash = true
		}
	}
	name := strings.Trim(b.String(), "-")
	if len(name) > 63 {
		name = strings.TrimRight(name[:63], "-")
	}
	if name == "" {
		return "dashboards"
	}
	return name
}

// latinLetters spell the lower-case letters of Latin-1 and Latin
// Extended-A in ASCII: each group's letters become its ASCII spelling. A
// table of strings is static data, which costs nothing at start-up.
var latinLetters = [...]struct{ from, to string }{
	{"àáâãäåāăą", "a"}, {"æ", "ae"}, {"çćĉċč", "c"}, {"ďđð", "d"},
	{"èéêëēĕėęě", "e"}, {"ĝğġģ", "g"}, {"ĥħ", "h"}, {"ìíîïĩīĭįı", "i"},
	{"ĳ", "ij"}, {"ĵ", "j"}, {"ķ", "k"}, {"ĺļľŀł", "l"}, {"ñńņňŉ", "n"},
	{"òóôõöøōŏő", "o"}, {"œ", "oe"}, {"ŕŗř", "r"}, {"śŝşšș", "s"},
	{"ß", "ss"}, {"ţťŧț", "t"}, {"þ", "th"}, {"ùúûüũūŭůűų", "u"},
	{"ŵ", "w"}, {"ýÿŷ", "y"}, {"źżž", "z"},
}

// latinASCII is the ASCII spelling of the lower-case letter r, or "".
func latinASCII(r rune) string {
	if r < 0xC0 {
		return ""
	}
	for _, l := range latinLetters {
		if strings.ContainsRune(l.from, r) {
			return l.to
		}
	}
	return ""
}

// Files renders the scaffold for o, sorted by path.
func Files(o Options) ([]File, error) {
	if !slices.Contains(Langs, o.Lang) {
		return nil, fmt.Errorf("unknown language %q: use %s", o.Lang, strings.Join(Langs, ", "))
	}
	if !ValidName(o.Project) {
		return nil, fmt.Errorf("invalid project name %q: a name is 1 to 75 letters, digits, '.', '_' or '-', with no '..' and no leading or trailing '.'", o.Project)
	}
	if o.Title == "" {
		o.Title = o.Project
	}
	if o.Module == "" {
		o.Module = "example.com/" + o.Project
	}
	if o.SDKVersion == "" {
		o.SDKVersion = "latest"
	}
	if o.SDKReplace != "" {
		o.SDKVersion = "v0.0.0" // any version: the replace directive wins
	}
	if o.InstallVersion == "" {
		o.InstallVersion = "latest"
	}
	funcs := template.FuncMap{"quote": func(s string) string {
		b, _ := json.Marshal(s)
		return string(b)
	}}
	var files []File
	for _, dir := range []string{"common", o.Lang} {
		root := "templates/" + dir
		err := fs.WalkDir(templates, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			text, err := templates.ReadFile(p)
			if err != nil {
				return err
			}
			t, err := template.New(p).Delims("[[", "]]").Funcs(funcs).Option("missingkey=error").Parse(string(text))
			if err != nil {
				return err
			}
			var out bytes.Buffer
			if err := t.Execute(&out, o); err != nil {
				return err
			}
			rel := strings.TrimSuffix(strings.TrimPrefix(p, root+"/"), ".tmpl")
			parts := strings.Split(rel, "/")
			for i, part := range parts {
				if rest, ok := strings.CutPrefix(part, "dot-"); ok {
					parts[i] = "." + rest
				}
			}
			rel = path.Join(parts...)
			files = append(files, File{Path: rel, Data: out.Bytes(), Merge: rel == ".gitignore", Keep: rel == "go.mod"})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// ConflictError lists the files that exist already and would be
// overwritten, and the sources that the new ones would be compiled with.
type ConflictError struct {
	Dir   string
	Paths []string
	// Others are sources in the scaffold's source folders (dashboards/)
	// that it does not write: an earlier scaffold in another language, or
	// the user's dashboards. With the new ones, resources would be
	// defined twice.
	Others []string
}

func (e *ConflictError) Error() string {
	all := append(append([]string(nil), e.Paths...), e.Others...)
	return fmt.Sprintf("%s already has %s: nothing was written (--force writes anyway)", e.Dir, strings.Join(all, ", "))
}

// isSource reports whether pyrobuild compiles a file of this name.
func isSource(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".cue", ".yaml", ".yml", ".json":
		return true
	case ".go":
		return !strings.HasSuffix(name, "_test.go")
	}
	return false
}

// dashboardSource reports whether the scaffold's file p is a dashboard
// source: a source in a folder that is not hidden (dashboards/, not
// pyrobuild.yaml nor .github/).
func dashboardSource(p string) bool {
	top, _, ok := strings.Cut(p, "/")
	return ok && isSource(p) && !strings.HasPrefix(top, ".")
}

// otherSources lists, with forward slashes, the sources under dir's
// folders that the scaffold writes sources into (dashboards/), which the
// scaffold does not write itself. Hidden files and folders are not
// sources.
func otherSources(dir string, files []File) ([]string, error) {
	ours := map[string]bool{}
	folders := map[string]bool{}
	for _, f := range files {
		ours[f.Path] = true
		if dashboardSource(f.Path) {
			top, _, _ := strings.Cut(f.Path, "/")
			folders[top] = true
		}
	}
	var others []string
	for folder := range folders {
		err := filepath.WalkDir(filepath.Join(dir, folder), func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), ".") && p != filepath.Join(dir, folder) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			if rel = filepath.ToSlash(rel); !d.IsDir() && isSource(rel) && !ours[rel] {
				others = append(others, rel)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(others)
	return others, nil
}

// Action says what Write did to one file.
type Action struct {
	Path string
	// What is "created", "overwritten", "updated" (lines added to a
	// .gitignore), "unchanged" (the file is as it would be written),
	// "kept" (an existing go.mod) or "left" (another source beside the
	// scaffold's, with force).
	What string
}

// Write writes files into dir. An existing file is a conflict, and so is
// another source in the folders the scaffold writes sources into (it would
// be compiled with them: an earlier scaffold in another language defines
// the same resources); then nothing is written, unless force is set, which
// overwrites files and leaves the other sources ("left": Write never
// deletes a file). An existing .gitignore gets the missing lines, an
// existing go.mod is kept. It returns what it did to each file, in order.
func Write(dir string, files []File, force bool) ([]Action, error) {
	others, err := otherSources(dir, files)
	if err != nil {
		return nil, err
	}
	type plan struct {
		f    File
		data []byte
		what string
	}
	var plans []plan
	var conflicts []string
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		old, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			plans = append(plans, plan{f, f.Data, "created"})
		case err != nil:
			return nil, err
		case f.Keep:
			plans = append(plans, plan{f, nil, "kept"})
		case f.Merge:
			if merged, changed := mergeLines(old, f.Data); changed {
				plans = append(plans, plan{f, merged, "updated"})
			} else {
				plans = append(plans, plan{f, nil, "unchanged"})
			}
		case bytes.Equal(old, f.Data):
			plans = append(plans, plan{f, nil, "unchanged"})
		case force:
			plans = append(plans, plan{f, f.Data, "overwritten"})
		default:
			conflicts = append(conflicts, f.Path)
		}
	}
	// Other sources matter when new ones join them: a second init that
	// changes nothing is harmless.
	writesSource := false
	for _, pl := range plans {
		writesSource = writesSource || pl.data != nil && dashboardSource(pl.f.Path)
	}
	for _, c := range conflicts {
		writesSource = writesSource || dashboardSource(c)
	}
	if !writesSource {
		others = nil
	}
	if len(conflicts) > 0 || len(others) > 0 && !force {
		return nil, &ConflictError{Dir: dir, Paths: conflicts, Others: others}
	}
	var done []Action
	for _, pl := range plans {
		if pl.data != nil {
			p := filepath.Join(dir, filepath.FromSlash(pl.f.Path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return done, err
			}
			if err := os.WriteFile(p, pl.data, 0o644); err != nil {
				return done, err
			}
		}
		done = append(done, Action{pl.f.Path, pl.what})
	}
	for _, o := range others {
		done = append(done, Action{o, "left"})
	}
	return done, nil
}

// mergeLines appends to old the lines of add it lacks (comments aside).
func mergeLines(old, add []byte) ([]byte, bool) {
	have := map[string]bool{}
	for _, l := range strings.Split(string(old), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	var missing []string
	for _, l := range strings.Split(string(add), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") && !have[l] {
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 {
		return old, false
	}
	out := append([]byte(nil), old...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	out = append(out, "# Written by pyrobuild compile and pyrobuild build.\n"...)
	out = append(out, strings.Join(missing, "\n")+"\n"...)
	return out, true
}
