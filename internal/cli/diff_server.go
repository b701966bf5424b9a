package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/remote"
)

// serverDiffFlags are diff's flags for comparing with a Perses server.
func serverDiffFlags(cmd *cobra.Command, o *diffOptions) {
	f := cmd.Flags()
	o.remote.flags(f, "compare with this Perses server instead of a build")
	f.BoolVar(&o.server, "server", false, "compare with pyrobuild.yaml's server.url (or percli's login) instead of a build")
	f.BoolVar(&o.prune, "prune", false, "against a server: also list what the server holds and the sources do not, in the projects they name")
	f.StringVar(&o.compile.diagnostics, "diagnostics", "text", "against a server: how to print problems: text, json or github (Actions annotations)")
	cmd.RegisterFlagCompletionFunc("diagnostics", completeDiagnostics)
}

// runDiffServer compiles paths and compares the resources with what the
// server holds. It sends nothing when the sources have errors, and
// writes nothing.
func runDiffServer(ctx context.Context, o *diffOptions, paths []string, stdout, stderr io.Writer) error {
	switch o.output {
	case "text", "json", "markdown":
	default:
		return usageError{fmt.Errorf("unknown --output %q: use text, json or markdown", o.output)}
	}
	if err := checkDiagnosticsMode(o.compile.diagnostics); err != nil {
		return err
	}
	c, err := o.remote.client()
	if err != nil {
		return err
	}
	// With --output json, stdout is the diff's: problems go to stderr
	// unless asked for in JSON or as annotations.
	res, err := compileForServer(ctx, &o.compile, paths, o.compile.diagnostics, "diff", stdout, stderr)
	if err != nil {
		return err
	}
	st, err := remote.Fetch(ctx, c, res.Resources)
	if err != nil {
		return interruptedOr(ctx, stderr, serverError(c, err))
	}
	d := st.Diff(o.prune)
	if err := deferredJSON(res, o.compile.diagnostics, stdout); err != nil {
		return err
	}
	switch o.output {
	case "json":
		err = d.WriteJSON(stdout)
	case "markdown":
		err = remote.WriteMarkdown(stdout, d, c.URL(), o.prune)
	default:
		fmt.Fprintf(stdout, "compared with %s\n", c.URL())
		err = d.WriteText(stdout, colorWanted(stdout))
		if err == nil && !o.prune && len(st.Extra) > 0 {
			fmt.Fprintf(stdout, "%d resources on the server are not in the sources (--prune lists them, and apply --prune deletes them)\n", len(st.Extra))
		}
	}
	if err != nil {
		return err
	}
	if o.compile.diagnostics == "github" {
		diag.RenderGitHub(stdout, st.Annotations(d))
	}
	if o.exitCode && !d.Empty() {
		return errChanges
	}
	return nil
}
