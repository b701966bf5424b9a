package plugin

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Limits on what a plugin folder or archive may hold. Real plugin modules
// keep a few hundred KiB of CUE; the limits only stop a hostile or corrupt
// archive from exhausting memory.
const (
	maxEntry = 8 << 20   // one file kept from a module
	maxTotal = 64 << 20  // all files kept from one module
	maxFiles = 20000     // entries of one archive
	maxRead  = 512 << 20 // bytes of one archive, compressed
)

// pluginModule is one plugin module's files, in memory: only what validation
// needs (package.json, CUE files), under slash-separated paths relative to
// the module's root.
type pluginModule struct {
	// name is the module's folder or archive name, without extension.
	name string
	// origin is the folder or archive it came from, as the user gave it.
	origin string
	files  map[string][]byte
}

// archiveExt returns the archive extension of name, or "".
func archiveExt(name string) string {
	for _, ext := range []string{".tar.gz", ".tgz", ".tar", ".zip"} {
		if strings.HasSuffix(strings.ToLower(name), ext) {
			return ext
		}
	}
	return ""
}

// kept reports whether a module file matters for validation.
func kept(rel string) bool {
	return rel == "package.json" || rel == "mf-manifest.json" || strings.HasSuffix(rel, ".cue")
}

// discover lists the modules under one --plugins path: an archive, one
// plugin folder (it holds package.json), or a folder of plugin folders and
// archives. An archive beside a folder of the same name is the folder's
// source (the server extracts one into the other): the folder is read.
func discover(p string) ([]*pluginModule, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if archiveExt(p) == "" {
			return nil, fmt.Errorf("%s: not a plugin folder or a .tar.gz, .tgz, .tar or .zip plugin archive", p)
		}
		m, err := readArchive(p)
		if err != nil {
			return nil, err
		}
		return []*pluginModule{m}, nil
	}
	if _, err := os.Stat(filepath.Join(p, "package.json")); err == nil {
		m, err := readFolder(p)
		if err != nil {
			return nil, err
		}
		return []*pluginModule{m}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, err
	}
	folders := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() {
			folders[e.Name()] = true
		}
	}
	var out []*pluginModule
	for _, e := range entries {
		full := filepath.Join(p, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), "."):
		case e.IsDir():
			if _, err := os.Stat(filepath.Join(full, "package.json")); err != nil {
				continue // not a plugin folder (the server skips it too)
			}
			m, err := readFolder(full)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		case archiveExt(e.Name()) != "":
			if folders[e.Name()[:len(e.Name())-len(archiveExt(e.Name()))]] {
				continue
			}
			m, err := readArchive(full)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no plugin found (a plugin folder holds package.json; archives end in .tar.gz, .tgz, .tar or .zip)", p)
	}
	return out, nil
}

// readFolder reads the files of an extracted plugin folder.
func readFolder(dir string) (*pluginModule, error) {
	m := &pluginModule{name: filepath.Base(dir), origin: dir, files: map[string][]byte{}}
	total := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if skipDir(rel) {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !kept(rel) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > maxEntry {
			return fmt.Errorf("%s: larger than %d MiB", p, maxEntry>>20)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if total += len(data); total > maxTotal {
			return fmt.Errorf("%s: its CUE files exceed %d MiB", dir, maxTotal>>20)
		}
		m.files[rel] = data
		return nil
	})
	return m, err
}

// skipDir reports the folders of a module whose files validation never
// reads: the JavaScript bundle and node modules.
func skipDir(rel string) bool {
	switch rel {
	case "static", "node_modules", "__mf", "dist":
		return true
	}
	return false
}

