// Package compiler turns Perses dashboard sources (CUE, YAML, JSON) into
// validated, Perses-ready resources: load → validate and lower → emit.
package compiler

import (
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
	// GoCache is the folder of compiled Go programs (default GoCacheDir()).
	GoCache string
	// CUETimeout bounds the evaluation of each CUE package (default
	// $PYROBUILD_CUE_TIMEOUT, else DefaultCUETimeout).
	CUETimeout time.Duration
	// Cache, when set, keeps loaded units for the next compilation of the
	// same sources, which then loads only the units whose files changed.
	Cache *Cache
	// UnitStore, when set, is a folder that keeps evaluated CUE packages
	// between runs (UnitStoreDir() is the usual one), so a compilation
	// evaluates only the packages whose files changed since one was stored.
	UnitStore string
	// Pack keeps compiled dashboards encoded, not as trees, from the moment
	// each is validated, when there are a thousand sources or more: a
	// repository of thousands then fits in a fraction of the memory. Their
	// Node is nil; Tree decodes one when asked.
	Pack bool
}

// Resource is one compiled resource in wire form.
type Resource struct {
	Kind    string
	Project string // "" for global resources
	Name    string
	Global  bool
	// Node is the resource; nil when Options.Pack packed it (use Tree).
	Node *Node
	Pos  Pos // where its source starts

	packed *packed
}

// Tree returns the resource's node tree: Node, or a new tree decoded from
// its packed form.
func (r *Resource) Tree() *Node {
	if r.Node != nil || r.packed == nil {
		return r.Node
	}
	return r.packed.unpack()
}

// ID is the resource's identity as the Perses API sees it.
func (r *Resource) ID() string {
	if r.Global {
		return r.Kind + "/" + r.Name
	}
	return r.Kind + "/" + r.Project + "/" + r.Name
}

