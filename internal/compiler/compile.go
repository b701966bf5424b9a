// Package compiler turns Perses dashboard sources (CUE, YAML, JSON, Go
// programs) into validated, Perses-ready resources. Compile runs the
// stages, each a package of its own: load (find and read the sources),
// check (validate and lower each resource, then check them together), on
// the shared model.
package compiler

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler/check"
	"github.com/pyrobuild/pyrobuild/internal/compiler/load"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/compiler/plugin"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// Options configure a compilation.
type Options struct {
	// Paths are files or folders to read (default ".").
	Paths []string
	// Skip are folders never to read (the output folder).
	Skip []string
	// Strict turns warnings into errors.
	Strict bool
	// ServerDatasources name datasources that exist only on the Perses
	// server, so selectors naming them resolve ("default" stands for a
	// default datasource of every kind).
	ServerDatasources []string
	// Workers bounds parallelism (default GOMAXPROCS). Output does not
	// depend on it.
	Workers int
	// GoTimeout bounds how long each Go program may run (default
	// DefaultGoTimeout).
	GoTimeout time.Duration
	// GoCache is the folder in which Go programs are built and kept for
	// the next compilation (GoCacheDir of pyrobuild's cache folder is the
	// usual one). Empty: a temporary folder, removed when the compilation
	// ends, so nothing is kept.
	GoCache string
	// CUETimeout bounds the evaluation of each CUE package (default
	// DefaultCUETimeout).
	CUETimeout time.Duration
	// CUEModuleCache is where CUE keeps the modules it downloads
	// ($CUE_CACHE_DIR, else cue in the user's cache folder), named when a
	// CUE import cannot be found; empty, the message describes it.
	CUEModuleCache string
	// Cache, when set, keeps loaded units for the next compilation of the
	// same sources, which then loads only the units whose files changed.
	Cache *Cache
	// UnitStore, when set, is a folder that keeps evaluated CUE packages
	// between runs (UnitStoreDir of pyrobuild's cache folder is the usual
	// one), so a compilation evaluates only the packages whose files
	// changed since one was stored.
	UnitStore string
	// Pack keeps compiled dashboards encoded, not as trees, from the moment
	// each is validated, when there are a thousand sources or more: a
	// repository of thousands then fits in a fraction of the memory. Their
	// Node is nil; Tree decodes one when asked.
	Pack bool
	// Plugins are paths of Perses plugin modules (folders of plugin
	// folders or archives, one plugin folder, one archive): when given,
	// every plugin object is validated against the loaded schemas, as the
	// Perses server does, and a plugin kind none of them defines is an
	// error.
	Plugins []string
}

// Result is the outcome of a compilation.
type Result struct {
	Resources   []*model.Resource
	Diagnostics diag.Diagnostics
	Sources     map[string]*model.Source
	// Units is how many files, CUE packages or Go packages were read.
	Units int
	// GoBuilds is how many Go programs had to be built: 0 when the cache
	// held them all.
	GoBuilds int
	// Reused is how many units came from Options.Cache unchanged.
	Reused int
	// Stored is how many CUE packages came from Options.UnitStore, not
	// evaluated.
	Stored int
	// Inputs are the files beyond Sources that the result depends on: for
	// Go programs, the files of every local package they import, go.mod,
	// go.sum and go.work (absolute paths, some of which may not exist). A
	// watcher that recompiles when one of these or a source changes misses
	// nothing the compiler read.
	Inputs []string

	// hermetic: every resource follows from Sources alone (see OutputKey).
	hermetic bool
}

// packUnits is how many units a compilation needs before Options.Pack packs
// its dashboards: below it the trees fit in a few tens of MB, and packing
// and unpacking (twice: checks, output) would cost a quarter of a warm run.
var packUnits = 1000

// Compile loads, validates and lowers every source under opts.Paths.
//
// When ctx is done, Compile stops taking new work, kills the Go programs
// and go commands it runs, and returns an error wrapping ctx.Err(). A CUE
// evaluation under way cannot be interrupted: it is left to end on its own
// (see cueRunner), and the compilation does not wait for it.
func Compile(ctx context.Context, opts Options) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, stopped(ctx)
	}
	if opts.GoCache == "" {
		// Nothing is to be kept: Go programs are built in a folder of this
		// compilation's own. Without one, a Go source reports that there
		// is no build cache; other sources do not need it.
		if dir, err := os.MkdirTemp("", "pyrobuild-go-"); err == nil {
			defer os.RemoveAll(dir)
			opts.GoCache = dir
		}
	}
	c, err := newCompilation(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.loadAll()
	c.store.close() // this run's entries go into the store's index, even when stopped
	if ctx.Err() != nil {
		return nil, stopped(ctx)
	}
	return c.finish(), nil
}

