// Package cache holds what pyrobuild's caches on disk share: how an entry
// is written, how the running executable is told apart from another, and
// how entries no run has used for a while are removed. Where the caches
// live is for the caller to say: the pyrobuild command passes its folder
// ($PYROBUILD_CACHE) down in options, so the package has no setting of its
// own.
//
// Most caches are a folder of files named by the hash of what they were
// made from. A run touches the entries it uses (Touch), and at most once a
// day (Daily) removes those unused for TTL (Trim). An entry is written
// atomically (WriteFile), so a reader sees a whole entry or none; one it
// cannot read is a miss, never an error. A Store, for caches of many small
// entries (the compiler's unit store), appends them to pack files instead,
// each record checked when read: creating a file costs more than writing
// such an entry.
package cache

import (
	"io"
	"os"
	"path/filepath"
	"time"
)

// TTL is how long an entry no run has used is kept.
const TTL = 30 * 24 * time.Hour

// WriteFile writes an entry atomically: to a temporary file beside p,
// renamed to p once whole. Folders are made as needed.
func WriteFile(p string, data []byte) error {
	return Write(p, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write is WriteFile for an entry that write streams, so that a large one
// is never whole in memory. An error of write leaves p as it was.
func Write(p string, write func(w io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	werr := write(tmp)
	cerr := tmp.Close()
	if werr == nil && cerr == nil {
		werr = os.Rename(tmp.Name(), p)
	}
	if werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
	}
	return werr
}

// Touch sets an entry's time to now, at most once an hour: entries in use
// stay, since Trim goes by the time an entry was last used.
func Touch(p string) {
	if fi, err := os.Stat(p); err == nil && time.Since(fi.ModTime()) > time.Hour {
		now := time.Now()
		_ = os.Chtimes(p, now, now)
	}
}

// Daily reports whether a day has passed since it last reported true for
// mark (a file whose time says when), and marks now if so.
func Daily(mark string) bool {
	if fi, err := os.Stat(mark); err == nil && time.Since(fi.ModTime()) < 24*time.Hour {
		return false
	}
	if err := os.WriteFile(mark, nil, 0o644); err != nil {
		return false
	}
	now := time.Now()
	_ = os.Chtimes(mark, now, now)
	return true
}

// Trim removes the entries depth levels below dir (1: its own, 2: those
// of its sub-folders) not modified for ttl; a folder goes only when empty.
// Caches touch what they use, so what goes is what no run has used since.
func Trim(dir string, depth int, ttl time.Duration) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case depth > 1 && e.IsDir():
			Trim(p, depth-1, ttl)
		case depth == 1:
			if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > ttl {
				_ = os.Remove(p)
			}
		}
	}
}