// Result is the outcome of a compilation.
type Result struct {
	Resources   []*Resource
	Diagnostics Diagnostics
	Sources     map[string]*Source
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
func Compile(opts Options) (*Result, error) {
	// The schema is built once per process; the first compilation builds it
	// while it walks the folders.
	schemaReady := make(chan struct{})
	go func() {
		LoadSchema()
		close(schemaReady)
	}()
	paths := opts.Paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	units, diags := discover(paths, opts.Skip)
	rep := diag.NewReporter(&diags)
	<-schemaReady
	s, err := LoadSchema()
	if err != nil {
		return nil, err
	}
	var sources sourceSet
	var goL *goLoader
	for _, u := range units {
		if u.kind == "go" && goL == nil {
			goL = newGoLoader(opts)
			if goL.goCmd == "" {
				diags = append(diags, missingToolchain(u))
			}
			goL.prepare(units, &sources, workers)
		}
	}

	// Each unit is loaded and validated on its own; results are gathered by
	// index so the output order never depends on scheduling.
	type unitResult struct {
		res   []*Resource
		diags Diagnostics
	}
	results := make([]unitResult, len(units))
	packing := opts.Pack && len(units) >= packUnits
	var wg sync.WaitGroup
	next := make(chan int)
	cueLimit := cueTimeout(opts)
	var outOfMemory atomic.Bool
	cache := opts.Cache
	if cache != nil {
		cache.begin()
	}
	store := openUnitStore(opts.UnitStore)
	var stored atomic.Int64
	var open atomic.Bool
	for w := 0; w < min(workers, max(len(units), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			env := &cueEnv{}
			var runner *cueRunner
			defer func() {
				if runner != nil {
					runner.close()
				}
			}()
			for i := range next {
				if outOfMemory.Load() {
					continue // the compilation failed; finish before memory runs out
				}
				u := units[i]
				var raws []rawResource
				var ds Diagnostics
				hit, abandoned := false, false
				var closed atomic.Bool // written by a CUE evaluation that may be abandoned
				// A unit looked up in a cache is read first, and loaded
				// from those bytes: its key is what the load parsed.
				var sum [32]byte
				summed := false
				useStore := store != nil && u.kind == "cue"
				if (cache != nil && cacheable(u)) || useStore {
					sum, summed = readUnit(&u)
				}
				if summed && cache != nil {
					raws, ds, hit = cache.get(u, sum, &sources)
				}
				// A stored unit was validated when it was stored: its entry
				// holds the resources in wire form and every diagnostic.
				var res []*Resource
				if summed && useStore && !hit {
					if res, ds, hit = store.get(u, sum, &sources); hit {
						stored.Add(1)
					}
				}
				switch {
				case hit:
				case u.kind == "go":
					raws, ds = goL.load(u)
				case u.kind == "cue":
					if runner == nil {
						runner = newCUERunner()
					}
					e := env
					var memory bool
					raws, ds, abandoned, memory = runner.load(u, cueLimit, func() ([]rawResource, Diagnostics) {
						r, d, c := loadUnit(u, &sources, e)
						closed.Store(c)
						return r, d
					})
					if abandoned {
						runner, env = nil, &cueEnv{} // the old ones are still in use
					}
					if memory {
						outOfMemory.Store(true)
					}
				default:
					var c bool
					raws, ds, c = loadUnit(u, &sources, env)
					closed.Store(c)
				}
				if u.kind == "go" || (!hit && (abandoned || !closed.Load())) {
					open.Store(true) // its output may depend on files beyond its sources
				}
				keep := summed && !hit && !abandoned && closed.Load()
				if keep && cache != nil {
					cache.put(u, sum, raws, ds)
				}
				for _, raw := range raws {
					if r := s.checkResource(raw, &ds); r != nil {
						res = append(res, r)
					}
				}
				if keep && useStore {
					store.put(sum, res, ds)
				}
				if packing {
					for _, r := range res {
						if r.Kind == "Dashboard" {
							if p, err := pack(r.Node); err == nil {
								r.Node, r.packed = nil, p
							}
						}
					}
				}
				results[i] = unitResult{res, ds}
			}
		}()
	}
	for i := range units {
		next <- i
	}
	close(next)
	wg.Wait()

	// A copy: an abandoned CUE evaluation may still add to the set.
	out := &Result{Units: len(units), Sources: sources.snapshot(), hermetic: !open.Load()}
	if cache != nil {
		cache.end()
		out.Reused = cache.hits
	}
	if store != nil {
		out.Stored = int(stored.Load())
		store.trim()
	}
	if goL != nil {
		out.GoBuilds = int(goL.builds.Load())
		for f := range goL.inputs {
			out.Inputs = append(out.Inputs, f)
		}
		slices.Sort(out.Inputs)
		if out.GoBuilds > 0 {
			goL.trimCache()
		}
	}
	for _, r := range results {
		out.Resources = append(out.Resources, r.res...)
		diags = append(diags, r.diags...)
	}
	if len(units) == 0 && len(diags) == 0 {
		rep.Errorf(CodeNoSources, Pos{}, "no .cue, .yaml, .yml, .json or Go sources found in %s", strings.Join(paths, ", ")).
			Hint("pass the folder holding your dashboards, e.g. pyrobuild compile ./dashboards")
	}
	sortResources(out.Resources)
	world := &World{Resources: out.Resources, ServerDatasources: opts.ServerDatasources}
	world.check(&diags)
	out.Resources = world.Resources
	if opts.Strict {
		for i := range diags {
			if diags[i].Severity == Warning {
				diags[i].Severity = Error
			}
		}
	}
	diags.Sort()
	diag.SetEnds(diags, sourceText(out.Sources))
	out.Diagnostics = diags
	return out, nil
}

// checkResource validates one resource and returns its wire form, or nil
// when it is too broken to identify.
func (s *Schema) checkResource(raw rawResource, diags *Diagnostics) *Resource {
	n := raw.node
	v := &validator{s: s, rep: diag.NewReporter(diags)}
	kn := n.Get("kind")
	kind, ok := n.Str("kind")
	if !ok {
		v.rep.Errorf(CodeWrongType, where(kn, n.Pos), "kind must be a string").
			Path(pathString([]string{"kind"}))
		return nil
	}
	rs := s.Resources[kind]
	if rs == nil {
		for k, r := range s.Resources {
			if strings.EqualFold(k, kind) {
				v.rep.Warnf(CodeKindSpelling, where(kn, n.Pos), "kind %q is written %q by Perses", kind, k).
					Path(pathString([]string{"kind"})).
					Hint("pyrobuild writes the canonical spelling")
				rs = r
				n.Set("kind", NewString(k, kn))
				break
			}
		}
	}
	if rs == nil {
		var kinds []string
		for k := range s.Resources {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		hint := didYouMean(kind, kinds)
		if hint == "" {
			hint = "pyrobuild compiles Project, Datasource, GlobalDatasource, Secret, GlobalSecret and Dashboard resources"
		}
		v.rep.Errorf(CodeUnknownKind, where(kn, n.Pos), "unknown resource kind %q", kind).
			Path(pathString([]string{"kind"})).
			Hint(hint)
		return nil
	}
	meta := n.Get("metadata")
	if rs.Global && meta != nil {
		if p := meta.Get("project"); p != nil {
			v.rep.Errorf(CodeScope, where(&Node{Pos: p.KeyPos}, where(p, n.Pos)), "%s is a global kind: it has no project", rs.Kind).
				Path(pathString([]string{"metadata", "project"})).
				Hint("remove metadata.project, or use the project-scoped kind")
			meta.Delete("project")
		}
	}
	var wire *Node
	if rs.Type != nil {
		wire = v.walk(rs.Type, n, nil, n.Pos)
	} else {
		// Pass-through kinds: the envelope is checked, the spec is kept.
		mt := s.ProjectMeta
		if rs.Global {
			mt = s.GlobalMeta
		}
		wire = NewMap(n)
		wire.Set("kind", n.Get("kind"))
		if meta == nil {
			v.rep.Report(Error, CodeMissingField, n.Pos, `missing required field "metadata" in the resource`).
				Path(pathString([]string{"metadata"}))
		} else {
			wire.Set("metadata", v.walk(mt, meta, []string{"metadata"}, n.Pos))
		}
		if spec := n.Get("spec"); spec != nil {
			wire.Set("spec", spec)
		} else {
			v.rep.Report(Error, CodeMissingField, n.Pos, `missing required field "spec" in the resource`).
				Path(pathString([]string{"spec"}))
		}
		v.rep.Infof(CodeUncheckedPlugin, where(kn, n.Pos), "%s resources are passed through: their spec is not validated", rs.Kind).
			Path(pathString([]string{"kind"}))
	}
	md := wire.Get("metadata")
	name, _ := md.Str("name")
	project, _ := md.Str("project")
	if name == "" || (!rs.Global && project == "") {
		return nil // reported as a missing field
	}
	return &Resource{Kind: rs.Kind, Name: name, Project: project, Global: rs.Global, Node: wire, Pos: n.Pos}
}

// kindOrder is the order resources are applied in: what others refer to
// comes first.
var kindOrder = map[string]int{"Project": 0, "GlobalSecret": 1, "GlobalDatasource": 2, "GlobalVariable": 3, "GlobalRole": 4, "GlobalRoleBinding": 5, "User": 6,
	"Secret": 10, "Datasource": 11, "Variable": 12, "Folder": 13, "Role": 14, "RoleBinding": 15, "Dashboard": 16, "EphemeralDashboard": 17}

func sortResources(rs []*Resource) {
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

// parallel calls f(0) … f(n-1) on GOMAXPROCS goroutines; f writes its
// result by index, so nothing depends on scheduling.
func parallel(n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		})
	}
	wg.Wait()
}
