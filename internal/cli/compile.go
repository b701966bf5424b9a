package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/bundle/crd"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/live"
)

type compileOptions struct {
	live              bool
	liveTimeout       time.Duration
	goTimeout         time.Duration
	liveRange         time.Duration
	diagnostics       string
	serverDatasources []string
	plugins           []string
	output            string
	format            string
	strict            bool
	quiet             bool
	crd               bool
	resourceFiles     bool   // --resource-files: a file per resource beside the bundles
	instanceSelector  string // --instance-selector, for --crd
	watch             bool
	cache             *compiler.Cache // --watch: kept between runs
	env               environment
}

func newCompileCmd(env environment, stdout, stderr io.Writer) *cobra.Command {
	o := &compileOptions{env: env}
	cmd := &cobra.Command{
		Use:   "compile [PATH...]",
		Short: "Compile dashboard sources into Perses-ready resources",
		Long: `Compile reads CUE, YAML, JSON and Go sources (files, or folders walked
recursively; Go sources are main packages using pyrobuild's Go SDK, built
once into a cache and run), validates every resource against pyrobuild's
model of Perses and its Pyroscope plugins, lowers the authoring form (short
profile types, query label selectors) to the form Perses accepts, and
writes:

  <output>/bundle.yaml                      every resource, in apply order
  <output>/global/bundle.yaml               global resources
  <output>/projects/<project>/bundle.yaml   a project and its resources

Bundles are YAML lists (or JSON arrays), which 'percli apply -f' reads whole.
With --resource-files (or resource_files: true in pyrobuild.yaml), each
resource also gets a file of its own beside its project's bundle:
<output>/projects/<project>/<kinds>/<name>.yaml (global ones under
<output>/global/<kinds>/, a project in <output>/projects/<project>/project.yaml).
The output folder is replaced atomically, and only when there is no error.

With --crd, the same folders hold Perses operator custom resources
(perses.dev/v1alpha2) for kubectl apply -f, Argo CD or Flux instead: a
PersesDashboard or PersesDatasource in the project's namespace, a
PersesGlobalDatasource, and a project's Namespace; bundles are
multi-document YAML (or a JSON v1 List). Secrets have no custom resource:
one whose credentials are files on the Perses server becomes spec.client
of the datasources using it, others are left out, with a note saying what
to do. --instance-selector (or crd.instance_selector in pyrobuild.yaml)
writes spec.instanceSelector on every custom resource.

Without PATH, the sources are those of pyrobuild.yaml, or else the file's
folder (the current folder without a file); the file's output, format,
strict, resource_files and server_datasources apply unless their flags are
given.
pyrobuild.yaml is looked up in the current folder, then in its parents up
to the repository's root (a folder holding .git): from a subfolder of a
project, commands do what they do at its root. Paths in the file, and the
default output folder, are relative to the file's folder.

With --watch, compile stays running: it recompiles whenever a source
changes, prints the problems each time, and replaces the output only when
a compilation succeeds. Ctrl-C stops it.`,
		Example: `  pyrobuild compile                       # sources under ., output in build/
  pyrobuild compile dashboards -o out     # a folder, another output folder
  pyrobuild compile --format json --strict
  pyrobuild compile --crd -o deploy       # for kubectl apply -f deploy/bundle.yaml
  pyrobuild compile --watch dashboards    # recompile on every change`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd, stderr)
			if err != nil {
				return err
			}
			from := cfg.sourcesFrom(args)
			args = cfg.applyCompile(cmd.Flags(), o, args)
			if err := checkSources(args, from); err != nil {
				return err
			}
			if err := checkOutput(o.output, args); err != nil {
				return err
			}
			if o.watch {
				return runCompileWatch(cmd.Context(), o, args, stdout, stderr)
			}
			return runCompile(cmd.Context(), o, args, true, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "build", "output folder (replaced on success)")
	f.StringVar(&o.format, "format", "yaml", "output format: yaml or json")
	f.BoolVar(&o.crd, "crd", false, "write Perses operator custom resources (perses.dev/v1alpha2) for kubectl, Argo CD or Flux")
	f.BoolVar(&o.resourceFiles, "resource-files", false, "also write each resource to a file of its own (projects/<project>/<kinds>/<name>.yaml), beside the bundles")
	f.StringVar(&o.instanceSelector, "instance-selector", "", "with --crd, the Perses instances the operator writes the resources to: spec.instanceSelector, a label selector as kubectl -l takes it (app=perses,env in (prod))")
	f.BoolVarP(&o.watch, "watch", "w", false, "recompile whenever a source changes, until Ctrl-C")
	addCheckFlags(f, o)
	cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"yaml\tYAML files, bundles as YAML lists", "json\tJSON files, bundles as JSON arrays"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.RegisterFlagCompletionFunc("diagnostics", completeDiagnostics)
	return cmd
}

