package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/live"
	"github.com/pyrobuild/pyrobuild/internal/snapshot"
	"github.com/pyrobuild/pyrobuild/internal/snapshot/recording"
)

type snapshotOptions struct {
	compileOptions
	rng     string
	urls    []string
	timeout time.Duration
	nodes   int
}

func newSnapshotCmd(env environment, stdout, stderr io.Writer) *cobra.Command {
	o := &snapshotOptions{compileOptions: compileOptions{env: env}}
	cmd := &cobra.Command{
		Use:   "snapshot [PATH...]",
		Short: "Record what each panel shows from the live Pyroscope, for the docs site and the preview",
		Long: `Snapshot compiles the sources as compile does, then asks each query's
Pyroscope datasource, as the preview's panels ask it, for the flame graph
(bounded by the query's maxNodes) and the time series the panel shows, and
records the answers beside the sources: one file per dashboard,

  <folder of its source>/.pyrobuild/recordings/<project>/<dashboard>.json

JSON with sorted keys, holding when it was recorded, the server asked (any
credentials in its URL redacted), the range (relative, and as absolute
times) and, per panel and query, the answer. Commit them: build draws them
on the dashboard pages of the docs site, which cannot reach any Pyroscope,
and serve draws them when the live server does not answer. Sources never
read them (folders whose name starts with a dot are skipped).

Flame graphs are bounded by each query's maxNodes (the server's default,
8192, for a query that sets none, as Perses asks); --max-nodes caps them
lower to keep recordings small, at the cost of merging the smallest
frames into "other".

Each query is asked over --range (default: the dashboard's duration, 1h
without one). Credentials come from the sources' Secrets, as for check
--live, and are never printed. --url points datasources elsewhere: a URL
for all, NAME=URL for one (repeatable), e.g. a local Pyroscope or a port
forward when the sources name a server this machine cannot reach.

A query the server cannot answer is an error at the query; its dashboard's
recording is left as it was (a file is replaced whole, or not at all), the
other dashboards are recorded, and snapshot exits 1.`,
		Example: `  pyrobuild snapshot --url http://127.0.0.1:4040 examples
  pyrobuild snapshot --range 6h dashboards
  pyrobuild snapshot --url PyroscopeMain=https://pyroscope.internal dashboards`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd, stderr)
			if err != nil {
				return err
			}
			from := cfg.sourcesFrom(args)
			args = cfg.applyCompile(cmd.Flags(), &o.compileOptions, args)
			if err := checkSources(args, from); err != nil {
				return err
			}
			return runSnapshot(cmd, o, args, stdout, stderr)
		},
	}
	addCheckFlags(cmd.Flags(), &o.compileOptions)
	f := cmd.Flags()
	f.StringVar(&o.rng, "range", "", "how far back each query is asked: 30m, 6h, 2d (default: each dashboard's duration, 1h without one)")
	f.StringArrayVar(&o.urls, "url", nil, "ask this URL instead of every datasource's, or NAME=URL for datasource NAME (repeatable)")
	f.DurationVar(&o.timeout, "timeout", time.Minute, "deadline of the whole snapshot")
	f.IntVar(&o.nodes, "max-nodes", 0, "cap every flame graph at this many nodes, below the query's maxNodes, to keep recordings small (default: the query's maxNodes, or the server's default as in Perses)")
	cmd.RegisterFlagCompletionFunc("diagnostics", completeDiagnostics)
	return cmd
}

// parseURLs reads the --url flags: one URL for every datasource, and
// NAME=URL for one.
func parseURLs(flags []string) (all string, byName map[string]string, err error) {
	byName = map[string]string{}
	for _, f := range flags {
		name, u := "", f
		if i := strings.IndexByte(f, '='); i > 0 && !strings.ContainsAny(f[:i], ":/?") {
			name, u = f[:i], f[i+1:]
		}
		p, perr := url.Parse(u)
		if perr != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return "", nil, usageError{fmt.Errorf("--url %s: not an http or https URL", diag.RedactURL(f))}
		}
		switch {
		case name != "":
			byName[name] = u
		case all != "":
			return "", nil, usageError{fmt.Errorf("--url given twice without a datasource name; use NAME=URL for each")}
		default:
			all = u
		}
	}
	return all, byName, nil
}

