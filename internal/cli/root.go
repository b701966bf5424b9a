// Package cli defines pyrobuild's commands. Each command is one file with
// the same anatomy: flags, then a run function that calls the library.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/interrupt"
	"github.com/pyrobuild/pyrobuild/internal/outdir"
)

// Exit codes.
const (
	exitOK          = 0
	exitErrors      = 1   // problems in the sources
	exitUsage       = 2   // bad flags or arguments
	exitInterrupted = 130 // stopped by SIGINT or SIGTERM, as shells report a Ctrl-C
)

// sourceErrors means the sources had errors; they were already printed.
var errSources = errors.New("errors in the sources")

type usageError struct{ error }

// errInterrupted means a command stopped for an interrupt, and said so.
var errInterrupted = errors.New("interrupted")

// Run executes pyrobuild with args and returns the process exit code.
//
// SIGINT and SIGTERM are handled here, once for every command, from the
// start: they cancel the context the command runs with (cmd.Context()).
// A command that serves or watches stops and exits 0; any other stops
// what it does, leaves its output as it was, and exits 130. A second
// signal kills the process at once. `--version` and `--help` alone only
// print, have nothing to undo, and are spared the cost of catching.
func Run(args []string, stdout, stderr io.Writer) int {
	if printsOnly(args) {
		return runContext(context.Background(), args, stdout, stderr)
	}
	ctx, stop := interrupt.Context()
	defer stop()
	return runContext(ctx, args, stdout, stderr)
}

// printsOnly reports whether args only ask for the version or the help.
func printsOnly(args []string) bool {
	if len(args) != 1 {
		return false
	}
	switch args[0] {
	case "--version", "-v", "version", "--help", "-h", "help":
		return true
	}
	return false
}

// runContext is Run with the context the command runs with.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(readEnv(os.Getenv), stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errInterrupted):
		return exitInterrupted
	case ctx.Err() != nil:
		// Whatever failed, it failed because it was stopped.
		fmt.Fprintf(stderr, "pyrobuild: %v\n", context.Cause(ctx))
		return exitInterrupted
	case errors.Is(err, errSources):
		return exitErrors
	case errors.Is(err, errChanges):
		return exitChanges
	default:
		var ue usageError
		if errors.As(err, &ue) || errors.As(err, new(*outdir.RefusedError)) || isCobraUsage(err) {
			fmt.Fprintf(stderr, "pyrobuild: %v\nRun 'pyrobuild --help' for usage.\n", err)
			return exitUsage
		}
		fmt.Fprintf(stderr, "pyrobuild: %v\n", err)
		return exitErrors
	}
}

func isCobraUsage(err error) bool {
	// cobra reports unknown commands and flags as plain errors; they are
	// raised before any command runs.
	return errors.As(err, new(*flagError)) || strings.HasPrefix(err.Error(), "unknown command")
}

type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }

// suggestFlag adds "did you mean --format?" to pflag's error about an
// unknown flag (--fromat) of c, when one of c's flags is close: cobra
// suggests commands, not flags.
func suggestFlag(c *cobra.Command, err error) error {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return err
	}
	name, _, _ = strings.Cut(name, "=")
	var names []string
	add := func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	}
	c.Flags().VisitAll(add)
	c.InheritedFlags().VisitAll(add)
	if best := compiler.Closest(name, names); best != "" {
		return fmt.Errorf("%w; did you mean --%s?", err, best)
	}
	return err
}

// newRoot is the command tree, whose commands take their settings from
// env.
func newRoot(env environment, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "pyrobuild",
		Short: "Compile and document Perses dashboards for Grafana Pyroscope",
		Long: `pyrobuild compiles Perses dashboards-as-code (CUE, Go, YAML, JSON) that use
the Pyroscope datasource, profile queries and flame graph panels. It checks
them far more deeply than Perses does and writes bundles that percli apply
and a Perses server accept as they are. It also builds the plugins'
documentation site, with a catalog of the compiled dashboards, and previews
both with live reload.

Start with:  pyrobuild init my-dashboards && cd my-dashboards && pyrobuild serve`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &flagError{suggestFlag(c, err)} })
	root.SetVersionTemplate(buildInfo())
	root.PersistentFlags().String("config", "", "settings file (default: "+ConfigFile+" in the current folder or the nearest parent, up to the repository's root, when there is one)")
	root.AddCommand(newCompileCmd(env, stdout, stderr), newCheckCmd(env, stdout, stderr), newBuildCmd(env, stdout, stderr), newServeCmd(env, stdout, stderr), newVersionCmd(stdout))
	root.AddCommand(newInitCmd(stdout, stderr), newDiffCmd(env, stdout, stderr))
	root.AddCommand(newSchemaCmd(stdout), newSnapshotCmd(env, stdout, stderr))
	root.AddCommand(newApplyCmd(env, stdout, stderr), newPullCmd(env, stdout, stderr))
	return root
}

func version() string {
	if info, ok := readBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}

func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of pyrobuild, its commit and Go version",
		Args:  noArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprint(stdout, buildInfo())
		},
	}
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("%s takes no arguments", cmd.Name())}
	}
	return nil
}

// colorWanted reports whether w is a terminal and NO_COLOR is unset.
func colorWanted(w io.Writer) bool {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
