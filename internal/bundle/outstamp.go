package bundle

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/pyrobuild/pyrobuild/internal/cache"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/outdir"
)

// An output folder's stamp, kept in pyrobuild's cache folder (not in the
// output, which stays the same bytes every run), names the key of the
// inputs it was compiled from and every file and folder written, with
// mode, size and modification time. When the next compilation has the same
// key and finds the folder as it was written, nothing is rewritten: the
// folder already holds exactly that output. Any difference (an input, the
// format, the pyrobuild executable, a file edited, added or removed by
// hand) means the folder is replaced as usual.

const stampFormat = "pyrobuild-stamp-1"

// OutputStampDir is where stamps are kept in pyrobuild's cache folder
// root: beside the unit store.
func OutputStampDir(root string) string { return filepath.Join(root, "outputs") }

// OutputKey is the key of what r compiles to in format f: a hash of every
// source's path and bytes, the format and the pyrobuild executable. It is
// "" when the output may depend on files beyond r.Sources (Go programs,
// CUE packages importing the user's own modules) or the executable cannot
// be identified: such output is always written.
func OutputKey(r *compiler.Result, f Format) string {
	// The compilation's unit store, when it has one, worked the identity
	// out first, remembering it in pyrobuild's cache folder.
	exe := cache.Executable("")
	if !r.Hermetic() || exe == nil {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", stampFormat, exe, f)
	paths := make([]string, 0, len(r.Sources))
	for p := range r.Sources {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(r.Sources[p].Data))
		h.Write(r.Sources[p].Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// WriteOutputKeyed is WriteOutputStyle for Perses bundles whose inputs
// hash to key (OutputKey), with stamps in stamps (OutputStampDir): it
// leaves dir alone, and reports false, when dir holds the output of that
// key, with or without resource files as asked, as it was written. An
// empty key or stamps folder always writes.
func WriteOutputKeyed(dir string, rs []*model.Resource, f Format, files Files, key, stamps string) (written bool, err error) {
	stamp := stampPath(dir, stamps)
	if stamp == "" || key == "" {
		ForgetOutput(dir, stamps)
		return true, writeOutput(dir, rs, f, Lists, files, nil)
	}
	if files {
		key += "+files" // the same inputs, another tree
	}
	if stampHolds(stamp, dir, key) {
		cache.Touch(stamp)
		return false, nil
	}
	// From here until a new stamp is written, no stamp vouches for dir.
	if !ForgetOutput(dir, stamps) {
		return true, writeOutput(dir, rs, f, Lists, files, nil)
	}
	var tree []string
	err = writeOutput(dir, rs, f, Lists, files, func(tmp string) error {
		if lines, ok := listTree(tmp); ok {
			tree = lines // the files keep their times when tmp is swapped in
		}
		return nil
	})
	if err == nil && tree != nil {
		writeStamp(stamp, key, tree)
		// One stamp per output folder ever written (CI jobs write into
		// temporary ones): those unused for as long as unit store entries go.
		if cache.Daily(filepath.Join(stamps, "trimmed")) {
			cache.Trim(stamps, 1, cache.TTL)
		}
	}
	return true, err
}

// listTree describes every file and folder under dir but the marker, one
// line each, sorted; ok is false when it holds anything
// else (a link, a pipe) or cannot be read.
func listTree(dir string) (lines []string, ok bool) {
	ok = true
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == outdir.MarkerFile {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case fi.IsDir():
			lines = append(lines, fmt.Sprintf("d %o %s", fi.Mode().Perm(), rel))
		case fi.Mode().IsRegular():
			lines = append(lines, fmt.Sprintf("f %o %d %d %s", fi.Mode().Perm(), fi.Size(), fi.ModTime().UnixNano(), rel))
		default:
			ok = false
			return filepath.SkipAll
		}
		return nil
	})
	if err != nil {
		return nil, false
	}
	slices.Sort(lines)
	return lines, ok
}

func stampPath(dir, stamps string) string {
	abs, err := filepath.Abs(dir)
	if stamps == "" || err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(stamps, hex.EncodeToString(sum[:]))
}

// ForgetOutput removes dir's stamp, for a writer of dir that keeps none
// (the --crd output); it reports whether dir has none now.
func ForgetOutput(dir, stamps string) bool {
	stamp := stampPath(dir, stamps)
	if stamp == "" {
		return true
	}
	err := os.Remove(stamp)
	return err == nil || errors.Is(err, fs.ErrNotExist)
}

// writeStamp records key and the tree it was written as, atomically; a
// stamp that cannot be written only means the next run writes again.
func writeStamp(stamp, key string, tree []string) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s\n", stampFormat, key)
	for _, l := range tree {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	_ = cache.WriteFile(stamp, b.Bytes())
}

// stampHolds reports whether the stamp says dir was written for key, and
// dir is as it was.
func stampHolds(stamp, dir, key string) bool {
	f, err := os.Open(stamp)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() || sc.Text() != stampFormat+" "+key {
		return false
	}
	var want []string
	for sc.Scan() {
		want = append(want, sc.Text())
	}
	if sc.Err() != nil {
		return false
	}
	if _, err := os.Stat(filepath.Join(dir, outdir.MarkerFile)); err != nil {
		return false
	}
	got, ok := listTree(dir)
	return ok && slices.Equal(got, want)
}