// stopped is Compile's error when ctx ends the compilation: it wraps
// ctx.Err() and, when there is one, the cause given for it.
func stopped(ctx context.Context) error {
	err := ctx.Err()
	if cause := context.Cause(ctx); cause != err {
		return fmt.Errorf("compilation stopped: %w: %w", cause, err)
	}
	return fmt.Errorf("compilation stopped: %w", err)
}

// compilation is the state of one Compile, shared by its stages:
// newCompilation finds the units and builds the Go programs, loadAll
// loads and validates every unit, and finish checks the resources
// together.
type compilation struct {
	ctx     context.Context
	opts    Options
	paths   []string
	workers int
	units   []load.Unit
	diags   diag.Diagnostics
	schema  *model.Schema
	sources load.Sources
	goL     *load.GoLoader
	cache   *Cache
	store   *unitStore
	deps    *cueDeps // the store's keys of packages importing modules
	plugins *plugin.Checker
	// results are gathered by unit index, so the output order never
	// depends on scheduling.
	results []unitResult
	packing bool

	outOfMemory atomic.Bool
	stored      atomic.Int64
	open        atomic.Bool // some output may depend on files beyond its sources
}

type unitResult struct {
	res   []*model.Resource
	diags diag.Diagnostics
	// via maps positions of values a CUE dependency made to where the
	// dependency wrote them (load.Raw.Via).
	via map[diag.Pos]diag.Pos
}

// newCompilation finds the units under the paths and builds the Go programs among
// them that the cache does not hold.
func newCompilation(ctx context.Context, opts Options) (*compilation, error) {
	// The schema is built once per process; the first compilation builds it
	// while it walks the folders.
	schemaReady := make(chan struct{})
	go func() {
		LoadSchema()
		close(schemaReady)
	}()
	c := &compilation{ctx: ctx, opts: opts, paths: opts.Paths, workers: opts.Workers, cache: opts.Cache}
	if len(c.paths) == 0 {
		c.paths = []string{"."}
	}
	if c.workers <= 0 {
		c.workers = runtime.GOMAXPROCS(0)
	}
	var pluginSet *plugin.Set
	pluginErr := make(chan error, 1)
	go func() {
		var err error
		if len(opts.Plugins) > 0 {
			pluginSet, err = plugin.Load(opts.Plugins)
		}
		pluginErr <- err
	}()
	c.units, c.diags = load.Discover(c.paths, opts.Skip)
	if err := <-pluginErr; err != nil {
		return nil, err
	}
	select {
	case <-schemaReady:
	case <-ctx.Done():
		return nil, stopped(ctx)
	}
	s, err := LoadSchema()
	if err != nil {
		return nil, err
	}
	c.schema = s
	c.plugins = &plugin.Checker{Set: pluginSet, Own: map[string]string{}}
	for k, p := range s.Plugins {
		c.plugins.Own[k] = p.Role
	}
	for _, u := range c.units {
		if u.Kind() == "go" && c.goL == nil {
			c.goL = load.NewGoLoader(ctx, load.GoOptions{Paths: opts.Paths, Timeout: opts.GoTimeout, Cache: opts.GoCache})
			if !c.goL.Available() {
				c.diags = append(c.diags, load.MissingToolchain(u))
			}
			c.goL.Prepare(c.units, &c.sources, c.workers)
		}
	}
	if ctx.Err() != nil {
		return nil, stopped(ctx)
	}
	return c, nil
}

