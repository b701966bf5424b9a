package site

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/site/sitediag"
)

// staticFile is a non-markdown file of content/ (an image, a download),
// published at the same relative path.
type staticFile struct {
	rel  string // slash path below content/
	file string
}

// loadContent reads content/: markdown files become pages, other files
// are published as they are. Hidden files and folders are skipped (editor
// swap files, .DS_Store).
func (b *Builder) loadContent() ([]*Page, []staticFile, diag.Diagnostics) {
	root := b.cfg.rootPath(b.cfg.Content)
	var pages []*Page
	var statics []staticFile
	var diags diag.Diagnostics
	fi, err := os.Stat(root)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil, nil // a site of generated pages only
		}
		return nil, nil, diag.Diagnostics{{Severity: diag.Error, Code: sitediag.CodeContentRead, Pos: diag.Pos{File: root}, Message: err.Error()}}
	}
	if !fi.IsDir() {
		return nil, nil, diag.Diagnostics{{Severity: diag.Error, Code: sitediag.CodeContentRead, Pos: diag.Pos{File: root}, Message: "content is not a folder"}}
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			diags = append(diags, diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeContentRead, Pos: diag.Pos{File: p}, Message: err.Error()})
			return nil
		}
		name := d.Name()
		if p != root && (strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") || strings.HasPrefix(name, "#")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if skip, warn := skipLink(root, "content", p, d); skip {
			if warn != nil {
				diags = append(diags, *warn)
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if strings.HasSuffix(name, ".md") {
			pages = append(pages, &Page{Key: rel, File: p})
		} else {
			statics = append(statics, staticFile{rel: rel, file: p})
		}
		return nil
	})
	if err != nil {
		diags = append(diags, diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeContentRead, Pos: diag.Pos{File: root}, Message: err.Error()})
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].Key < pages[j].Key })
	sort.Slice(statics, func(i, j int) bool { return statics[i].rel < statics[j].rel })
	return pages, statics, diags
}

// skipLink decides whether a file met while walking one of the site's
// folders (root, called folder in messages) is left out: a named pipe or a
// device (reading it could block forever), and a symbolic link that is
// broken, leads to a folder or special file, or leads outside root. A link
// may point anywhere on the machine: publish only what the site's own
// folder holds. A skipped link comes with its warning.
func skipLink(root, folder, p string, d fs.DirEntry) (skip bool, warn *diag.Diagnostic) {
	if d.Type()&fs.ModeSymlink == 0 {
		return !d.Type().IsRegular(), nil
	}
	w := func(msg, hint string) (bool, *diag.Diagnostic) {
		return true, &diag.Diagnostic{Severity: diag.Warning, Code: sitediag.CodeContentRead, Pos: diag.Pos{File: p}, Message: msg, Hint: hint}
	}
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return w("broken symbolic link skipped: "+readError(err), "")
	}
	if !within(root, target) {
		return w("symbolic link to outside the "+folder+" folder skipped", "copy the file into "+folder+"/ instead")
	}
	if fi, err := os.Stat(target); err != nil || !fi.Mode().IsRegular() {
		return w("symbolic link to a folder or special file skipped", "links to folders are not followed (they could loop); link each file")
	}
	return false, nil
}

// within reports whether p is inside (or is) the folder dir.
func within(dir, p string) bool {
	d, err1 := filepath.EvalSymlinks(dir)
	if err1 != nil {
		d = dir
	}
	r, err := filepath.Rel(d, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

// resolveLink rewrites a relative link of the page `from`: a link to a .md
// file becomes that page's URL, anything else the published file's URL.
// Whether the target exists is the link check's business.
func (b *Builder) resolveLink(from, dest string) (string, bool) {
	target, frag, _ := strings.Cut(dest, "#")
	if target == "" {
		return "", false // #anchor on the same page
	}
	if strings.Contains(target, "?") {
		return "", false
	}
	p := path.Join(path.Dir(from), target)
	if strings.HasPrefix(p, "../") || p == ".." {
		return "", false // outside the site: left alone, reported by the link check
	}
	var u string
	if strings.HasSuffix(p, ".md") {
		u, _ = pageURL(p)
	} else {
		u = p
		if strings.HasSuffix(target, "/") {
			u += "/"
		}
	}
	// Site-absolute, without the base path: rebase adds it when the page
	// is laid out, to these and to the author's own /… links alike.
	u = "/" + u
	if frag != "" {
		u += "#" + frag
	}
	return u, true
}

// maxPageSize bounds a markdown page, as compile bounds its sources.
const maxPageSize = 32 << 20

// readError is an error of the file system without the path, which the
// diagnostic shows already.
func readError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// pageTextProblem checks that a page is valid UTF-8, the encoding every
// page declares.
func pageTextProblem(file string, data []byte) *diag.Diagnostic {
	if utf8.Valid(data) {
		return nil
	}
	off := 0
	for off < len(data) {
		r, n := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		off += n
	}
	return &diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeContentRead, Pos: model.NewSource(file, data).Pos(off),
		Message: "page is not valid UTF-8", Hint: "save the file as UTF-8"}
}
