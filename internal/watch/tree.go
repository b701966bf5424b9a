package watch

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// The functions in this file keep the watched folders and the file
// baseline in step with the disk. All are called with w.mu held.

// addRoot starts watching r and takes the files it holds now as the
// baseline. A root that adds nothing (the same as one already there, or
// inside a folder root and reported in the same form through it) is only
// remembered, so the root list, which every event is matched against,
// stays as short as the caller's distinct folders.
func (w *Watcher) addRoot(r root) {
	w.added[r.given] = struct{}{}
	if slices.Contains(w.roots, r) || w.covered(r) {
		return
	}
	w.roots = append(w.roots, r)
	baseline := func(abs string, fi fs.FileInfo, _ []string) {
		// Keep an older stamp: a change the poller has not seen yet must
		// still be reported.
		if _, ok := w.files[abs]; !ok {
			st := stampOf(fi)
			if w.be == nil {
				_, st = stampFor(abs, fi, stamp{}, time.Now())
			}
			w.files[abs] = st
		}
	}
	if r.dir {
		w.scan(r.abs, nil, baseline)
		return
	}
	w.scanFileRoot(r, nil, baseline)
}

// covered reports whether a folder root already reports everything r
// would, in the same form.
func (w *Watcher) covered(r root) bool {
	for i := range w.roots {
		d := &w.roots[i]
		if !d.dir {
			continue
		}
		rel, ok := relWithin(d.abs, r.abs)
		if !ok || rel == "" || filepath.Join(d.given, rel) != r.given || !relAllowed(rel, r.dir) {
			continue
		}
		if !w.ignoredOnTheWay(d.given, rel) {
			return true
		}
	}
	return false
}

// ignoredOnTheWay reports whether Ignore rejects base/rel or any folder
// between base and it (such a folder is not watched, so nothing below it
// would be reported).
func (w *Watcher) ignoredOnTheWay(base, rel string) bool {
	if w.opts.Ignore == nil {
		return false
	}
	for i := range len(rel) + 1 {
		if (i == len(rel) || rel[i] == filepath.Separator) && w.opts.Ignore(filepath.Join(base, rel[:i])) {
			return true
		}
	}
	return false
}

// watchDirOf is the folder that must be watched for r: a file root is
// watched through its folder, because editors replace files (rename save,
// delete and recreate) and a watch on the file itself would die with it.
func watchDirOf(r root) string {
	if r.dir {
		return r.abs
	}
	return filepath.Dir(r.abs)
}

// match returns the forms in which the file abs is reported, or nil when it
// belongs to no root or is ignored. A file root is reported whatever its
// name: the caller asked for it explicitly.
func (w *Watcher) match(abs string) []string {
	var forms []string
	for i := range w.roots {
		r := &w.roots[i]
		var form string
		if r.dir {
			rel, ok := relWithin(r.abs, abs)
			if !ok || rel == "" || !relAllowed(rel, false) {
				continue
			}
			form = filepath.Join(r.given, rel)
			if w.opts.Ignore != nil && w.opts.Ignore(form) {
				continue
			}
		} else if abs == r.abs {
			form = r.given
		} else {
			continue
		}
		if !slices.Contains(forms, form) {
			forms = append(forms, form)
		}
	}
	return forms
}

// dirWanted reports whether the folder abs is to be watched recursively: it
// is a folder root, or lies under one with no skipped or ignored folder on
// the way.
func (w *Watcher) dirWanted(abs string) bool {
	for i := range w.roots {
		r := &w.roots[i]
		if !r.dir {
			continue
		}
		rel, ok := relWithin(r.abs, abs)
		if !ok {
			continue
		}
		if rel == "" {
			return true
		}
		if relAllowed(rel, true) && (w.opts.Ignore == nil || !w.opts.Ignore(filepath.Join(r.given, rel))) {
			return true
		}
	}
	return false
}

// scan walks the folder top and its wanted sub-folders, watching each
// folder before reading it: a file written before the watch is in the
// listing, one written after it raises an event, so none falls in between.
// It records the folders in seen (when not nil) and calls file for each
// file that belongs to a root. Symlinks are not followed.
func (w *Watcher) scan(top string, seen map[string]struct{}, file func(abs string, fi fs.FileInfo, forms []string)) {
	_ = filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			// Unreadable, or gone since it was listed: its events (or
			// the next scan) will tell.
			if p == top {
				return filepath.SkipAll
			}
			return nil
		}
		if d.IsDir() {
			if !w.dirWanted(p) || !w.watchDir(p) {
				return filepath.SkipDir
			}
			if seen != nil {
				seen[p] = struct{}{}
			}
			return nil
		}
		forms := w.match(p)
		if forms == nil {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			file(p, fi, forms)
		}
		return nil
	})
}