// completeDiagnostics completes the values of --diagnostics (compile,
// check, build).
var completeDiagnostics = cobra.FixedCompletions([]string{
	"text\tfor people: the source lines, with colours on a terminal",
	"json\ta JSON array of diagnostics on stdout",
	"github\tGitHub Actions annotations on stdout",
}, cobra.ShellCompDirectiveNoFileComp)

func newCheckCmd(env environment, stdout, stderr io.Writer) *cobra.Command {
	o := &compileOptions{env: env}
	cmd := &cobra.Command{
		Use:   "check [PATH...]",
		Short: "Validate dashboard sources without writing anything",
		Long: `Check compiles the sources as compile does and reports the same problems,
but writes nothing.

With --crd it also checks what compile --crd checks when it makes Perses
operator custom resources: names and project namespaces Kubernetes
refuses (PB1402), resources left out (PB1401), so that CI annotations
(--diagnostics github) show them before a deployment does.`,
		Example: `  pyrobuild check dashboards
  pyrobuild check --strict --diagnostics github
  pyrobuild check --crd      # also the Kubernetes names of compile --crd
  pyrobuild check --live     # also ask Pyroscope whether the queries have data`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd, stderr)
			if err != nil {
				return err
			}
			from := cfg.sourcesFrom(args)
			args = cfg.applyCompile(cmd.Flags(), o, args)
			if err := checkSources(args, from); err != nil {
				return err
			}
			return runCompile(cmd.Context(), o, args, false, stdout, stderr)
		},
	}
	addCheckFlags(cmd.Flags(), o)
	cmd.Flags().BoolVar(&o.crd, "crd", false, "also check the Perses operator custom resources that compile --crd would write: Kubernetes names and namespaces")
	cmd.Flags().BoolVar(&o.live, "live", false, "also ask each reachable Pyroscope datasource whether each query would show data: its service, profile type and filters")
	cmd.Flags().DurationVar(&o.liveTimeout, "live-timeout", 5*time.Second, "deadline of the whole --live check")
	cmd.Flags().DurationVar(&o.liveRange, "live-range", 24*time.Hour, "how far back --live looks for profiles")
	cmd.RegisterFlagCompletionFunc("diagnostics", completeDiagnostics)
	return cmd
}

func addCheckFlags(f *pflag.FlagSet, o *compileOptions) {
	f.BoolVar(&o.strict, "strict", false, "treat warnings as errors")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print only problems")
	f.StringVar(&o.diagnostics, "diagnostics", "text", "how to print problems: text, json or github (Actions annotations)")
	f.StringArrayVar(&o.serverDatasources, "server-datasource", nil, "a datasource NAME that exists only on the Perses server (repeatable; \"default\" for a default one)")
	f.DurationVar(&o.goTimeout, "go-timeout", compiler.DefaultGoTimeout, "how long each Go dashboards program may run")
	addPluginsFlag(f, &o.plugins)
}

