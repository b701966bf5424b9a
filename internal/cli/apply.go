package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/pyrobuild/pyrobuild/internal/perses"
	"github.com/pyrobuild/pyrobuild/internal/remote"
)

type applyOptions struct {
	compile compileOptions
	remote  remoteOptions
	dryRun  bool
	prune   bool
	// rewriteSecrets writes every secret, whose values the server never
	// returns for comparison.
	rewriteSecrets bool
}

func newApplyCmd(env environment, stdout, stderr io.Writer) *cobra.Command {
	o := &applyOptions{compile: compileOptions{env: env}}
	cmd := &cobra.Command{
		Use:   "apply --url URL [PATH...]",
		Short: "Write the compiled resources to a Perses server, all or nothing",
		Long: `Apply compiles the sources (nothing is sent when they have errors), reads
what the server holds for them, and asks the server's own validation
endpoints about every resource it would write: whatever the server would
refuse (a plugin it has not loaded, a second default datasource) is found
before anything is written, and reported at the source's file and line.

It then writes in dependency order (projects, global resources, then each
project's secrets, datasources, variables and dashboards), creating what
the server lacks and updating what differs; what is the same is left
alone. If a write still fails, every write of the run is put back (updated
resources restored, created ones deleted) and apply says so.

--dry-run stops after the validation. --prune also deletes what the server
holds and the sources no longer do, in the projects the sources name only
(never global resources, never other projects).

Secrets: a Secret's password, credentials, clientSecret and TLS key are
sent only from the machine that runs apply: write "${env:NAME}" (an
environment variable, e.g. a CI secret) or "${file:PATH}" (a file, relative
to the source) as the value, or use the …File fields that the Perses
server reads itself. A credential written in the sources is an error.
The server never returns those values, so a secret is written when it is
new or its other fields changed; --rewrite-secrets writes every secret
again, to send rotated values.

The server is --url or pyrobuild.yaml's server.url; the token --token,
$PERSES_TOKEN, or percli's login (~/.perses/config.json, only read). A
token is never printed.

Exit codes: 0 written (or nothing to write), 1 errors in the sources, a
refusal of the server or a failed write (put back), 2 usage errors, 130
interrupted (what was written is put back).`,
		Example: `  export PERSES_TOKEN=...
  pyrobuild apply --url https://perses.example.com --dry-run
  pyrobuild apply --url https://perses.example.com --prune`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd, stderr)
			if err != nil {
				return err
			}
			args = cfg.applyCompile(cmd.Flags(), &o.compile, args)
			o.remote.fromConfig(cmd.Flags(), cfg)
			o.compile.output = "build"
			if cfg.output != nil {
				o.compile.output = *cfg.output
			}
			return runApply(cmd.Context(), o, args, stdout, stderr)
		},
	}
	compileFlags(cmd, &o.compile)
	f := cmd.Flags()
	o.remote.flags(f, "the Perses server (default: server.url of pyrobuild.yaml, or percli's login)")
	f.BoolVar(&o.dryRun, "dry-run", false, "stop after the server's validation: write nothing")
	f.BoolVar(&o.rewriteSecrets, "rewrite-secrets", false, "write every secret again, to send new values (the server never returns them, so a changed value alone is no change)")
	f.BoolVar(&o.prune, "prune", false, "delete what the sources no longer hold, in the projects they name")
	return cmd
}

func runApply(ctx context.Context, o *applyOptions, paths []string, stdout, stderr io.Writer) error {
	mode := o.compile.diagnostics
	if err := checkDiagnosticsMode(mode); err != nil {
		return err
	}
	c, err := o.remote.client()
	if err != nil {
		return err
	}
	res, err := compileForServer(ctx, &o.compile, paths, mode, "apply", stdout, stderr)
	if err != nil {
		return err
	}
	st, err := remote.Fetch(ctx, c, res.Resources)
	if err != nil {
		return interruptedOr(ctx, stderr, serverError(c, err))
	}
	// A Secret's "${env:NAME}" is read here, on the machine that applies.
	p, ds := st.Prepare(os.LookupEnv, o.rewriteSecrets)
	if len(ds) == 0 {
		var verr error
		ds, verr = p.Validate(ctx, c)
		if verr != nil {
			return interruptedOr(ctx, stderr, serverError(c, verr))
		}
	}
	if len(ds) > 0 {
		if err := reportProblems(ds, res, mode, stdout, stderr); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "apply failed: %s; nothing was written to %s\n", ds.Summary(), c.URL())
		return errSources
	}
	// With --diagnostics json, stdout is one JSON document: what apply
	// does goes to stderr.
	report := stdout
	if mode == "json" {
		report = stderr
	}
	if err := deferredJSON(res, mode, stdout); err != nil {
		return err
	}
	if o.dryRun {
		d := st.Diff(o.prune)
		a, r, ch := d.Count()
		fmt.Fprintf(report, "dry run: the server %s accepts every resource; apply would create %d, update %d, delete %d, leave %d unchanged\n",
			c.URL(), a, ch, r, d.Unchanged)
		return nil
	}
	s, err := p.Write(ctx, c, o.prune, func(op remote.Op) {
		fmt.Fprintf(report, "%sd %s\n", op.Verb, op.ID)
	})
	var ae *remote.ApplyError
	if errors.As(err, &ae) {
		reportRollback(ae, c, stderr)
		if ctx.Err() != nil {
			return errInterrupted
		}
		return errSources
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(report, "applied to %s: %d created, %d updated, %d unchanged, %d deleted\n",
		c.URL(), len(s.Created), len(s.Updated), len(s.Unchanged), len(s.Deleted))
	return nil
}

// reportRollback says which write failed and what was put back.
func reportRollback(ae *remote.ApplyError, c *perses.Client, stderr io.Writer) {
	fmt.Fprintf(stderr, "apply failed: the server %s refused to %s %s: %v\n", c.URL(), ae.Failed.Verb, ae.Failed.ID, ae.Err)
	switch {
	case len(ae.Undone) == 0 && len(ae.NotUndone) == 0:
		fmt.Fprintln(stderr, "nothing had been written: the server is as it was")
	case len(ae.NotUndone) == 0:
		fmt.Fprintf(stderr, "rolled back: the %d writes before it were put back, the server is as it was:\n", len(ae.Undone))
	default:
		fmt.Fprintf(stderr, "rolled back %d of %d writes; NOT put back:\n", len(ae.Undone), len(ae.Undone)+len(ae.NotUndone))
		for _, s := range ae.NotUndone {
			fmt.Fprintf(stderr, "  %s\n", s)
		}
		if len(ae.Undone) > 0 {
			fmt.Fprintln(stderr, "put back:")
		}
	}
	for _, op := range ae.Undone {
		fmt.Fprintf(stderr, "  %s (%s undone)\n", op.ID, op.Verb)
	}
}

// interruptedOr is errInterrupted when ctx was cancelled, else err.
func interruptedOr(ctx context.Context, stderr io.Writer, err error) error {
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "pyrobuild: %v\n", context.Cause(ctx))
		return errInterrupted
	}
	return err
}
