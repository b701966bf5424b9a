package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/pyrobuild/pyrobuild/internal/initkit"
)

type initOptions struct {
	lang    string
	project string
	module  string
	sdk     string
	force   bool
}

// initVersion is the version of the running pyrobuild, which the Go SDK
// is pinned to; the tests replace it.
var initVersion = version

// sdkModule is the module of pyrobuild's Go SDK.
const sdkModule = "github.com/pyrobuild/pyrobuild"

// goModTidyTimeout bounds the `go mod tidy` that init runs, which may
// have to download the SDK.
const goModTidyTimeout = 3 * time.Minute

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
                                   on the lines), then show the diff; it
                                   keeps pyrobuild's cache between runs

With --lang go it also writes go.mod, requiring pyrobuild's Go SDK at the
version of this pyrobuild (latest for a development build), and runs
'go mod tidy' in the project so that it compiles at once. When that fails
(no go command, offline) the files stay written: init warns, quotes the
go command's error, names the command to run later and exits 0. --sdk DIR makes go.mod use a local
checkout of pyrobuild instead (a replace directive), which needs no
network. An existing go.mod is kept, and an existing .gitignore gets the
missing lines.

Init never overwrites a file: when some exist already it lists them,
writes nothing and exits 2, unless --force is given. The same goes for
other sources in dashboards/ (an earlier init in another language): the
new dashboards would be compiled with them and define every resource
twice. --force writes anyway; it deletes nothing, and warns about the
sources it left. The project is named after DIR, made a name Kubernetes
also takes as a namespace (lower-case letters, digits and '-', at most 63,
accents dropped: "My Dash_boards" gives my-dash-boards, "Ünïcødé Dash"
unicode-dash), unless --project says otherwise; that name is kept as
given.`,
		Example: `  pyrobuild init shop-dashboards        # YAML dashboards in ./shop-dashboards
  pyrobuild init --lang cue
  pyrobuild init --lang go --project shop .
  pyrobuild init --lang go --sdk ../pyrobuild shop  # the SDK of a local checkout
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
			return runInit(cmd.Context(), o, dir, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.lang, "lang", "yaml", "language of the dashboard: "+strings.Join(initkit.Langs, ", "))
	f.StringVar(&o.project, "project", "", "the Perses project's name, kept as given (default: the folder's name as a Kubernetes namespace name)")
	f.StringVar(&o.module, "module", "", "the Go module's path, with --lang go (default example.com/PROJECT)")
	f.StringVar(&o.sdk, "sdk", "", "with --lang go, build against the pyrobuild checkout in `DIR` (a replace directive in go.mod) instead of a released SDK")
	f.BoolVar(&o.force, "force", false, "overwrite files that exist already")
	cmd.RegisterFlagCompletionFunc("lang", cobra.FixedCompletions(initkit.Langs, cobra.ShellCompDirectiveNoFileComp))
	cmd.RegisterFlagCompletionFunc("sdk", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveFilterDirs
	})
	return cmd
}

