package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	pathpkg "path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/site"
)

// ConfigFile is the name of the settings file looked up, when --config
// is not given, in the current folder and then its parents (findConfig).
const ConfigFile = "pyrobuild.yaml"

// configCeiling, when set, is a folder findConfig does not look in nor
// above: the tests set it so that this repository's own pyrobuild.yaml
// does not apply to the commands they run.
var configCeiling string

// findConfig returns the settings file that applies in the current
// folder: ConfigFile there, or else in the nearest parent folder, up to
// the root of the repository (the first folder holding .git, a folder or
// a worktree's file) or of the file system, as git and cue look for
// their own. The path is relative to the current folder when it can be
// (../pyrobuild.yaml), so messages name it as the user would.
func findConfig() (string, bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for dir := wd; dir != configCeiling; {
		p := filepath.Join(dir, ConfigFile)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			if rel, err := filepath.Rel(wd, p); err == nil {
				return rel, true
			}
			return p, true
		}
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return "", false // the repository's root
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
	return "", false
}

// projectConfig holds the settings of pyrobuild.yaml. A nil pointer or
// slice is a setting the file does not make: the flag's default applies.
// Paths are already resolved against the file's folder.
type projectConfig struct {
	file string // the file read, "" when there is none
	dir  string // its folder

	sources           []string
	output            *string
	format            *string
	strict            *bool
	resourceFiles     *bool
	serverDatasources []string
	plugins           []string

	siteContent    *string
	siteTemplates  *string
	siteDashboards []string
	siteOutput     *string
	siteBaseURL    *string
	siteTitle      *string
	siteRepoURL    *string
	siteEditURL    *string
	siteSourceURL  *string
	siteNav        []site.NavItem
	siteNavPos     diag.Pos // where site.nav is written

	crdInstanceSelector *string
	serverURL           *string
	serverCAFile        *string
	serverInsecure      *bool
}

// configKey is one setting of the file.
type configKey struct {
	name string
	// kind is "string", "bool", "path", "strings" (a list), "paths" (a
	// list of paths, or one path), "nav" (site.nav's entries) or
	// "section".
	kind string
	// oneOf, for strings, lists the values allowed.
	oneOf []string
	str   func(c *projectConfig) **string
	bool  func(c *projectConfig) **bool
	list  func(c *projectConfig) *[]string
	nav   func(c *projectConfig) *[]site.NavItem
	keys  []configKey // of a section
}

// configKeys is the file's schema. The README's example lists every key;
// keep both in step.
var configKeys = []configKey{
	{name: "sources", kind: "paths", list: func(c *projectConfig) *[]string { return &c.sources }},
	{name: "output", kind: "path", str: func(c *projectConfig) **string { return &c.output }},
	{name: "format", kind: "string", oneOf: []string{"yaml", "json"}, str: func(c *projectConfig) **string { return &c.format }},
	{name: "strict", kind: "bool", bool: func(c *projectConfig) **bool { return &c.strict }},
	{name: "resource_files", kind: "bool", bool: func(c *projectConfig) **bool { return &c.resourceFiles }},
	{name: "server_datasources", kind: "strings", list: func(c *projectConfig) *[]string { return &c.serverDatasources }},
	{name: "plugins", kind: "paths", list: func(c *projectConfig) *[]string { return &c.plugins }},
	{name: "site", kind: "section", keys: []configKey{
		// content and templates stay relative: the site's root (the
		// file's folder) resolves them, as it does the flags.
		{name: "content", kind: "string", str: func(c *projectConfig) **string { return &c.siteContent }},
		{name: "templates", kind: "string", str: func(c *projectConfig) **string { return &c.siteTemplates }},
		{name: "dashboards", kind: "paths", list: func(c *projectConfig) *[]string { return &c.siteDashboards }},
		{name: "output", kind: "path", str: func(c *projectConfig) **string { return &c.siteOutput }},
		{name: "base_url", kind: "string", str: func(c *projectConfig) **string { return &c.siteBaseURL }},
		{name: "title", kind: "string", str: func(c *projectConfig) **string { return &c.siteTitle }},
		{name: "repo_url", kind: "string", str: func(c *projectConfig) **string { return &c.siteRepoURL }},
		{name: "edit_url", kind: "string", str: func(c *projectConfig) **string { return &c.siteEditURL }},
		{name: "source_url", kind: "string", str: func(c *projectConfig) **string { return &c.siteSourceURL }},
		{name: "nav", kind: "nav", nav: func(c *projectConfig) *[]site.NavItem { return &c.siteNav }},
	}},
	{name: "crd", kind: "section", keys: []configKey{
		{name: "instance_selector", kind: "string", str: func(c *projectConfig) **string { return &c.crdInstanceSelector }},
	}},
	// server is the Perses server of apply, diff --url and pull; never a
	// token: the file is in Git.
	{name: "server", kind: "section", keys: []configKey{
		{name: "url", kind: "string", str: func(c *projectConfig) **string { return &c.serverURL }},
		{name: "ca_file", kind: "path", str: func(c *projectConfig) **string { return &c.serverCAFile }},
		{name: "insecure_skip_tls_verify", kind: "bool", bool: func(c *projectConfig) **bool { return &c.serverInsecure }},
	}},
}

