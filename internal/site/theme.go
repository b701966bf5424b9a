package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/site/sitediag"
	"github.com/pyrobuild/pyrobuild/templates"
)

// theme is the layouts and assets of one build: the embedded defaults,
// each overridable by a file at the same path in the site's templates/.
type theme struct {
	tmpl   *template.Template
	assets map[string][]byte // path below assets/ → content
	gz     map[string][]byte // path below assets/ → gzip-compressed content (vendored libraries)
	hashes map[string]string // path below assets/ → short content hash
	files  []string          // override files read (for the watcher)
	// layoutFile and layoutSrc are each layout's file (as diagnostics
	// name it) and text, by template name, so that an error names the
	// template it happened in and quotes it.
	layoutFile map[string]string
	layoutSrc  map[string][]byte
}

// loadTheme merges the embedded theme with the site's overrides and
// parses the layouts. A template error is a diagnostic at its file:line.
func (b *Builder) loadTheme() (*theme, diag.Diagnostics) {
	th := &theme{assets: map[string][]byte{}, hashes: map[string]string{}, gz: map[string][]byte{},
		layoutFile: map[string]string{}, layoutSrc: map[string][]byte{}}
	layouts, layoutFile := th.layoutSrc, th.layoutFile
	var diags diag.Diagnostics
	err := fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := templates.FS.ReadFile(p)
		if err != nil {
			return err
		}
		b.addThemeFile(th, layouts, layoutFile, p, "templates/"+p+" (embedded)", data)
		return nil
	})
	if err != nil {
		return nil, diag.Diagnostics{{Severity: diag.Error, Code: sitediag.CodeTemplate, Message: "embedded templates: " + err.Error()}}
	}
	if dir := b.cfg.rootPath(b.cfg.Templates); isDir(dir) {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				diags = append(diags, diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeTemplate, Pos: diag.Pos{File: p}, Message: err.Error()})
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") && p != dir {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(dir, p)
			rel = filepath.ToSlash(rel)
			if !strings.HasPrefix(rel, "layouts/") && !strings.HasPrefix(rel, "assets/") {
				return nil // e.g. the Go file of this repository's own templates package
			}
			// The same rule as content/: a template or asset linked from
			// outside the folder (ln -s /etc/passwd templates/assets/x.css)
			// would be served and published.
			if skip, warn := skipLink(dir, "templates", p, d); skip {
				if warn != nil {
					diags = append(diags, *warn)
				}
				return nil
			}
			data, err := readFile(p, 0)
			if err != nil {
				diags = append(diags, diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeTemplate, Pos: diag.Pos{File: p}, Message: err.Error()})
				return nil
			}
			th.files = append(th.files, p)
			b.addThemeFile(th, layouts, layoutFile, rel, p, data)
			return nil
		})
	}
	th.assets["css/chroma.css"] = b.hl.CSS()
	for p, data := range th.assets {
		if _, ok := th.hashes[p]; ok {
			continue
		}
		sum := sha256.Sum256(data)
		th.hashes[p] = hex.EncodeToString(sum[:5])
	}

	t := template.New("").Funcs(template.FuncMap{
		"asset": func(name string) (string, error) {
			h, ok := th.hashes[name]
			if !ok {
				return "", fmt.Errorf("no asset %q", name)
			}
			// The content hash in the query makes browsers fetch a changed
			// file at once and cache an unchanged one for ever.
			return b.link("assets/"+name) + "?v=" + h, nil
		},
		"rel": func(p string) string { return b.link(p) },
	})
	names := make([]string, 0, len(layouts))
	for n := range layouts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := t.New(n).Parse(string(layouts[n])); err != nil {
			diags = append(diags, th.diag(err, n))
		}
	}
	if t.Lookup("page.html") == nil {
		diags = append(diags, diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeTemplate, Message: "no layouts/page.html template"})
	}
	th.tmpl = t
	return th, diags
}

func (b *Builder) addThemeFile(th *theme, layouts map[string][]byte, layoutFile map[string]string, rel, file string, data []byte) {
	switch {
	case strings.HasPrefix(rel, "layouts/") && strings.HasSuffix(rel, ".html"):
		name := strings.TrimPrefix(rel, "layouts/")
		layouts[name] = data
		layoutFile[name] = file
	case strings.HasPrefix(rel, "assets/"):
		name := strings.TrimPrefix(rel, "assets/")
		if strings.HasSuffix(name, ".gz") && strings.HasPrefix(name, "vendor/") {
			// Vendored libraries are stored compressed in the repository
			// and the binary; the site serves them plain.
			name = strings.TrimSuffix(name, ".gz")
			delete(th.assets, name)
			th.lazy(name, data)
			return
		}
		th.assets[name] = data
	}
}

// inflated caches decompressed vendor files for the life of the process:
// a preview server rebuilds often and the files never change.
var inflated sync.Map // gz digest → []byte

// lazy records a compressed asset, inflated when the site is written; its
// version is the digest of the compressed form.
func (th *theme) lazy(name string, gz []byte) {
	th.gz[name] = gz
	sum := sha256.Sum256(gz)
	th.hashes[name] = hex.EncodeToString(sum[:5])
}

// inflate returns a compressed asset's content, once per process.
func inflate(gz []byte) ([]byte, error) {
	key := sha256.Sum256(gz)
	if v, ok := inflated.Load(key); ok {
		return v.([]byte), nil
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	inflated.Store(key, data)
	return data, nil
}

// templateLineRe matches the errors of text/template ("template: NAME:LINE:
// …") and of html/template's escaper ("html/template:NAME:LINE:COL: …").
var templateLineRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:html/)?template: ?([^:]+):(\d+):(?:(\d+):)?\s*(.*)$`)
})

// diag turns an error of parsing or executing a layout into a diagnostic
// at the file:line of the template it happened in, named as parse and
// execution errors alike name it (the file as found, e.g.
// templates/layouts/page.html, or the embedded one). name is the template
// to blame when the error does not say.
func (th *theme) diag(err error, name string) diag.Diagnostic {
	d := diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeTemplate, Pos: diag.Pos{File: th.layoutFile[name]}, Message: err.Error()}
	if m := templateLineRe().FindStringSubmatch(err.Error()); m != nil {
		if f, ok := th.layoutFile[m[1]]; ok {
			d.Pos.File = f
		}
		d.Pos.Line, _ = strconv.Atoi(m[2])
		if m[3] != "" {
			d.Pos.Col, _ = strconv.Atoi(m[3])
		}
		d.Message = "template " + m[1] + ": " + m[4]
	}
	return d
}

// quote adds the text of the layouts that s's diagnostics point at to
// s.Sources, so the problem shows with an excerpt.
func (th *theme) quote(s *Site) {
	if th == nil {
		return
	}
	for _, d := range s.Diagnostics {
		if d.Code != sitediag.CodeTemplate || d.Pos.File == "" || s.Sources[d.Pos.File] != nil {
			continue
		}
		for name, f := range th.layoutFile {
			if f == d.Pos.File {
				s.Sources[f] = model.NewSource(f, th.layoutSrc[name])
			}
		}
	}
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// assetOutputs lists the assets to publish, vendored ones inflated.
func (th *theme) assetOutputs() (map[string][]byte, error) {
	out := map[string][]byte{}
	for name, data := range th.assets {
		out[path.Join("assets", name)] = data
	}
	for name, gz := range th.gz {
		data, err := inflate(gz)
		if err != nil {
			return nil, fmt.Errorf("vendored %s: %w", name, err)
		}
		out[path.Join("assets", name)] = data
	}
	return out, nil
}