func runSnapshot(cmd *cobra.Command, o *snapshotOptions, paths []string, stdout, stderr io.Writer) error {
	ctx := cmd.Context()
	switch o.diagnostics {
	case "text", "json", "github":
	default:
		return usageError{fmt.Errorf("unknown --diagnostics %q: use text, json or github", o.diagnostics)}
	}
	if o.rng != "" {
		if _, err := live.ParseDuration(o.rng); err != nil {
			return usageError{fmt.Errorf("--range %q: a duration such as 30m, 6h or 2d", o.rng)}
		}
	}
	if o.nodes < 0 {
		return usageError{fmt.Errorf("--max-nodes must not be negative, got %d", o.nodes)}
	}
	if o.timeout <= 0 {
		return usageError{fmt.Errorf("--timeout must be positive, got %s", o.timeout)}
	}
	all, byName, err := parseURLs(o.urls)
	if err != nil {
		return err
	}
	if err := checkPluginPaths(o.plugins); err != nil {
		return err
	}
	tuneGC()
	opts := o.env.compileOptions()
	opts.Paths, opts.Strict, opts.ServerDatasources, opts.GoTimeout, opts.Plugins, opts.Pack = paths, o.strict, o.serverDatasources, o.goTimeout, o.plugins, true
	res, err := compiler.Compile(ctx, opts)
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "snapshot %v; no recording written\n", context.Cause(ctx))
		return errInterrupted
	}
	if err != nil {
		return err
	}
	diags := res.Diagnostics
	var rec *snapshot.Result
	if !diags.HasErrors() {
		known := snapshot.Datasources(res.Resources)
		for name := range byName {
			if !contains(known, name) {
				return usageError{fmt.Errorf("--url %s=…: no query uses a datasource %s; they use %s", name, name, strings.Join(known, ", "))}
			}
		}
		rec = snapshot.Record(ctx, res.Resources, snapshot.Options{Timeout: o.timeout, Range: o.rng, URL: all, URLs: byName, MaxNodes: o.nodes})
		diags = append(diags, rec.Diagnostics...)
		diags.Sort()
	}
	if err := printDiagnostics(diags, res.Sources, o.diagnostics, o.quiet, stdout, stderr); err != nil {
		return err
	}
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "snapshot %v; no recording written\n", context.Cause(ctx))
		return errInterrupted
	}
	if rec == nil {
		fmt.Fprintf(stderr, "snapshot failed: %s; no recording written\n", diags.Summary())
		return errSources
	}
	info := stdout
	if o.diagnostics != "text" {
		info = stderr
	}
	for _, r := range rec.Recordings {
		if err := recording.WriteFile(r.Path, r.Data); err != nil {
			return fmt.Errorf("writing the recording of %s: %v", r.Dashboard, err)
		}
		if !o.quiet {
			fmt.Fprintf(info, "recorded %s (%s, %s) in %s\n", r.Dashboard, queries(r.Queries), byteSize(len(r.Data)), filepath.Clean(r.Path))
		}
	}
	if len(rec.Failed) > 0 || diags.HasErrors() {
		fmt.Fprintf(stderr, "snapshot failed: %s; the recordings of %s left unchanged\n", diags.Summary(), strings.Join(rec.Failed, ", "))
		return errSources
	}
	if len(rec.Recordings) == 0 && !o.quiet {
		fmt.Fprintln(info, "no profile query to record")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// byteSize prints a file's size: 812 B, 14.2 KiB, 1.3 MiB.
func byteSize(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	default:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
}

func queries(n int) string {
	if n == 1 {
		return "1 query"
	}
	return fmt.Sprintf("%d queries", n)
}
