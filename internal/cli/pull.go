package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pyrobuild/pyrobuild/internal/remote"
)

type pullOptions struct {
	remote    remoteOptions
	project   string
	output    string
	lang      string
	authoring bool
	force     bool
	env       environment
}

func newPullCmd(env environment, stdout, stderr io.Writer) *cobra.Command {
	o := &pullOptions{env: env}
	cmd := &cobra.Command{
		Use:   "pull --url URL --project P [-o DIR]",
		Short: "Write what a Perses server holds for a project as sources",
		Long: `Pull reads a project from a Perses server (the project, its secrets,
datasources, variables and dashboards) and writes each resource as a source
file named by its kind and name (datasource-pyroscope.yaml), in DIR (by
default a folder named after the project). The files compile back to
exactly what the server holds: pyrobuild diff --url shows no change.

--lang cue writes CUE against pyrobuild's schema instead of YAML.
--authoring writes profile queries in the authoring form (a short profile
type name where exactly one names the type, a query selector) where that
compiles back to the same query.

The server never returns a secret's values: a pulled Secret holds
"${env:PERSES_SECRET_…}" placeholders, listed in a comment, which apply
reads from its environment. No token nor secret value is written.

An existing file is never overwritten without --force.

Exit codes: 0 written, 1 the server failed or refused, 2 usage errors (an
existing file too).`,
		Example: `  pyrobuild pull --url https://perses.example.com --project shop -o dashboards/shop
  pyrobuild pull --project shop --authoring --lang cue`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd, stderr)
			if err != nil {
				return err
			}
			o.remote.fromConfig(cmd.Flags(), cfg)
			return runPull(cmd.Context(), o, stdout, stderr)
		},
	}
	f := cmd.Flags()
	o.remote.flags(f, "the Perses server (default: server.url of pyrobuild.yaml, or percli's login)")
	f.StringVar(&o.project, "project", "", "the project to pull (required)")
	f.StringVarP(&o.output, "output", "o", "", "the folder to write into (default: the project's name)")
	f.StringVar(&o.lang, "lang", "yaml", "the language of the sources: yaml or cue")
	f.BoolVar(&o.authoring, "authoring", false, "write profile queries in the authoring form where unambiguous")
	f.BoolVar(&o.force, "force", false, "overwrite existing files")
	cmd.RegisterFlagCompletionFunc("lang", cobra.FixedCompletions([]string{"yaml", "cue"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runPull(ctx context.Context, o *pullOptions, stdout, stderr io.Writer) error {
	if o.project == "" {
		return usageError{errors.New("pull needs --project")}
	}
	if o.lang != "yaml" && o.lang != "cue" {
		return usageError{fmt.Errorf("unknown --lang %q: use yaml or cue", o.lang)}
	}
	c, err := o.remote.client()
	if err != nil {
		return err
	}
	files, err := remote.Pull(ctx, c, o.project, remote.PullOptions{Lang: o.lang, Authoring: o.authoring})
	if err != nil {
		return interruptedOr(ctx, stderr, serverError(c, err))
	}
	dir := o.output
	if dir == "" {
		dir = o.project
	}
	if !o.force {
		var exist []string
		for _, f := range files {
			if _, err := os.Lstat(filepath.Join(dir, f.Name)); !errors.Is(err, fs.ErrNotExist) {
				exist = append(exist, filepath.Join(dir, f.Name))
			}
		}
		if len(exist) > 0 {
			what := exist[0] + " already exists"
			if len(exist) > 1 {
				what = fmt.Sprintf("%s and %d more files already exist", exist[0], len(exist)-1)
			}
			return usageError{fmt.Errorf("%s: nothing was written; give --force to overwrite, or another -o", what)}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var vars []string
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(dir, f.Name), f.Data); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s (%s)\n", filepath.Join(dir, f.Name), f.ID)
		vars = append(vars, f.SecretVars...)
	}
	fmt.Fprintf(stdout, "pulled %d resources of project %s from %s\n", len(files), o.project, c.URL())
	if len(vars) > 0 {
		fmt.Fprintf(stdout, "the server does not return secret values: set %s before pyrobuild apply\n", strings.Join(vars, ", "))
	}
	return nil
}

// writeFileAtomic writes data to path through a temporary file in the
// same folder, so that a file is whole or absent.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pull-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}