// loadConfig reads the file named by --config, or else the one
// findConfig finds, when there is one. Problems in the file are printed to
// stderr, each at its file:line:col, and make a usage error: a run with
// settings it cannot read would not do what was asked.
func loadConfig(cmd *cobra.Command, stderr io.Writer) (*projectConfig, error) {
	path, what := "", "--config"
	if f := cmd.Flag("config"); f != nil && f.Changed {
		path = f.Value.String()
	} else if found, ok := findConfig(); ok {
		path, what = found, found
	} else {
		return &projectConfig{dir: "."}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %v", what, err)}
	}
	c, diags := parseConfig(path, data)
	if len(diags) > 0 {
		r := &compiler.TextRenderer{Sources: map[string]*model.Source{path: model.NewSource(path, data)}, Color: colorWanted(stderr)}
		for _, d := range diags {
			r.Render(stderr, d)
		}
		return nil, usageError{fmt.Errorf("%s: %s", path, diags.Summary())}
	}
	return c, nil
}

// parseConfig reads a config file's text. Every problem is reported, not
// only the first.
func parseConfig(path string, data []byte) (*projectConfig, diag.Diagnostics) {
	p := &configParser{c: &projectConfig{file: path, dir: filepath.Dir(path)}, path: path}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, diag.Diagnostics{yamlError(path, err)}
	}
	if len(doc.Content) == 0 {
		return p.c, nil // an empty file sets nothing
	}
	p.walk(doc.Content[0], configKeys, "")
	p.diags.Sort()
	return p.c, p.diags
}

// yamlError is the diagnostic of a file that is not YAML, at the line the
// YAML parser names.
func yamlError(path string, err error) diag.Diagnostic {
	var line int
	msg := err.Error()
	if _, e := fmt.Sscanf(msg, "yaml: line %d:", &line); e == nil {
		_, msg, _ = strings.Cut(msg, ": ")
		_, msg, _ = strings.Cut(msg, ": ")
	}
	return diag.Diagnostic{Severity: diag.Error, Pos: diag.Pos{File: path, Line: line}, Message: "invalid YAML: " + msg}
}

// configParser reads the settings of one file into c, and its problems
// into diags.
type configParser struct {
	c     *projectConfig
	path  string
	diags diag.Diagnostics
}

func (p *configParser) report(n *yaml.Node, hint, format string, args ...any) {
	p.diags = append(p.diags, diag.Diagnostic{Severity: diag.Error, Pos: diag.Pos{File: p.path, Line: n.Line, Col: n.Column},
		Message: fmt.Sprintf(format, args...), Hint: hint})
}

// walk reads the map n, whose keys are keys; prefix names its section
// ("site.").
func (p *configParser) walk(n *yaml.Node, keys []configKey, prefix string) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.MappingNode {
		what := "the file"
		if prefix != "" {
			what = prefix[:len(prefix)-1]
		}
		p.report(n, "", "%s must be a map of settings", what)
		return
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.name
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, v := n.Content[i], n.Content[i+1]
		name := prefix + kn.Value
		var key *configKey
		for j := range keys {
			if keys[j].name == kn.Value {
				key = &keys[j]
			}
		}
		if key == nil {
			hint := compiler.DidYouMean(kn.Value, names)
			if hint == "" {
				hint = "known keys: " + strings.Join(names, ", ")
			}
			p.report(kn, hint, "unknown key %q", name)
			continue
		}
		if seen[kn.Value] {
			p.report(kn, "", "%s is set twice", name)
			continue
		}
		seen[kn.Value] = true
		p.set(key, kn, v, name)
	}
}