// scanFileRoot watches a file root's folder and reports the file if it is
// there.
func (w *Watcher) scanFileRoot(r root, seen map[string]struct{}, file func(abs string, fi fs.FileInfo, forms []string)) {
	dir := filepath.Dir(r.abs)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() || !w.watchDir(dir) {
		return
	}
	if seen != nil {
		seen[dir] = struct{}{}
	}
	if fi, err := os.Lstat(r.abs); err == nil && !fi.IsDir() {
		file(r.abs, fi, w.match(r.abs))
	}
}

// watchDir adds a watch on dir unless it has one. It reports false when the
// folder cannot be watched (gone, unreadable); hitting a system limit
// switches the whole watcher to polling instead.
func (w *Watcher) watchDir(dir string) bool {
	if _, ok := w.dirs[dir]; ok {
		return true
	}
	if w.be != nil {
		if err := w.be.Add(dir); err != nil {
			switch {
			case isLimit(err):
				w.fallBack(err, "watch "+dir)
			case errors.Is(err, fs.ErrNotExist):
				return false
			default:
				// Said once per folder: rescans retry it every poll.
				if _, said := w.warned[dir]; !said {
					w.warned[dir] = struct{}{}
					w.opts.Logf("watch: cannot watch %s: %v", dir, err)
				}
				return false
			}
		}
	}
	w.dirs[dir] = struct{}{}
	return true
}

// unwatchDir forgets dir. The kernel drops the watch of a deleted folder by
// itself, but a folder moved away keeps its watch (under the old name, in
// fsnotify's books), so it is removed explicitly.
func (w *Watcher) unwatchDir(dir string) {
	delete(w.dirs, dir)
	if w.be != nil {
		_ = w.be.Remove(dir)
	}
}

// dropTree handles a watched folder that was removed or moved away: its
// watches and those of its sub-folders go, and the files it held are
// reported (as removed, unless they are back by the time of the batch).
func (w *Watcher) dropTree(dir string, now time.Time) {
	for d := range w.dirs {
		if _, ok := relWithin(dir, d); ok {
			w.unwatchDir(d)
		}
	}
	for f := range w.files {
		if _, ok := relWithin(dir, f); ok {
			w.touch(f, now)
		}
	}
	w.missing = w.computeMissing()
}

// rescan walks all roots and reports every file whose stamp differs from
// the baseline, and every baseline file that is gone. It is the poller, the
// recovery after a lost event queue, and the way a root that disappeared is
// picked up again; in watching mode it also adds and drops watches to match.
func (w *Watcher) rescan(now time.Time) {
	seen := map[string]struct{}{}
	found := map[string]struct{}{}
	// observe marks abs when what the walk found (fi, nil when gone)
	// differs from what was last seen of it: the previous rescan's result
	// while it is pending, else the baseline.
	observe := func(abs string, fi fs.FileInfo, forms []string) {
		p, isPending := w.pending[abs]
		var prev stamp
		known := isPending && p.polled
		if known {
			prev = p.seen
		} else if !isPending {
			prev, known = w.files[abs]
		}
		var cur, keep stamp
		if fi != nil {
			cur, keep = stampFor(abs, fi, prev, now)
		}
		switch {
		case isPending && !p.polled:
			// Already marked by an event; note what the walk saw without
			// pushing the debounce back.
			w.pending[abs] = pend{forms: forms, seen: keep, polled: true}
		case known && cur.same(prev), !known && fi == nil:
			// Unchanged. Keep the fresh stamp: it drops a content hash
			// that is no longer needed.
			if fi == nil {
				break
			}
			if isPending {
				p.seen = keep
				w.pending[abs] = p
			} else {
				w.files[abs] = keep
			}
		default:
			w.pending[abs] = pend{forms: forms, seen: keep, polled: true}
			w.deb.event(now)
		}
	}
	report := func(abs string, fi fs.FileInfo, forms []string) {
		found[abs] = struct{}{}
		observe(abs, fi, forms)
	}
	for _, r := range w.roots {
		if r.dir {
			w.scan(r.abs, seen, report)
		} else {
			w.scanFileRoot(r, seen, report)
		}
	}
	for d := range w.dirs {
		if _, ok := seen[d]; !ok {
			w.unwatchDir(d)
		}
	}
	gone := func(f string) {
		if _, ok := found[f]; ok {
			return
		}
		if forms := w.match(f); forms != nil {
			observe(f, nil, forms)
		} else {
			delete(w.files, f)
		}
	}
	for f := range w.files {
		gone(f)
	}
	for f, p := range w.pending {
		if p.polled {
			gone(f)
		}
	}
	w.missing = w.computeMissing()
}

// computeMissing reports whether some root's folder has no watch, which
// happens when it was removed; fsnotify cannot say when it comes back, so
// the run loop then rescans every PollInterval.
func (w *Watcher) computeMissing() bool {
	if w.be == nil {
		return false
	}
	for _, r := range w.roots {
		if _, ok := w.dirs[watchDirOf(r)]; !ok {
			return true
		}
	}
	return false
}
