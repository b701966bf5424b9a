package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/site"
)

type siteOptions struct {
	root              string
	content           string
	templates         string
	dashboards        []string
	serverDatasources []string
	plugins           []string
	baseURL           string
	title             string
	repoURL           string
	editURL           string
	sourceURL         string
	diagnostics       string
	quiet             bool
	cacheDir          cacheDirFlag
	drafts            bool
	nav               []site.NavItem // site.nav of pyrobuild.yaml; no flag
	navPos            diag.Pos
	env               environment
}

func newBuildCmd(env environment, stdout, stderr io.Writer) *cobra.Command {
	o := &siteOptions{env: env}
	var output string
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Build the documentation site",
		Long: `Build renders the markdown pages of content/ with the layouts of
templates/ (embedded defaults; a site overrides any file by path), adds
pages generated from pyrobuild itself (the plugin model reference, the
diagnostics and command-line references) and a catalog of the dashboards
compiled from --dashboards, and writes a static site.

Every internal link and #anchor is checked, and every fenced example marked
'example' is compiled: a problem fails the build at its markdown file:line,
and the output folder is replaced only when there is none.

The site section of pyrobuild.yaml sets any of these flags (the file's
folder is the site's root; the catalog shows site.dashboards, or else the
file's sources); flags given on the command line win.`,
		Example: `  pyrobuild build                                # content/ → public/
  pyrobuild build --dashboards examples -o site  # with a dashboard catalog
  pyrobuild build --base-url https://example.com/docs/`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pc, err := loadConfig(cmd, stderr)
			if err != nil {
				return err
			}
			pc.applySite(cmd.Flags(), o)
			pc.defaultOutput(cmd.Flags().Changed("output"), &output, pc.siteOutput)
			cfg, err := o.config(cmd)
			if err != nil {
				return err
			}
			return runBuild(cmd.Context(), cfg, o, output, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&output, "output", "o", "public", "output folder (replaced on success)")
	addSiteFlags(f, o)
	f.StringVar(&o.diagnostics, "diagnostics", "text", "how to print problems: text, json or github (Actions annotations)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print only problems")
	cmd.RegisterFlagCompletionFunc("diagnostics", completeDiagnostics)
	return cmd
}

func addSiteFlags(f *pflag.FlagSet, o *siteOptions) {
	f.StringVar(&o.root, "root", ".", "the site's folder (content/ and templates/ are read from it)")
	f.StringVar(&o.content, "content", "content", "folder of markdown pages, relative to --root")
	f.StringVar(&o.templates, "templates", "templates", "folder of layouts and assets overriding the embedded ones, relative to --root")
	f.StringArrayVar(&o.dashboards, "dashboards", nil, "dashboard sources to compile for the catalog (repeatable; files or folders)")
	f.StringArrayVar(&o.serverDatasources, "server-datasource", nil, "a datasource NAME that exists only on the Perses server (repeatable)")
	addPluginsFlag(f, &o.plugins)
	f.StringVar(&o.baseURL, "base-url", "/", "where the site is published: a path (/docs/) or a full URL (needed for sitemap.xml)")
	f.StringVar(&o.title, "title", "pyrobuild", "the site's title")
	f.StringVar(&o.repoURL, "repo-url", "", "link to the source repository, shown in the header")
	f.StringVar(&o.editURL, "edit-url", "", "prefix of 'Edit this page' links, e.g. https://github.com/org/repo/edit/main/")
	f.StringVar(&o.sourceURL, "source-url", "", "prefix of links from the catalog to dashboard sources, e.g. https://github.com/org/repo/blob/main/")
	f.BoolVar(&o.drafts, "drafts", false, "publish pages whose front matter says draft: true")
	f.Var(&o.cacheDir, "cache-dir", "where highlighted code and built pages are cached between runs (\"off\" for no cache; on macOS the default is ~/Library/Caches/pyrobuild, on Windows %LocalAppData%\\pyrobuild)")
}

// cacheDirFlag is --cache-dir. Its default depends on the user's home
// folder, so it is worked out when used rather than when the flag is
// declared: --help and the generated CLI reference then show the rule,
// the same on every machine, instead of the home folder of whoever ran
// them.
type cacheDirFlag struct {
	dir string
	set bool
}

// cacheDirDefault describes the default of --cache-dir (os.UserCacheDir on
// Linux and other Unix systems).
const cacheDirDefault = "$XDG_CACHE_HOME/pyrobuild or ~/.cache/pyrobuild"

func (c *cacheDirFlag) String() string {
	if !c.set {
		return cacheDirDefault
	}
	return c.dir
}

func (c *cacheDirFlag) Set(s string) error {
	c.dir, c.set = s, true
	return nil
}

func (c *cacheDirFlag) Type() string { return "string" }

// path is the cache folder to use: "" for none (--cache-dir off, or no
// user cache folder).
func (c *cacheDirFlag) path() string {
	if !c.set {
		return defaultCacheDir()
	}
	return cacheDir(c.dir)
}