// set reads the value v of key, written at kn; name is its full name.
func (p *configParser) set(key *configKey, kn, v *yaml.Node, name string) {
	c := p.c
	switch key.kind {
	case "section":
		p.walk(v, key.keys, name+".")
	case "nav":
		c.siteNavPos = diag.Pos{File: p.path, Line: kn.Line, Col: kn.Column}
		*key.nav(c) = parseNav(v, name, p.path, p.report)
	case "bool":
		var b bool
		if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" || v.Decode(&b) != nil {
			p.report(v, "", "%s must be true or false", name)
			return
		}
		*key.bool(c) = &b
	case "string", "path":
		if v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
			p.report(v, "", "%s must be a string", name)
			return
		}
		s := v.Value
		if len(key.oneOf) > 0 && !slices.Contains(key.oneOf, s) {
			p.report(v, compiler.DidYouMean(s, key.oneOf), "%s must be %s, not %q", name, joinNames(key.oneOf), s)
			return
		}
		if key.kind == "path" {
			s = c.path(s)
		}
		*key.str(c) = &s
	case "paths", "strings":
		if list, ok := p.list(key, v, name); ok {
			*key.list(c) = list
		}
	}
}

// list reads a list of strings, or of paths (then also one path alone).
func (p *configParser) list(key *configKey, v *yaml.Node, name string) ([]string, bool) {
	var items []*yaml.Node
	switch {
	case v.Kind == yaml.SequenceNode:
		items = v.Content
	case v.Kind == yaml.ScalarNode && v.Tag == "!!str" && key.kind == "paths":
		items = []*yaml.Node{v} // one path
	default:
		p.report(v, "", "%s must be a list of strings", name)
		return nil, false
	}
	list := []string{}
	ok := true
	for _, it := range items {
		if it.Kind != yaml.ScalarNode || it.Tag != "!!str" {
			p.report(it, "", "an item of %s must be a string", name)
			ok = false
			continue
		}
		s := it.Value
		if key.kind == "paths" {
			s = p.c.path(s)
		}
		list = append(list, s)
	}
	return list, ok
}

// environment holds what pyrobuild reads from its environment for every
// command (a command reads NO_COLOR and GOGC for itself). It is read once,
// by Run, and handed to the commands, which pass it on in options: the
// library has no setting of its own.
type environment struct {
	// cacheRoot is the folder of pyrobuild's caches: $PYROBUILD_CACHE,
	// or else pyrobuild in the user's cache folder (defaultCacheRoot).
	cacheRoot string
	// cueTimeout is $PYROBUILD_CUE_TIMEOUT; 0, for the default, when it
	// is unset or not a positive duration.
	cueTimeout time.Duration
	// cueModules is CUE's module cache, as CUE finds it: $CUE_CACHE_DIR,
	// or cue in the user's cache folder ("" when there is none).
	cueModules string
}

// readEnv reads the environment through getenv (os.Getenv).
func readEnv(getenv func(string) string) environment {
	e := environment{cacheRoot: getenv("PYROBUILD_CACHE")}
	if e.cacheRoot == "" {
		e.cacheRoot = defaultCacheRoot()
	}
	if d, err := time.ParseDuration(getenv("PYROBUILD_CUE_TIMEOUT")); err == nil && d > 0 {
		e.cueTimeout = d
	}
	e.cueModules = getenv("CUE_CACHE_DIR")
	if d, err := os.UserCacheDir(); e.cueModules == "" && err == nil {
		e.cueModules = filepath.Join(d, "cue")
	}
	return e
}

// defaultCacheRoot is the folder of pyrobuild's caches when
// $PYROBUILD_CACHE is unset: pyrobuild in the user's cache folder
// (~/.cache on Linux), or in the temporary folder when there is none.
func defaultCacheRoot() string {
	if d, ok := userCacheFolder(); ok {
		return d
	}
	return filepath.Join(os.TempDir(), "pyrobuild-cache")
}

