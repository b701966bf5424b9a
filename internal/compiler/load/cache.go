package load

import (
	"crypto/sha256"
	"strings"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// Cache keeps what loading each unit (a YAML or JSON file, a CUE package)
// gave, keyed by the unit's files and their contents, so a compilation
// that runs again after an edit (serve, compile --watch) only loads the
// units whose files changed. Validation, lowering and the checks across
// resources run every time: they are cheap, and the checks depend on all
// units. A Cache may be shared by compilations run one after the other.
//
// Units whose result depends on more than their own files (a CUE package
// importing the user's own packages, a Go program) are loaded every time.
type Cache struct {
	mu    sync.Mutex
	units map[string]*cachedUnit
	seen  map[string]bool // keys used by the compilation in progress
	hits  int
}

type cachedUnit struct {
	sum     [sha256.Size]byte
	raws    []Raw // pristine: cloned before every use
	diags   diag.Diagnostics
	sources []*model.Source
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{units: map[string]*cachedUnit{}}
}

// Cacheable reports whether a unit's kind can be cached at all.
func Cacheable(u Unit) bool {
	return u.kind == "yaml" || u.kind == "json" || u.kind == "cue"
}

func unitKey(u Unit) string {
	return u.kind + "\x00" + strings.Join(u.files, "\x00")
}

// ReadUnit reads the unit's files into u.read, within the same limits as
// a load, and hashes them; ok is false when one cannot be read (the load
// then reads again and reports why).
func ReadUnit(u *Unit) (sum [sha256.Size]byte, ok bool) {
	srcs := make([]*model.Source, len(u.files))
	data := make([][]byte, len(u.files))
	for i, f := range u.files {
		src, d := readSource(f)
		if d != nil {
			return sum, false
		}
		srcs[i], data[i] = src, src.Data
	}
	u.read = srcs
	return filesSum(u.files, data), true
}

func filesSum(files []string, data [][]byte) (sum [sha256.Size]byte) {
	h := sha256.New()
	for i, f := range files {
		h.Write([]byte(f))
		h.Write([]byte{0})
		h.Write(data[i])
		h.Write([]byte{0})
	}
	copy(sum[:], h.Sum(nil))
	return sum
}

// Begin starts a compilation: entries it does not use are dropped at end.
func (c *Cache) Begin() {
	c.mu.Lock()
	c.seen = map[string]bool{}
	c.hits = 0
	c.mu.Unlock()
}

// Get returns a copy of what loading u gave last time, if its files are
// unchanged, and adds the unit's sources to sources.
func (c *Cache) Get(u Unit, sum [sha256.Size]byte, sources *Sources) ([]Raw, diag.Diagnostics, bool) {
	key := unitKey(u)
	c.mu.Lock()
	c.seen[key] = true
	e := c.units[key]
	if e == nil || e.sum != sum {
		c.mu.Unlock()
		return nil, nil, false
	}
	c.hits++
	c.mu.Unlock()
	for _, src := range e.sources {
		sources.Add(src)
	}
	return cloneRaws(e.raws), append(diag.Diagnostics(nil), e.diags...), true
}

// Put records what loading u (from u.read, whose hash is sum) gave,
// before validation changes the nodes.
func (c *Cache) Put(u Unit, sum [sha256.Size]byte, raws []Raw, diags diag.Diagnostics) {
	e := &cachedUnit{sum: sum, raws: cloneRaws(raws), diags: append(diag.Diagnostics(nil), diags...), sources: u.read}
	c.mu.Lock()
	c.units[unitKey(u)] = e
	c.mu.Unlock()
}

// End drops the entries of units the compilation did not have (deleted or
// renamed files), so the cache holds only the current sources.
func (c *Cache) End() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.units {
		if !c.seen[k] {
			delete(c.units, k)
		}
	}
}

func cloneRaws(raws []Raw) []Raw {
	out := make([]Raw, len(raws))
	for i, r := range raws {
		out[i] = Raw{Node: r.Node.Clone(), File: r.File}
	}
	return out
}

// Hits is how many units the compilation in progress (or the last one)
// took from the cache.
func (c *Cache) Hits() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits
}
