package watch

import (
	"path/filepath"
	"strings"
)

// isScratchName reports whether a file's base name is one that editors and
// desktops write beside the real file while saving (swap, backup, lock and
// temp files). Such files never carry content the site reads, and reporting
// them would trigger rebuilds for nothing, or worse, name files that are gone
// by the time the server looks.
func isScratchName(name string) bool {
	switch {
	case name == "" || name == "." || name == "..":
		return true
	case name[0] == '.':
		// Hidden files: vim's .x.swp/.x.swx, emacs lock links .#x, gedit's
		// .goutputstream-XXXXXX, macOS's .DS_Store, and dotfiles in general.
		return true
	case name == "4913":
		// vim creates and deletes this name to probe whether the folder is
		// writable before saving.
		return true
	case strings.HasSuffix(name, "~"):
		// vim and emacs backups.
		return true
	case len(name) > 1 && name[0] == '#' && name[len(name)-1] == '#':
		// emacs auto-save files.
		return true
	case strings.HasSuffix(name, "___jb_tmp___"), strings.HasSuffix(name, "___jb_old___"):
		// JetBrains "safe write": new content goes to x___jb_tmp___, the old
		// file becomes x___jb_old___, then both are renamed/removed.
		return true
	}
	for _, ext := range []string{".tmp", ".swp", ".swx", ".swo"} {
		if hasSuffixFold(name, ext) {
			return true
		}
	}
	return false
}

// isSkippedDirName reports whether a sub-folder is never watched: hidden
// folders (.git and friends hold thousands of entries that change on every
// git command) and node_modules (huge, and never site input). The one
// hidden folder watched is .pyrobuild: the recordings `pyrobuild snapshot`
// writes there are drawn on the dashboards' pages, and a snapshot taken
// while serve runs must show without a restart.
func isSkippedDirName(name string) bool {
	if name == ".pyrobuild" {
		return false
	}
	return name == "" || name[0] == '.' || name == "node_modules"
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// relWithin returns p relative to the folder dir when p is dir itself ("")
// or lies under it. Both must be clean absolute paths.
func relWithin(dir, p string) (string, bool) {
	if p == dir {
		return "", true
	}
	prefix := dir
	if !strings.HasSuffix(prefix, string(filepath.Separator)) {
		prefix += string(filepath.Separator)
	}
	if strings.HasPrefix(p, prefix) {
		return p[len(prefix):], true
	}
	return "", false
}

// relAllowed reports whether every folder on the relative path rel passes
// the folder rules, and its last element passes the file rules (or the folder
// rules when lastIsDir). A path below a skipped folder is out even when an
// event for it arrives, which happens when the folder is watched only because
// a single-file root lives in it.
func relAllowed(rel string, lastIsDir bool) bool {
	for {
		i := strings.IndexByte(rel, filepath.Separator)
		if i < 0 {
			break
		}
		if isSkippedDirName(rel[:i]) {
			return false
		}
		rel = rel[i+1:]
	}
	if lastIsDir {
		return !isSkippedDirName(rel)
	}
	return !isScratchName(rel)
}
