package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pyrobuild/pyrobuild/internal/initkit"
)

type initOptions struct {
	lang    string
	project string
	module  string
	force   bool
}

// initSDKReplace, when set, makes `init --lang go` point go.mod at this
// local checkout of pyrobuild: the tests build the scaffold offline.
var initSDKReplace string

func newInitCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Start a dashboards project that compiles and serves right away",
		Long: `Init writes a new project into DIR (default: the current folder; created
if needed):

  pyrobuild.yaml                   settings of compile, check, build, serve
  dashboards/                      a Perses project, its default Pyroscope
                                   datasource and a dashboard of flame
                                   graphs, in --lang cue, go or yaml
  content/index.md                 the home page of the docs site
  .gitignore                       build/ and public/, the outputs
  .github/workflows/pyrobuild.yml  CI: check on pull requests (annotations
                                   on the lines), then show the diff

With --lang go it also writes go.mod, requiring pyrobuild's Go SDK; run
'go mod tidy' once to resolve it. An existing go.mod is kept, and an
existing .gitignore gets the missing lines.

Init never overwrites a file: when some exist already it lists them and
writes nothing, unless --force is given. The project is named after DIR
unless --project says otherwise.`,
		Example: `  pyrobuild init shop-dashboards        # YAML dashboards in ./shop-dashboards
  pyrobuild init --lang cue
  pyrobuild init --lang go --project shop .
  cd shop-dashboards && pyrobuild serve  # preview at http://127.0.0.1:8080/`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{fmt.Errorf("init takes at most one folder, got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return runInit(o, dir, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.lang, "lang", "yaml", "language of the dashboard: "+strings.Join(initkit.Langs, ", "))
	f.StringVar(&o.project, "project", "", "the Perses project's name (default: the folder's name)")
	f.StringVar(&o.module, "module", "", "the Go module's path, with --lang go (default example.com/PROJECT)")
	f.BoolVar(&o.force, "force", false, "overwrite files that exist already")
	cmd.RegisterFlagCompletionFunc("lang", cobra.FixedCompletions(initkit.Langs, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// releaseRe matches the versions a go.mod can require as they are: tags
// and pseudo-versions, not "devel" nor a build of a checkout with
// uncommitted changes ("+dirty").
var releaseRe = regexp.MustCompile(`^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`)

func runInit(o *initOptions, dir string, stdout, stderr io.Writer) error {
	project := o.project
	if project == "" {
		project = initkit.ProjectName(dir)
	} else if !initkit.ValidName(project) {
		return usageError{fmt.Errorf("--project %q: a name is 1 to 75 letters, digits, '.', '_' or '-', with no '..' and no leading or trailing '.'", project)}
	}
	opts := initkit.Options{Lang: o.lang, Project: project, Module: o.module, SDKReplace: initSDKReplace}
	if v := version(); releaseRe.MatchString(v) {
		// The project builds with the SDK of the pyrobuild that made it,
		// and CI installs that same pyrobuild.
		opts.SDKVersion, opts.InstallVersion = v, v
	}
	files, err := initkit.Files(opts)
	if err != nil {
		return usageError{fmt.Errorf("--lang: %w", err)}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	done, err := initkit.Write(dir, files, o.force)
	var conflict *initkit.ConflictError
	if errors.As(err, &conflict) {
		fmt.Fprintf(stderr, "pyrobuild: %s already has these files:\n", filepath.Clean(dir))
		for _, p := range conflict.Paths {
			fmt.Fprintf(stderr, "  %s\n", p)
		}
		return errors.New("init wrote nothing: remove them, choose another folder, or pass --force to overwrite them")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Project %q (%s dashboards) in %s:\n", project, o.lang, filepath.Clean(dir)+string(filepath.Separator))
	keptGoMod := false
	for _, a := range done {
		fmt.Fprintf(stdout, "  %-12s %s\n", a.What, a.Path)
		if a.Path == "go.mod" && a.What == "kept" {
			keptGoMod = true
		}
	}
	fmt.Fprintln(stdout, "\nNext:")
	if filepath.Clean(dir) != "." {
		fmt.Fprintf(stdout, "  cd %s\n", dir)
	}
	if o.lang == "go" && initSDKReplace == "" {
		if keptGoMod {
			fmt.Fprintln(stdout, "  go get github.com/pyrobuild/pyrobuild/dac   # your go.mod was kept: add the SDK")
		} else {
			fmt.Fprintln(stdout, "  go mod tidy          # resolves the Go SDK and writes go.sum")
		}
	}
	fmt.Fprintln(stdout, "  pyrobuild compile    # dashboards/ → build/, for percli apply -f build/bundle.yaml")
	fmt.Fprintln(stdout, "  pyrobuild serve      # the site and a live preview of the dashboard")
	return nil
}
