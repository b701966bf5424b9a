package cli

import (
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// pseudoVersionRe finds the commit in a Go pseudo-version
// (v0.0.0-20261125110544-0a0e934c1d2e), which `go install …@main` records.
var pseudoVersionRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`-(\d{14})-([0-9a-f]{12})$`) })

// readBuildInfo is debug.ReadBuildInfo, parsed once: every command asks
// for the version (the root command's --version, the User-Agent), and the
// parse is of some 200 lines of dependencies.
var readBuildInfo = sync.OnceValues(debug.ReadBuildInfo)

// buildInfo is what `pyrobuild version` and `pyrobuild --version` print:
// the version, the commit it was built from, and the Go toolchain. A bug
// report needs all three.
func buildInfo() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pyrobuild %s\n", version())
	info, ok := readBuildInfo()
	commit := "unknown"
	goVersion := runtime.Version()
	if ok {
		goVersion = info.GoVersion
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			commit = rev
			var notes []string
			if t := settings["vcs.time"]; t != "" {
				notes = append(notes, t)
			}
			if settings["vcs.modified"] == "true" {
				notes = append(notes, "with uncommitted changes")
			}
			if len(notes) > 0 {
				commit += " (" + strings.Join(notes, ", ") + ")"
			}
		} else if m := pseudoVersionRe().FindStringSubmatch(info.Main.Version); m != nil {
			commit = m[2]
		} else if v := info.Main.Version; v != "" && v != "(devel)" {
			commit = "tagged " + v
		}
	}
	fmt.Fprintf(&b, "commit %s\n", commit)
	fmt.Fprintf(&b, "go %s %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
	return b.String()
}