// loadAll loads and validates every unit on the workers; each unit is
// loaded and validated on its own. Once ctx is done, no unit is started.
func (c *compilation) loadAll() {
	c.results = make([]unitResult, len(c.units))
	c.packing = c.opts.Pack && len(c.units) >= packUnits
	if c.cache != nil {
		c.cache.Begin()
	}
	c.store = openUnitStore(c.opts.UnitStore)
	if c.store != nil {
		c.deps = newCUEDeps()
	}
	cueLimit := cueTimeout(c.opts)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(c.workers, max(len(c.units), 1)); w++ {
		wg.Go(func() {
			wk := &worker{c: c, env: &load.CUEEnv{ModCache: c.opts.CUEModuleCache}, cueLimit: cueLimit}
			defer wk.close()
			for i := range next {
				// A compilation that failed, or was stopped, finishes
				// without loading more (before memory runs out).
				if c.outOfMemory.Load() || c.ctx.Err() != nil {
					continue
				}
				c.results[i] = wk.load(c.units[i])
			}
		})
	}
feed:
	for i := range c.units {
		select {
		case next <- i:
		case <-c.ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
}

// worker is the state one worker goroutine keeps between units.
type worker struct {
	c        *compilation
	env      *load.CUEEnv
	runner   *load.CUERunner
	cueLimit time.Duration
	packer   packer
}

func (w *worker) close() {
	if w.runner != nil {
		w.runner.Close()
	}
}

// load loads one unit, from a cache when one holds it, and validates its
// resources.
func (w *worker) load(u load.Unit) unitResult {
	c := w.c
	var raws []load.Raw
	var res []*model.Resource
	var ds diag.Diagnostics
	hit, abandoned := false, false
	var closed atomic.Bool // written by a CUE evaluation that may be abandoned
	// A unit looked up in a cache is read first, and loaded from those
	// bytes: its key is what the load parsed.
	var sum [32]byte
	summed := false
	useStore := c.store != nil && u.Kind() == "cue"
	if (c.cache != nil && load.Cacheable(u)) || useStore {
		sum, summed = load.ReadUnit(&u)
	}
	if summed && c.cache != nil {
		raws, ds, hit = c.cache.Get(u, sum, &c.sources)
	}
	// A stored unit was validated when it was stored: its entry holds the
	// resources in wire form and every diagnostic. An entry under the sum
	// of the files alone is of a package that imports no module (see
	// storeKey): it is looked for first, before the imports are parsed.
	useStore = useStore && summed && !hit
	var via map[diag.Pos]diag.Pos
	var packs []*packed // res[i]'s tree packed, when it has been
	stored := false
	if useStore {
		res, packs, ds, via, stored = c.store.get(u, sum, &c.sources)
	}
	var storeKey *[sha256.Size]byte
	deps := false
	if useStore && !stored {
		if storeKey, deps = w.storeKey(u, sum); deps {
			res, packs, ds, via, stored = c.store.get(u, *storeKey, &c.sources)
		}
	}
	if stored {
		hit = true
		c.stored.Add(1)
	}
	if !hit {
		raws, ds, abandoned = w.loadFresh(u, &closed)
	}
	if u.Kind() == "go" || deps || (!hit && (abandoned || !closed.Load())) {
		c.open.Store(true) // its output may depend on files beyond its sources
	}
	keep := summed && !hit && !abandoned && closed.Load()
	if keep && c.cache != nil {
		c.cache.Put(u, sum, raws, ds)
	}
	for _, raw := range raws {
		for at, d := range raw.Via {
			if via == nil {
				via = map[diag.Pos]diag.Pos{}
			}
			via[at] = d
		}
		if r := check.Validate(c.schema, raw.Node, &ds); r != nil {
			res = append(res, r)
		}
	}
	// A package that imports modules is kept too: its key covers them.
	put := storeKey != nil && !hit && !abandoned && (closed.Load() || deps)
	packs = w.pack(res, packs, put)
	if put {
		c.store.put(u, *storeKey, res, packs, ds, via)
	}
	// After the store: what the plugins say depends on the schemas
	// loaded, not only on the unit's files.
	prior := ds[:len(ds):len(ds)]
	rep := diag.NewReporter(&ds)
	for _, r := range res {
		c.plugins.Resource(r, rep, prior)
	}
	if c.packing {
		for i, r := range res {
			if r.Kind == "Dashboard" {
				r.Pack(packs[i])
			}
		}
	}
	return unitResult{res, ds, via}
}

// pack returns each resource's tree packed (packs[i] is res[i]'s) where
// the store or the compilation needs it: every tree of a unit to be put in
// the store, the dashboards of a compilation that packs them. Each tree is
// encoded once: the store's entry is made of the packed trees the
// compilation keeps, and a stored unit's (packs, when not nil) come from
// its entry.
func (w *worker) pack(res []*model.Resource, packs []*packed, put bool) []*packed {
	if packs != nil || !(put || w.c.packing) {
		return packs
	}
	packs = make([]*packed, len(res))
	for i, r := range res {
		if put || r.Kind == "Dashboard" {
			packs[i] = w.packer.pack(r.Node)
		}
	}
	return packs
}

// storeKey is a CUE unit's key in the unit store, when it has one: the
// sum of its files and, for a package that imports modules (deps), of
// what it reads from them (cueDeps).
func (w *worker) storeKey(u load.Unit, sum [sha256.Size]byte) (key *[sha256.Size]byte, deps bool) {
	extra, deps, ok := w.c.deps.key(u.Sources())
	switch {
	case !ok:
		return nil, false
	case deps:
		h := sha256.New()
		h.Write(sum[:])
		h.Write(extra[:])
		h.Sum(sum[:0])
	}
	return &sum, deps
}

// loadFresh loads a unit no cache held. closed is set when the load read
// nothing beyond the unit's own files. abandoned reports a CUE evaluation
// stopped for its time or memory, or by the end of the compilation, that
// is still running.
func (w *worker) loadFresh(u load.Unit, closed *atomic.Bool) (raws []load.Raw, ds diag.Diagnostics, abandoned bool) {
	c := w.c
	switch u.Kind() {
	case "go":
		raws, ds = c.goL.Load(u)
	case "cue":
		if w.runner == nil {
			w.runner = load.NewCUERunner()
		}
		e := w.env
		var memory bool
		raws, ds, abandoned, memory = w.runner.Load(c.ctx, u, w.cueLimit, func() ([]load.Raw, diag.Diagnostics) {
			r, d, cl := load.Load(u, &c.sources, e)
			closed.Store(cl)
			return r, d
		})
		if abandoned {
			w.runner, w.env = nil, &load.CUEEnv{ModCache: c.opts.CUEModuleCache} // the old ones are still in use
		}
		if memory {
			c.outOfMemory.Store(true)
		}
	default:
		var cl bool
		raws, ds, cl = load.Load(u, &c.sources, w.env)
		closed.Store(cl)
	}
	return raws, ds, abandoned
}

// finish gathers the units' results and checks the resources together:
// references between them, the server's datasources, --strict.
func (c *compilation) finish() *Result {
	// A copy: an abandoned CUE evaluation may still add to the set.
	out := &Result{Units: len(c.units), Sources: c.sources.Snapshot(), hermetic: !c.open.Load()}
	if c.cache != nil {
		c.cache.End()
		out.Reused = c.cache.Hits()
	}
	if c.store != nil {
		out.Stored = int(c.stored.Load())
	}
	if g := c.goL; g != nil {
		out.GoBuilds = g.Builds()
		out.Inputs = g.Inputs()
		if out.GoBuilds > 0 {
			g.TrimCache()
		}
	}
	diags := c.diags
	var via map[diag.Pos]diag.Pos
	for _, r := range c.results {
		out.Resources = append(out.Resources, r.res...)
		diags = append(diags, r.diags...)
		if r.via != nil && via == nil {
			via = map[diag.Pos]diag.Pos{}
		}
		maps.Copy(via, r.via)
	}
	if len(c.units) == 0 && len(diags) == 0 {
		diag.NewReporter(&diags).Errorf(model.CodeNoSources, diag.Pos{}, "no .cue, .yaml, .yml, .json or Go sources found in %s", strings.Join(c.paths, ", ")).
			Hint("pass the folder holding your dashboards, e.g. pyrobuild compile ./dashboards")
	}
	sortResources(out.Resources)
	world := &check.World{Resources: out.Resources, ServerDatasources: c.opts.ServerDatasources}
	world.Check(&diags)
	out.Resources = world.Resources
	if c.opts.Strict {
		for i := range diags {
			if diags[i].Severity == diag.Warning {
				diags[i].Severity = diag.Error
			}
		}
	}
	noteDependencies(diags, via)
	diags.Sort()
	diag.SetEnds(diags, sourceText(out.Sources))
	out.Diagnostics = diags
	return out
}

// noteDependencies adds to each problem found at the user's line that led
// a CUE dependency to make a value the place the dependency wrote it.
func noteDependencies(diags diag.Diagnostics, via map[diag.Pos]diag.Pos) {
	if len(via) == 0 {
		return
	}
	for i := range diags {
		if d, ok := via[diags[i].Pos]; ok && len(diags[i].Notes) == 0 {
			diags[i].Notes = append(diags[i].Notes, diag.Note{Pos: d, Message: "the value is made here, by a dependency"})
		}
	}
}

// kindOrder is the order resources are applied in: what others refer to
// comes first.
var kindOrder = map[string]int{"Project": 0, "GlobalSecret": 1, "GlobalDatasource": 2, "GlobalVariable": 3, "GlobalRole": 4, "GlobalRoleBinding": 5, "User": 6,
	"Secret": 10, "Datasource": 11, "Variable": 12, "Folder": 13, "Role": 14, "RoleBinding": 15, "Dashboard": 16, "EphemeralDashboard": 17}

func sortResources(rs []*model.Resource) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Global != b.Global {
			return a.Global
		}
		if a.Project != b.Project {
			return a.Project < b.Project
		}
		if kindOrder[a.Kind] != kindOrder[b.Kind] {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		return a.Name < b.Name
	})
}