// defaultCacheDir is pyrobuild's folder in the user's cache (on Linux
// $XDG_CACHE_HOME/pyrobuild or ~/.cache/pyrobuild), "" when there is none.
func defaultCacheDir() string {
	d, _ := userCacheFolder()
	return d
}

func (o *siteOptions) config(cmd *cobra.Command) (site.Config, error) {
	switch o.diagnostics {
	case "", "text", "json", "github":
	default:
		return site.Config{}, usageError{fmt.Errorf("unknown --diagnostics %q: use text, json or github", o.diagnostics)}
	}
	if err := checkSources(o.dashboards, "the site's dashboards"); err != nil {
		return site.Config{}, err
	}
	if err := checkSiteFolders(cmd.Flags(), o); err != nil {
		return site.Config{}, err
	}
	if err := checkPluginPaths(o.plugins); err != nil {
		return site.Config{}, err
	}
	root := cmd.Root()
	return site.Config{
		Root:              o.root,
		Content:           o.content,
		Templates:         o.templates,
		Dashboards:        o.dashboards,
		ServerDatasources: o.serverDatasources,
		Plugins:           o.plugins,
		BaseURL:           o.baseURL,
		Title:             o.title,
		RepoURL:           o.repoURL,
		EditURL:           o.editURL,
		SourceURL:         o.sourceURL,
		CLIReference:      func() []byte { return cliReference(root) },
		CacheDir:          o.cacheDir.path(),
		CompilerCache:     o.env.cacheRoot,
		CUETimeout:        o.env.cueTimeout,
		Drafts:            o.drafts,
		Nav:               o.nav,
		NavPos:            o.navPos,
	}, nil
}

func runBuild(ctx context.Context, cfg site.Config, o *siteOptions, output string, stdout, stderr io.Writer) error {
	_, gogcSet := os.LookupEnv("GOGC")
	if !gogcSet {
		// A build keeps every page's links, headings and search text until
		// the end; collecting garbage sooner keeps a large site's peak
		// memory lower (CI runners are small): 1,000 pages, peak RSS about
		// 61 MB at 30 against 64 at 50, for about the CPU the second pass
		// saves by unpacking each page's HTML instead of rendering it
		// again. GOGC in the environment still wins.
		debug.SetGCPercent(30)
	}
	b, err := site.NewBuilder(cfg)
	if err != nil {
		return usageError{err}
	}
	s, err := b.Write(ctx, output)
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "build %v\n", context.Cause(ctx))
		return errInterrupted
	}
	if err != nil {
		return err
	}
	info := stdout
	if o.diagnostics != "text" && o.diagnostics != "" {
		info = stderr
	}
	if err := printDiagnostics(s.Diagnostics, s.Sources, o.diagnostics, o.quiet, stdout, stderr); err != nil {
		return err
	}
	if s.HasErrors() {
		fmt.Fprintf(stderr, "build failed: %s; %s left unchanged\n", s.Diagnostics.Summary(), filepath.Clean(output))
		return errSources
	}
	pages, summary := len(s.Pages), s.Diagnostics.Summary() // s is not used below
	// Saving the highlight cache encodes it whole in memory. The site is
	// garbage by now: collected and handed back to the system first, and
	// with a tight goal while saving, the encoding stays below the build's
	// own peak instead of adding over 10 MB to it (1,000 pages, cold).
	debug.FreeOSMemory()
	if !gogcSet {
		debug.SetGCPercent(10)
	}
	if err := b.SaveCache(); err != nil && !o.quiet {
		fmt.Fprintf(stderr, "pyrobuild: warning: cache not saved: %v\n", err)
	}
	if !o.quiet {
		if !b.AbsoluteBaseURL() {
			// Not a problem of the sources, so not a diagnostic, but a site
			// published without them would lose them silently.
			fmt.Fprintf(stderr, "pyrobuild: note: no sitemap.xml and no canonical links: they need the site's full URL, e.g. --base-url https://example.com/docs/ (or site.base_url in %s)\n", ConfigFile)
		}
		fmt.Fprintf(info, "built %s into %s (%s)\n", plural(pages, "page"), filepath.Clean(output)+string(filepath.Separator), summary)
	}
	return nil
}

// printDiagnostics prints problems in the chosen form: text on stderr for
// people, JSON or GitHub annotations on stdout for machines.
func printDiagnostics(ds diag.Diagnostics, sources map[string]*model.Source, mode string, quiet bool, stdout, stderr io.Writer) error {
	switch mode {
	case "json":
		return diag.RenderJSON(stdout, ds)
	case "github":
		diag.RenderGitHub(stdout, ds)
		return nil
	}
	r := &compiler.TextRenderer{Sources: sources, Color: colorWanted(stderr)}
	for _, d := range ds {
		if d.Severity == diag.Info && quiet {
			continue
		}
		r.Render(stderr, d)
	}
	return nil
}

func cacheDir(flag string) string {
	if flag == "off" {
		return ""
	}
	return flag
}