// releaseRe matches the versions a go.mod can require as they are: tags
// and pseudo-versions, not "devel" nor a build of a checkout with
// uncommitted changes ("+dirty").
var releaseRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`) })

func runInit(ctx context.Context, o *initOptions, dir string, stdout, stderr io.Writer) error {
	project := o.project
	if project == "" {
		project = initkit.ProjectName(dir)
	} else if !initkit.ValidName(project) {
		return usageError{fmt.Errorf("--project %q: a name is 1 to 75 letters, digits, '.', '_' or '-', with no '..' and no leading or trailing '.'", project)}
	}
	opts := initkit.Options{Lang: o.lang, Project: project, Module: o.module}
	if o.sdk != "" {
		if o.lang != "go" {
			return usageError{fmt.Errorf("--sdk is for --lang go, not --lang %s", o.lang)}
		}
		replace, err := sdkReplacePath(o.sdk, dir)
		if err != nil {
			return usageError{fmt.Errorf("--sdk %s: %w", o.sdk, err)}
		}
		opts.SDKReplace = replace
	}
	sdkVersion := "latest"
	if v := initVersion(); releaseRe().MatchString(v) {
		// The project builds with the SDK of the pyrobuild that made it,
		// and CI installs that same pyrobuild.
		opts.SDKVersion, opts.InstallVersion = v, v
		sdkVersion = v
	}
	files, err := initkit.Files(opts)
	if err != nil {
		return usageError{fmt.Errorf("--lang: %w", err)}
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return usageError{fmt.Errorf("%s is a file: init writes a project into a folder", filepath.Clean(dir))}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	done, err := initkit.Write(dir, files, o.force)
	var conflict *initkit.ConflictError
	if errors.As(err, &conflict) {
		return initConflict(conflict, dir, stderr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Project %q (%s dashboards) in %s:\n", project, o.lang, filepath.Clean(dir)+string(filepath.Separator))
	keptGoMod := false
	var left []string
	for _, a := range done {
		fmt.Fprintf(stdout, "  %-12s %s\n", a.What, a.Path)
		switch {
		case a.Path == "go.mod" && a.What == "kept":
			keptGoMod = true
		case a.What == "left":
			left = append(left, a.Path)
		}
	}
	if len(left) > 0 {
		fmt.Fprintf(stderr, "pyrobuild: warning: --force left %s beside the new dashboards, and compile reads them together: delete the ones an earlier init wrote, or resources are defined twice\n", strings.Join(left, ", "))
	}
	tidied := true
	if o.lang == "go" && !keptGoMod {
		tidied = goModTidy(ctx, dir, stdout, stderr)
		if ctx.Err() != nil {
			return errInterrupted // the files are written; goModTidy said what to run
		}
	}
	fmt.Fprintln(stdout, "\nNext:")
	if filepath.Clean(dir) != "." {
		fmt.Fprintf(stdout, "  cd %s\n", shellQuote(dir))
	}
	switch {
	case o.lang == "go" && keptGoMod:
		fmt.Fprintf(stdout, "  go get %s/dac@%s   # your go.mod was kept: add the SDK\n", sdkModule, sdkVersion)
	case !tidied:
		fmt.Fprintln(stdout, "  go mod tidy          # resolves the Go SDK and writes go.sum")
	}
	fmt.Fprintln(stdout, "  pyrobuild compile    # dashboards/ → build/, for percli apply -f build/bundle.yaml")
	fmt.Fprintln(stdout, "  pyrobuild serve      # the site and a live preview of the dashboard")
	return nil
}

// initConflict reports the files init would overwrite and the other
// sources it would write beside; it wrote nothing, a usage error.
func initConflict(c *initkit.ConflictError, dir string, stderr io.Writer) error {
	if len(c.Paths) > 0 {
		fmt.Fprintf(stderr, "pyrobuild: %s already has these files:\n", filepath.Clean(dir))
		for _, p := range c.Paths {
			fmt.Fprintf(stderr, "  %s\n", p)
		}
	}
	if len(c.Others) > 0 {
		fmt.Fprintf(stderr, "pyrobuild: %s already has these sources, which compile would read with the new dashboards (an earlier init in another language defines the same resources):\n", filepath.Clean(dir))
		for _, p := range c.Others {
			fmt.Fprintf(stderr, "  %s\n", p)
		}
	}
	return usageError{errors.New("init wrote nothing: remove them, choose another folder, or pass --force to write anyway (it overwrites files and deletes none)")}
}

// shellQuote quotes s for a POSIX shell when it needs it ('My Dash_boards'),
// so the commands init prints can be pasted as they are.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-./+,:@%=", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// sdkReplacePath checks that sdk is a checkout of pyrobuild and returns
// how the go.mod in dir names it: absolute when sdk is, else relative to
// dir ("../pyrobuild"), as go.mod reads it.
func sdkReplacePath(sdk, dir string) (string, error) {
	abs, err := filepath.Abs(sdk)
	if err != nil {
		return "", err
	}
	mod, err := os.ReadFile(filepath.Join(abs, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("not a checkout of pyrobuild: %w", err)
	}
	first, _, _ := strings.Cut(strings.TrimSpace(string(mod)), "\n")
	if strings.TrimSpace(strings.TrimPrefix(first, "module")) != sdkModule {
		return "", fmt.Errorf("not a checkout of pyrobuild: its go.mod is not module %s", sdkModule)
	}
	path := abs
	if absDir, err := filepath.Abs(dir); err == nil && !filepath.IsAbs(sdk) {
		if rel, err := filepath.Rel(absDir, abs); err == nil && !filepath.IsAbs(rel) {
			path = rel
			if path != ".." && !strings.HasPrefix(path, ".."+string(filepath.Separator)) {
				path = "." + string(filepath.Separator) + path
			}
		}
	}
	path = filepath.ToSlash(path)
	if strings.ContainsAny(path, " \t\"'`\\()") {
		path = strconv.Quote(path)
	}
	return path, nil
}

// goModTidy runs `go mod tidy` in dir, so that the Go dashboards compile
// at once. It reports whether that worked; when it did not, it warns with
// the command to run.
func goModTidy(ctx context.Context, dir string, stdout, stderr io.Writer) bool {
	command := "go mod tidy"
	if filepath.Clean(dir) != "." {
		command = fmt.Sprintf("cd %s && go mod tidy", shellQuote(dir))
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		fmt.Fprintf(stderr, "pyrobuild: warning: no go command on PATH, so the Go SDK is not resolved yet: the files are written; install Go (https://go.dev/dl/), then run:\n  %s\n", command)
		return false
	}
	tidyCtx, cancel := context.WithTimeout(ctx, goModTidyTimeout)
	defer cancel()
	cmd := exec.CommandContext(tidyCtx, goCmd, "mod", "tidy")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		switch {
		case ctx.Err() != nil:
			err = context.Cause(ctx)
		case tidyCtx.Err() != nil:
			err = fmt.Errorf("it did not finish within %s", goModTidyTimeout)
		}
		fmt.Fprintf(stderr, "pyrobuild: warning: go mod tidy failed (%v), so the Go SDK is not resolved yet; the files are written.\n", err)
		if text := strings.TrimSpace(out.String()); text != "" {
			fmt.Fprintln(stderr, "The go command said:")
			lines := strings.Split(text, "\n")
			const shown = 10
			for _, l := range lines[:min(len(lines), shown)] {
				fmt.Fprintf(stderr, "  | %s\n", l)
			}
			if len(lines) > shown {
				fmt.Fprintf(stderr, "  | … (%d more lines)\n", len(lines)-shown)
			}
		}
		fmt.Fprintf(stderr, "Once that is solved (--sdk DIR builds against a local checkout of pyrobuild instead), run:\n  %s\n", command)
		return false
	}
	fmt.Fprintf(stdout, "  %-12s %s\n", "ran", "go mod tidy (the Go SDK is resolved)")
	return true
}
