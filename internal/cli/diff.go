package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
)

// exitChanges is diff's exit code when --exit-code is given and there are
// changes. 1 and 2 already mean errors in the sources and usage errors, so
// unlike git diff --exit-code, changes do not exit 1: a CI step can tell
// "changed" from "broken".
const exitChanges = 3

// errChanges means diff found changes and --exit-code asked to say so; the
// changes were already printed.
var errChanges = errors.New("the resources changed")

type diffOptions struct {
	compile  compileOptions
	against  string
	output   string
	exitCode bool
	// Against a Perses server (diff_server.go).
	remote remoteOptions
	server bool
	prune  bool
}

func newDiffCmd(env environment, stdout, stderr io.Writer) *cobra.Command {
	o := &diffOptions{compile: compileOptions{env: env}}
	cmd := &cobra.Command{
		Use:   "diff [PATH...]",
		Short: "Show what changed between a previous build and the sources",
		Long: `Diff compiles the sources, as compile does but without writing anything,
and compares the resources with those of a previous build: an output folder
of 'pyrobuild compile' (--against, default build/ or pyrobuild.yaml's
output), read from its bundle.yaml or bundle.json. It is the review step of
a GitOps pull request: what will change on the Perses server.

Resources are matched by kind, project and name, and listed as added (+),
removed (-) or changed (~). For a changed resource, each changed value is
shown as a JSON pointer (/spec/panels/api/spec/display/name) with its old
and new value. Maps compare regardless of key order, list items by index.
Values of credential fields (passwords, tokens, the values of a Secret,
Authorization headers) are masked.

Problems in the sources are printed on stderr as compile prints them, and
exit 1. --output json prints one JSON object on stdout for scripts:
{"added", "removed", "changed", "unchanged", "resources": [{"op", "id",
"kind", "project", "name", "fields": [{"op", "path", "old", "new"}]}]}.

With --url URL (or --server, for pyrobuild.yaml's server.url), diff
compares with what that Perses server holds instead of a build (see
'pyrobuild apply --help' for the connection): what the server manages
(createdAt, updatedAt, version) and its lower-casing of names are no
change, secret values are not compared (the server never returns them),
--prune lists what the server holds in the sources' projects and the
sources do not, --output markdown writes a pull-request comment, and
--diagnostics text|json|github says how problems are printed.

Exit codes: 0 (with or without changes), 1 errors in the sources, 2 usage
errors (a missing --against folder too); with --exit-code, 3 when something
changed; 130 when interrupted (Ctrl-C or SIGTERM).`,
		Example: `  pyrobuild compile && edit dashboards/cpu.yaml && pyrobuild diff
  pyrobuild diff --against /tmp/main-build --exit-code
  pyrobuild diff --output json | jq '.resources[].id'
  pyrobuild diff --url https://perses.example.com --prune --exit-code

  # In CI: compare a pull request with its base branch
  git worktree add /tmp/base origin/main
  (cd /tmp/base && pyrobuild compile -o /tmp/base-build)
  pyrobuild diff --against /tmp/base-build`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd, stderr)
			if err != nil {
				return err
			}
			f := cmd.Flags()
			from := cfg.sourcesFrom(args)
			if len(args) == 0 {
				args = cfg.defaultSources()
			}
			if err := checkSources(args, from); err != nil {
				return err
			}
			override(f, "strict", &o.compile.strict, cfg.strict)
			overrideList(f, "server-datasource", &o.compile.serverDatasources, cfg.serverDatasources)
			cfg.applyPlugins(f, &o.compile.plugins)
			project := "build"
			cfg.defaultOutput(false, &project, cfg.output)
			if !f.Changed("against") {
				o.against = project
			}
			if f.Changed("url") || o.server {
				o.remote.fromConfig(f, cfg)
				o.compile.output = project
				return runDiffServer(cmd.Context(), o, args, stdout, stderr)
			}
			return runDiff(cmd.Context(), o, args, project, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.against, "against", "build", "the previous build: an output folder of pyrobuild compile (default: pyrobuild.yaml's output, or build)")
	f.StringVar(&o.output, "output", "text", "how to print the changes: text or json (and markdown against a server)")
	f.BoolVar(&o.exitCode, "exit-code", false, "exit 3 when something changed (0 otherwise)")
	f.BoolVar(&o.compile.strict, "strict", false, "treat warnings in the sources as errors")
	f.BoolVarP(&o.compile.quiet, "quiet", "q", false, "leave notes about the sources out")
	f.StringArrayVar(&o.compile.serverDatasources, "server-datasource", nil, "a datasource NAME that exists only on the Perses server (repeatable; \"default\" for a default one)")
	f.DurationVar(&o.compile.goTimeout, "go-timeout", compiler.DefaultGoTimeout, "how long each Go dashboards program may run")
	serverDiffFlags(cmd, o)
	cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json", "markdown"}, cobra.ShellCompDirectiveNoFileComp))
	addPluginsFlag(f, &o.compile.plugins)
	cmd.RegisterFlagCompletionFunc("against", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveFilterDirs
	})
	return cmd
}

// runDiff compiles paths and compares the result with o.against. The
// project's output folder is skipped as a source, like the folder compared
// with: both hold compiled resources, which would count twice.
func runDiff(ctx context.Context, o *diffOptions, paths []string, projectOutput string, stdout, stderr io.Writer) error {
	if o.output != "text" && o.output != "json" {
		return usageError{fmt.Errorf("unknown --output %q: use text or json", o.output)}
	}
	if o.compile.goTimeout <= 0 {
		return usageError{fmt.Errorf("--go-timeout must be positive, got %s", o.compile.goTimeout)}
	}
	if _, err := os.Stat(o.against); errors.Is(err, fs.ErrNotExist) {
		return usageError{fmt.Errorf("--against %s: no such folder; compile the version to compare with first (pyrobuild compile -o %s), or name its output folder with --against", filepath.Clean(o.against), filepath.Clean(o.against))}
	}
	old, err := bundle.ReadOutput(o.against)
	if err != nil {
		return usageError{fmt.Errorf("--against: %w", err)}
	}
	opts := o.compile.env.compileOptions()
	opts.Paths, opts.Strict, opts.ServerDatasources, opts.GoTimeout, opts.Pack = paths, o.compile.strict, o.compile.serverDatasources, o.compile.goTimeout, true
	opts.Skip = []string{o.against, projectOutput}
	if err := checkPluginPaths(o.compile.plugins); err != nil {
		return err
	}
	opts.Plugins = o.compile.plugins
	res, err := compiler.Compile(ctx, opts)
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "diff %v\n", context.Cause(ctx))
		return errInterrupted
	}
	if err != nil {
		return err
	}
	// stdout is the diff's; problems go to stderr whatever --output says.
	if err := printDiagnostics(res.Diagnostics, res.Sources, "text", o.compile.quiet, stdout, stderr); err != nil {
		return err
	}
	if res.Diagnostics.HasErrors() {
		fmt.Fprintf(stderr, "diff failed: %s\n", res.Diagnostics.Summary())
		return errSources
	}
	d := bundle.Diff(old, res.Resources)
	if o.output == "json" {
		err = d.WriteJSON(stdout)
	} else {
		err = d.WriteText(stdout, colorWanted(stdout))
	}
	if err != nil {
		return err
	}
	if o.exitCode && !d.Empty() {
		return errChanges
	}
	return nil
}
