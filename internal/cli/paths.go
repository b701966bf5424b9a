package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
)

// checkSources makes a usage error of source paths that do not exist: a
// mistyped argument (or a sources entry of pyrobuild.yaml, then named by
// from) is bad usage, not a problem in the sources, and exits 2.
func checkSources(paths []string, from string) error {
	var missing []string
	for _, p := range paths {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			if _, lerr := os.Lstat(p); lerr == nil {
				p += " (a link to nothing)"
			}
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	what := "no such file or folder"
	if len(missing) > 1 {
		what = "no such files or folders"
	}
	if from != "" {
		what += " (" + from + ")"
	}
	return usageError{fmt.Errorf("%s: %s", strings.Join(missing, ", "), what)}
}

// checkOutput makes a usage error of an output folder that replacing
// would delete sources with: one that is a source folder, or holds one
// (-o dashboards dashboards, -o . dashboards). An output folder inside a
// source folder is fine (build/ under .): discovery skips it. Links are
// resolved, so a link to the sources is caught too.
func checkOutput(output string, paths []string) error {
	out := realPath(output)
	if len(paths) == 0 {
		paths = []string{"."}
	}
	for _, p := range paths {
		src := realPath(p)
		if src != out && !within(out, src) {
			continue
		}
		what := "is the source folder"
		if src != out {
			what = "holds the sources in"
		}
		return usageError{fmt.Errorf("output folder %s %s %s: compile replaces its output folder as a whole, which would delete them; choose an output folder of its own, e.g. -o build", filepath.Clean(output), what, filepath.Clean(p))}
	}
	return nil
}

// realPath is p absolute, with its links resolved as far as it exists (an
// output folder may not exist yet).
func realPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	var rest []string
	for dir := abs; ; dir = filepath.Dir(dir) {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(append([]string{real}, rest...)...)
		}
		if filepath.Dir(dir) == dir {
			return abs
		}
		rest = append([]string{filepath.Base(dir)}, rest...)
	}
}

// writeFile writes a file the user named (schema -o) atomically, making
// its folders: a temporary file beside it, renamed over it once whole, so
// an editor reading it never sees half a file.
func writeFile(p string, data []byte) error {
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644) // CreateTemp makes it private
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// checkSiteFolders makes a usage error of a site folder given on the
// command line (--root, --content, --templates) that is not a folder: the
// defaults may be absent (a site of the embedded layouts only), a folder
// named on purpose may not.
func checkSiteFolders(f *pflag.FlagSet, o *siteOptions) error {
	for _, c := range []struct{ flag, path string }{
		{"root", o.root},
		{"content", filepath.Join(o.root, o.content)},
		{"templates", filepath.Join(o.root, o.templates)},
	} {
		if !f.Changed(c.flag) {
			continue
		}
		p := c.path
		if c.flag != "root" && filepath.IsAbs(f.Lookup(c.flag).Value.String()) {
			p = f.Lookup(c.flag).Value.String()
		}
		if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
			return usageError{fmt.Errorf("--%s %s: no such folder", c.flag, f.Lookup(c.flag).Value.String())}
		}
	}
	return nil
}