// runCompile compiles paths, prints the problems, and with write replaces
// the output folder. Stopped by ctx, it writes nothing and says so.
func runCompile(ctx context.Context, o *compileOptions, paths []string, write bool, stdout, stderr io.Writer) error {
	tuneGC()
	switch o.diagnostics {
	case "text", "json", "github":
	default:
		return usageError{fmt.Errorf("unknown --diagnostics %q: use text, json or github", o.diagnostics)}
	}
	format := bundle.YAML
	if write {
		var err error
		if format, err = bundle.ParseFormat(o.format); err != nil {
			return usageError{err}
		}
	}
	if o.goTimeout <= 0 {
		return usageError{fmt.Errorf("--go-timeout must be positive, got %s", o.goTimeout)}
	}
	if _, err := crd.ParseSelector(o.instanceSelector); err != nil {
		return usageError{fmt.Errorf("--instance-selector: %v", err)}
	}
	opts := o.env.compileOptions()
	opts.Paths, opts.Strict, opts.ServerDatasources, opts.GoTimeout, opts.Cache, opts.Pack = paths, o.strict, o.serverDatasources, o.goTimeout, o.cache, true
	if err := checkPluginPaths(o.plugins); err != nil {
		return err
	}
	opts.Plugins = o.plugins
	if write {
		opts.Skip = []string{o.output}
	}
	// In machine-readable modes stdout carries only the diagnostics.
	info := stdout
	if o.diagnostics != "text" {
		info = stderr
	}
	res, err := compiler.Compile(ctx, opts)
	if ctx.Err() != nil {
		return interrupted(ctx, o, write, stderr)
	}
	if err != nil {
		return err
	}
	if o.live {
		res.Diagnostics = append(res.Diagnostics, checkLive(ctx, o, res)...)
		res.Diagnostics.Sort()
	}
	crs := crdObjects(o, res)
	switch o.diagnostics {
	case "json":
		if err := diag.RenderJSON(stdout, res.Diagnostics); err != nil {
			return err
		}
	case "github":
		diag.RenderGitHub(stdout, res.Diagnostics)
	default:
		r := &compiler.TextRenderer{Sources: res.Sources, Color: colorWanted(stderr)}
		for _, d := range res.Diagnostics {
			if d.Severity == diag.Info && o.quiet {
				continue
			}
			r.Render(stderr, d)
		}
	}
	if res.Diagnostics.HasErrors() {
		what := "check"
		if write {
			what = "compile"
		}
		fmt.Fprintf(stderr, "%s failed: %s", what, res.Diagnostics.Summary())
		if write {
			fmt.Fprintf(stderr, "; %s left unchanged", filepath.Clean(o.output))
		}
		fmt.Fprintln(stderr)
		return errSources
	}
	if ctx.Err() != nil {
		// Stopped while checking live datasources, or printing: nothing
		// is written after an interrupt.
		return interrupted(ctx, o, write, stderr)
	}
	if !write {
		if !o.quiet {
			fmt.Fprintf(info, "checked %s from %s: %s\n", plural(len(res.Resources), "resource"), plural(res.Units, "source"), res.Diagnostics.Summary())
		}
		return nil
	}
	written, err := writeCompiled(o, res, crs, format)
	if err != nil {
		return err
	}
	if !o.quiet {
		into := "into"
		if !written {
			into = "into the unchanged" // the folder already held this output
		}
		fmt.Fprintf(info, "compiled %s from %s %s %s (%s)\n", plural(len(res.Resources), "resource"), plural(res.Units, "source"), into, filepath.Clean(o.output)+string(filepath.Separator), res.Diagnostics.Summary())
	}
	return nil
}

// interrupted reports a compilation stopped by ctx, before it wrote
// anything.
func interrupted(ctx context.Context, o *compileOptions, write bool, stderr io.Writer) error {
	what := "check"
	if write {
		what = "compile"
	}
	fmt.Fprintf(stderr, "%s %v", what, context.Cause(ctx))
	if write {
		fmt.Fprintf(stderr, "; %s left unchanged", filepath.Clean(o.output))
	}
	fmt.Fprintln(stderr)
	return errInterrupted
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// checkLive runs the live part of check --live, or says why it did not:
// dashboards with errors would only add noise.
func checkLive(ctx context.Context, o *compileOptions, res *compiler.Result) diag.Diagnostics {
	if n := res.Diagnostics.Count(diag.Error); n > 0 {
		why := plural(n, "error")
		if o.strict {
			why += " (under strict, warnings count as errors)"
		}
		return diag.Diagnostics{{Severity: diag.Info, Code: model.CodeLiveNote,
			Message: "the live check was skipped: the sources have " + why,
			Hint:    "correct them and run check --live again"}}
	}
	found := live.Check(ctx, res.Resources, live.Options{Timeout: o.liveTimeout, Range: o.liveRange})
	if o.strict {
		for i := range found {
			if found[i].Severity == diag.Warning {
				found[i].Severity = diag.Error
			}
		}
	}
	return found
}
