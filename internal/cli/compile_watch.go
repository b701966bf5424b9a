package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/watch"
)

// runCompileWatch compiles, then compiles again after every change of the
// sources, until ctx is done (the process is interrupted): then it stops,
// even in the middle of a compilation, and returns nil. Each run prints its
// problems and replaces the output only when it succeeds (runCompile does
// both), so a half-typed edit never clobbers the last good build.
func runCompileWatch(ctx context.Context, o *compileOptions, paths []string, stdout, stderr io.Writer) error {
	// Unchanged sources are not loaded again (CUE evaluation is most of a
	// compilation).
	o.cache = compiler.NewCache()
	// Bad flags, or an output folder that is not ours, fail now: every
	// later run would fail the same way. Errors in the sources are what
	// watching is for.
	if err := runCompile(ctx, o, paths, true, stdout, stderr); ctx.Err() != nil {
		fmt.Fprintln(stderr, "stopped")
		return nil
	} else if err != nil && !errors.Is(err, errSources) {
		return err
	}
	roots := paths
	if len(roots) == 0 {
		roots = []string{"."}
	}
	out, err := filepath.Abs(o.output)
	if err != nil {
		return err
	}
	w, err := watch.New(roots, watch.Options{
		// The output folder may lie under a source folder (build/ under
		// .): its own writes must not trigger a compilation.
		Ignore: func(p string) bool { return within(out, p) },
		Logf:   func(format string, args ...any) { fmt.Fprintf(stderr, "pyrobuild: "+format+"\n", args...) },
	})
	if err != nil {
		return err
	}
	defer w.Close()
	info := stdout
	if o.diagnostics != "text" {
		info = stderr // stdout carries only the diagnostics
	}
	fmt.Fprintf(info, "watching %s for changes (Ctrl-C to stop)\n", strings.Join(roots, ", "))
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(stderr, "stopped")
			return nil
		case b, ok := <-w.Batches():
			if !ok {
				return nil
			}
			if !o.quiet {
				fmt.Fprintf(info, "\n%s %s\n", time.Now().Format("15:04:05"), describeChanges(b.Paths))
			}
			if err := runCompile(ctx, o, paths, true, stdout, stderr); err != nil && !errors.Is(err, errSources) && ctx.Err() == nil {
				fmt.Fprintf(stderr, "pyrobuild: %v\n", err)
			}
		}
	}
}

// within reports whether path p is the folder dir (absolute) or lies
// under it.
func within(dir, p string) bool {
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(dir, abs)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// describeChanges names the changed files, a few at most.
func describeChanges(paths []string) string {
	const shown = 3
	switch {
	case len(paths) == 1:
		return paths[0] + " changed"
	case len(paths) <= shown:
		return strings.Join(paths, ", ") + " changed"
	}
	return fmt.Sprintf("%s and %d more changed", strings.Join(paths[:shown], ", "), len(paths)-shown)
}