// userCacheFolder is pyrobuild's folder in the user's cache folder, and
// whether the system has one.
func userCacheFolder() (string, bool) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", false
	}
	return filepath.Join(d, "pyrobuild"), true
}

// compileOptions are the options of every compilation of compile, check
// and diff that come from the environment: the caches (compiled Go
// programs, the unit store) and the CUE time limit. The site builder's
// compilations get the same through site.Config.
func (e environment) compileOptions() compiler.Options {
	return compiler.Options{
		GoCache:        compiler.GoCacheDir(e.cacheRoot),
		UnitStore:      compiler.UnitStoreDir(e.cacheRoot),
		CUETimeout:     e.cueTimeout,
		CUEModuleCache: e.cueModules,
	}
}

// parseNav reads site.nav, a list of entries as in mkdocs' nav: a page
// ("guides/ci.md"), a folder for its pages the list does not name
// ("reference/"), "Title: page-or-folder" to name one otherwise, or
// "Section title: [entries]". Paths are below the site's content folder;
// whether the pages exist is the build's business, as for links.
func parseNav(v *yaml.Node, what, file string, report func(n *yaml.Node, hint, format string, args ...any)) []site.NavItem {
	const forms = "write a page (- guides/ci.md), a folder (- reference/), a title and a page (- CI: guides/ci.md) or a section (- Guides: [entries])"
	if v.Kind != yaml.SequenceNode {
		report(v, forms, "%s must be a list of pages, folders and sections", what)
		return nil
	}
	if len(v.Content) == 0 {
		report(v, "list at least one entry, or leave the key out", "%s is empty", what)
		return nil
	}
	out := []site.NavItem{}
	for _, it := range v.Content {
		switch {
		case it.Kind == yaml.ScalarNode && it.Tag == "!!str":
			if p, ok := navPath(it, what, report); ok {
				out = append(out, site.NavItem{Page: p, Pos: diag.Pos{File: file, Line: it.Line, Col: it.Column}})
			}
		case it.Kind == yaml.MappingNode && len(it.Content) == 2:
			k, val := it.Content[0], it.Content[1]
			if k.Kind != yaml.ScalarNode || k.Tag != "!!str" || strings.TrimSpace(k.Value) == "" {
				report(k, forms, "a title in %s must be a string", what)
				continue
			}
			switch {
			case val.Kind == yaml.ScalarNode && val.Tag == "!!str":
				if p, ok := navPath(val, what, report); ok {
					out = append(out, site.NavItem{Title: k.Value, Page: p, Pos: diag.Pos{File: file, Line: val.Line, Col: val.Column}})
				}
			case val.Kind == yaml.SequenceNode:
				children := parseNav(val, fmt.Sprintf("section %q", k.Value), file, report)
				out = append(out, site.NavItem{Title: k.Value, Children: children, Pos: diag.Pos{File: file, Line: k.Line, Col: k.Column}})
			default:
				report(val, forms, "%q in %s must be a page, a folder or a list of entries", k.Value, what)
			}
		case it.Kind == yaml.MappingNode:
			report(it, "start each entry with its own -", "an entry of %s is a map of one title, not %d", what, len(it.Content)/2)
		default:
			report(it, forms, "an entry of %s must be a page, a folder or a section", what)
		}
	}
	return out
}

// navPath checks and cleans a path of site.nav: relative to the content
// folder, without "..", a page (.md) or a folder (ending in /).
func navPath(n *yaml.Node, what string, report func(n *yaml.Node, hint, format string, args ...any)) (string, bool) {
	p := strings.TrimPrefix(n.Value, "./")
	dir := strings.HasSuffix(p, "/")
	switch {
	case p == "" || p == "/":
		report(n, "", "an entry of %s must name a page or a folder", what)
		return "", false
	case strings.HasPrefix(p, "/") || filepath.IsAbs(p):
		report(n, "write it as in content/: guides/ci.md", "%q in %s must be relative to the content folder", n.Value, what)
		return "", false
	case slices.Contains(strings.Split(p, "/"), ".."):
		report(n, "", "%q in %s leads outside the content folder", n.Value, what)
		return "", false
	case !dir && !strings.HasSuffix(p, ".md"):
		report(n, fmt.Sprintf("did you mean %s.md, or %s/ for a folder?", p, p), "%q in %s is neither a page (.md) nor a folder (ending in /)", n.Value, what)
		return "", false
	}
	p = pathpkg.Clean(p)
	if dir {
		p += "/"
	}
	return p, true
}