// entryName cleans the name of an archive entry, refusing names that would
// leave the module's root.
func entryName(name string) (string, error) {
	name = strings.ReplaceAll(name, "\\", "/")
	if strings.HasPrefix(name, "/") || filepath.VolumeName(name) != "" {
		return "", fmt.Errorf("entry %q is an absolute path", name)
	}
	var parts []string
	for _, part := range strings.Split(name, "/") {
		switch part {
		case "", ".":
		case "..":
			return "", fmt.Errorf("entry %q leaves the archive's folder", name)
		default:
			parts = append(parts, part)
		}
	}
	return strings.Join(parts, "/"), nil
}

// stripTop moves the files of an archive packed with one top folder
// (npm pack's package/) to the module's root.
func (m *pluginModule) stripTop() {
	if _, ok := m.files["package.json"]; ok {
		return
	}
	top := ""
	for n := range m.files {
		first, _, ok := strings.Cut(n, "/")
		if !ok || (top != "" && first != top) {
			return
		}
		top = first
	}
	files := make(map[string][]byte, len(m.files))
	for n, d := range m.files {
		files[strings.TrimPrefix(n, top+"/")] = d
	}
	m.files = files
}

// readArchive reads a plugin archive in memory. Nothing is written to disk.
func readArchive(file string) (*pluginModule, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxRead+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxRead {
		return nil, fmt.Errorf("%s: larger than %d MiB", file, maxRead>>20)
	}
	base := filepath.Base(file)
	m := &pluginModule{name: base[:len(base)-len(archiveExt(base))], origin: file, files: map[string][]byte{}}
	add := func(name string, size int64, open func() (io.Reader, error)) error {
		rel, err := entryName(name)
		if err != nil {
			return err
		}
		if !kept(rel) || skipDir(strings.SplitN(rel, "/", 2)[0]) {
			return nil
		}
		if size > maxEntry {
			return fmt.Errorf("entry %s is larger than %d MiB", rel, maxEntry>>20)
		}
		r, err := open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(r, maxEntry+1))
		if err != nil {
			return err
		}
		if len(data) > maxEntry {
			return fmt.Errorf("entry %s is larger than %d MiB", rel, maxEntry>>20)
		}
		m.files[rel] = data
		return nil
	}
	if archiveExt(base) == ".zip" {
		err = readZip(raw, add)
	} else {
		err = readTar(raw, archiveExt(base) != ".tar", add)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	m.stripTop()
	total := 0
	for _, d := range m.files {
		total += len(d)
	}
	if total > maxTotal {
		return nil, fmt.Errorf("%s: its CUE files exceed %d MiB", file, maxTotal>>20)
	}
	return m, nil
}

type addFunc func(name string, size int64, open func() (io.Reader, error)) error

func readZip(raw []byte, add addFunc) error {
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return err
	}
	if len(zr.File) > maxFiles {
		return fmt.Errorf("more than %d entries", maxFiles)
	}
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() || !zf.Mode().IsRegular() {
			continue
		}
		var rc io.ReadCloser
		err := add(zf.Name, int64(zf.UncompressedSize64), func() (io.Reader, error) {
			var err error
			rc, err = zf.Open()
			return rc, err
		})
		if rc != nil {
			rc.Close()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func readTar(raw []byte, gzipped bool, add addFunc) error {
	var r io.Reader = bytes.NewReader(raw)
	if gzipped {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return err
		}
		defer gz.Close()
		r = gz
	}
	tr := tar.NewReader(r)
	for n := 0; ; n++ {
		if n > maxFiles {
			return fmt.Errorf("more than %d entries", maxFiles)
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue // folders, links: nothing a schema needs
		}
		if err := add(h.Name, h.Size, func() (io.Reader, error) { return tr, nil }); err != nil {
			return err
		}
	}
}

// sum is the content key of a module: its name and every file kept.
func (m *pluginModule) sum() string {
	h := sha256.New()
	names := make([]string, 0, len(m.files))
	for n := range m.files {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(h, "%s\x00", m.name)
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(m.files[n]))
		h.Write(m.files[n])
	}
	return hex.EncodeToString(h.Sum(nil))
}