// path resolves a path written in the file against the file's folder, so
// `--config sub/pyrobuild.yaml` means what running in sub/ would.
func (c *projectConfig) path(p string) string {
	if filepath.IsAbs(p) || c.dir == "." || c.dir == "" {
		return filepath.Clean(p)
	}
	return filepath.Join(c.dir, p)
}

// override sets *dst to the file's value unless the flag was given on the
// command line: flags win over the file.
func override[T any](f *pflag.FlagSet, flag string, dst *T, v *T) {
	if v != nil && !f.Changed(flag) {
		*dst = *v
	}
}

func overrideList(f *pflag.FlagSet, flag string, dst *[]string, v []string) {
	if v != nil && !f.Changed(flag) {
		*dst = v
	}
}

// sourcesFrom names where the sources come from when args are empty and
// the file lists them ("sources of pyrobuild.yaml"), for messages.
func (c *projectConfig) sourcesFrom(args []string) string {
	if len(args) == 0 && c.defaultSources() != nil {
		return "sources of " + c.file
	}
	return ""
}

// defaultSources are the sources when no PATH is given: the file's, or
// else its folder (the current folder without a file), so a command run
// in a subfolder of the project does what it does at its root.
func (c *projectConfig) defaultSources() []string {
	if c.sources != nil {
		return c.sources
	}
	if c.file != "" && c.dir != "." {
		return []string{c.dir}
	}
	return nil
}

// defaultOutput sets *dst, an output folder whose flag was not given
// (given false), to the file's setting set, or else to *dst (the flag's
// default) in the file's folder.
func (c *projectConfig) defaultOutput(given bool, dst *string, set *string) {
	if given {
		return
	}
	if set != nil {
		*dst = *set
	} else if c.file != "" {
		*dst = c.path(*dst)
	}
}

// applyCompile applies the file to compile, check and diff: the sources
// when no PATH is given, and the settings whose flags were not given.
func (c *projectConfig) applyCompile(f *pflag.FlagSet, o *compileOptions, args []string) []string {
	if len(args) == 0 {
		args = c.defaultSources()
	}
	if f.Lookup("output") != nil {
		c.defaultOutput(f.Changed("output"), &o.output, c.output)
	}
	if f.Lookup("format") != nil {
		override(f, "format", &o.format, c.format)
	}
	override(f, "strict", &o.strict, c.strict)
	if f.Lookup("resource-files") != nil {
		override(f, "resource-files", &o.resourceFiles, c.resourceFiles)
	}
	overrideList(f, "server-datasource", &o.serverDatasources, c.serverDatasources)
	override(f, "instance-selector", &o.instanceSelector, c.crdInstanceSelector)
	c.applyPlugins(f, &o.plugins)
	return args
}

// applySite applies the file to build and serve. The site's root is the
// file's folder; its dashboards are site.dashboards, or else the sources.
func (c *projectConfig) applySite(f *pflag.FlagSet, o *siteOptions) {
	if c.file != "" {
		root := c.dir
		override(f, "root", &o.root, &root)
	}
	override(f, "content", &o.content, c.siteContent)
	override(f, "templates", &o.templates, c.siteTemplates)
	dashboards := c.siteDashboards
	if dashboards == nil {
		dashboards = c.sources
	}
	overrideList(f, "dashboards", &o.dashboards, dashboards)
	overrideList(f, "server-datasource", &o.serverDatasources, c.serverDatasources)
	c.applyPlugins(f, &o.plugins)
	override(f, "base-url", &o.baseURL, c.siteBaseURL)
	override(f, "title", &o.title, c.siteTitle)
	override(f, "repo-url", &o.repoURL, c.siteRepoURL)
	override(f, "edit-url", &o.editURL, c.siteEditURL)
	override(f, "source-url", &o.sourceURL, c.siteSourceURL)
	o.nav, o.navPos = c.siteNav, c.siteNavPos // no flag
}

func joinNames(names []string) string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	var b bytes.Buffer
	for i, n := range sorted {
		switch {
		case i == 0:
		case i == len(sorted)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(n)
	}
	return b.String()
}
