package site

import (
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/site/pagecache"
)

// A sink takes a build's outputs: it keeps them in memory (Build), keeps
// them compressed for the preview server (BuildPacked), or writes them
// into a new output folder (Write). page is called from several
// goroutines; the other methods from the build's own.
type sink interface {
	// site is the Site the sink fills in.
	site() *Site
	// writes reports whether outputs leave memory as they are made: the
	// build then renders in two passes and drops what it has laid out.
	writes() bool
	// early is told the output file of every page found, before any is
	// read; settle, once they are rendered, which of them are published.
	early(outs []string)
	settle(published map[string]bool) error
	// begin is called before the pages are laid out, and returns the sink
	// that takes them: a build with errors (failed) is not written out.
	begin(th *theme, nav []*navNode, pages []*Page, failed bool) (sink, error)
	// page takes one page, laid out by lay (packed or not, as the sink
	// asks) unless the sink has it already; the error is lay's.
	page(p *Page, prev, next *navNode, lay func(packed bool) (layoutEntry, error)) error
	// file takes one of the other outputs; search, the search index.
	file(name string, data []byte)
	search(frags []searchFrag)
	// err is the first error in writing an output.
	err() error
}

// memorySink keeps every output in Site.Files.
type memorySink struct {
	mu sync.Mutex // guards s.Files and s.packed
	s  *Site
}

func (m *memorySink) site() *Site                  { return m.s }
func (m *memorySink) writes() bool                 { return false }
func (m *memorySink) early([]string)               {}
func (m *memorySink) settle(map[string]bool) error { return nil }
func (m *memorySink) err() error                   { return nil }

func (m *memorySink) begin(*theme, []*navNode, []*Page, bool) (sink, error) { return m, nil }

func (m *memorySink) search(frags []searchFrag) { m.file(searchIndexFile, joinSearch(frags)) }

func (m *memorySink) page(p *Page, _, _ *navNode, lay func(bool) (layoutEntry, error)) error {
	e, err := lay(false)
	if err != nil {
		return err
	}
	m.file(p.Out, e.out)
	return nil
}

func (m *memorySink) file(name string, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.s.Files[name] = data
}

// packedSink keeps the pages compressed, outside Site.Files, and the
// search index as the pages' fragments (which the builder keeps anyway),
// joined when it is asked for: the preview server's builds.
type packedSink struct{ memorySink }

func (k *packedSink) begin(*theme, []*navNode, []*Page, bool) (sink, error) { return k, nil }

func (k *packedSink) page(p *Page, _, _ *navNode, lay func(bool) (layoutEntry, error)) error {
	e, err := lay(true)
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.s.packed[p.Out] = e.packed
	return nil
}

func (k *packedSink) search(frags []searchFrag) {
	k.s.search, k.s.searchSum = frags, searchDigest(frags)
}

// diskSink writes the outputs into tmp, the folder that replaces the
// output folder; Site.Files names them, without their content. With a
// page cache, a page whose layout would read what the last build's did
// keeps the file that build wrote.
type diskSink struct {
	memorySink
	ctx context.Context
	b   *Builder
	tmp string
	pc  *pagecache.Cache
	// siteKey stands for what every page's layout reads (see layoutKey).
	siteKey [32]byte
	made    sync.Map // folders of tmp known to exist
	// The folders of the pages, made while they are read and rendered:
	// making a folder per page is much of the cost of writing a site
	// whose pages are cached. earlyOuts are their pages' files; wait
	// waits until they are made.
	earlyOuts []string
	wait      func() error

	errMu    sync.Mutex
	firstErr error
}

func newDiskSink(ctx context.Context, b *Builder, tmp string, pc *pagecache.Cache) *diskSink {
	d := &diskSink{memorySink: memorySink{s: newSite()}, ctx: ctx, b: b, tmp: tmp, pc: pc, wait: func() error { return nil }}
	d.made.Store(tmp, true)
	return d
}

func (d *diskSink) writes() bool { return true }

func (d *diskSink) early(outs []string) {
	d.earlyOuts = outs
	done := make(chan error, 1)
	go func() { done <- d.dirs(outs) }()
	d.wait = sync.OnceValue(func() error { return <-done })
}

// settle removes the folders made early for pages that are not published
// (a draft, say), when they stayed empty.
func (d *diskSink) settle(published map[string]bool) error {
	if err := d.wait(); err != nil {
		return err
	}
	var unused []string
	for _, n := range d.earlyOuts {
		if !published[n] {
			unused = append(unused, n)
		}
	}
	dirs := foldersOf(unused)
	// Deepest first; a folder that holds anything stays.
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, dir := range dirs {
		p := filepath.Join(d.tmp, filepath.FromSlash(dir))
		if os.Remove(p) == nil {
			d.made.Delete(p)
		}
	}
	return nil
}

func (d *diskSink) begin(th *theme, nav []*navNode, pages []*Page, failed bool) (sink, error) {
	if failed {
		// Not published: kept, as Build keeps them.
		return &d.memorySink, nil
	}
	if d.pc != nil {
		d.pc.Wait()
		d.siteKey = d.b.siteKey(d.pc, th, nav)
	}
	names := make([]string, len(pages))
	for i, p := range pages {
		names[i] = p.Out
	}
	return d, d.dirs(names)
}

func (d *diskSink) page(p *Page, prev, next *navNode, lay func(bool) (layoutEntry, error)) error {
	var lk [32]byte
	if d.pc != nil && p.keyed {
		lk = layoutKey(d.siteKey, p.renderKey, p, prev, next)
		if e, ok := d.pc.Reusable(p.Out, lk); ok && d.link(p.Out, e) {
			d.pc.PutOutput(p.Out, e)
			d.memorySink.file(p.Out, nil) // in place, not kept
			p.src, p.Doc.HTML, p.html = nil, nil, nil
			return nil
		}
	}
	e, err := lay(false)
	if err != nil {
		return err
	}
	if d.pc != nil && p.keyed && e.out != nil {
		d.pc.PutOutput(p.Out, pagecache.Output{Key: lk, Sum: sha256.Sum256(e.out), Size: int64(len(e.out))})
	}
	d.file(p.Out, e.out)
	return nil
}

// file writes an output, unless the build has errors by now (a template
// that failed on a page): the site will not be published, and its files
// are kept as Build keeps them.
func (d *diskSink) file(name string, data []byte) {
	if d.s.Diagnostics.HasErrors() {
		d.memorySink.file(name, data)
		return
	}
	d.memorySink.file(name, nil) // written, not kept
	err := d.ctx.Err()
	if err == nil {
		err = d.write(name, data)
	}
	if err != nil {
		d.errMu.Lock()
		if d.firstErr == nil {
			d.firstErr = err
		}
		d.errMu.Unlock()
	}
}

func (d *diskSink) search(frags []searchFrag) { d.file(searchIndexFile, joinSearch(frags)) }

func (d *diskSink) err() error {
	d.errMu.Lock()
	defer d.errMu.Unlock()
	return d.firstErr
}

func (d *diskSink) write(name string, data []byte) error {
	p, err := d.parent(name)
	if err != nil {
		return err
	}
	return writeNew(p, data)
}

// link puts the previous output's file name in place, unchanged, when it
// holds what e stands for; false when it does not or cannot.
func (d *diskSink) link(name string, e pagecache.Output) bool {
	if _, err := d.parent(name); err != nil {
		return false
	}
	return d.pc.Link(d.tmp, name, e)
}

// parent makes the folder of an output file, and returns the file's path.
func (d *diskSink) parent(name string) (string, error) {
	p := filepath.Join(d.tmp, filepath.FromSlash(name))
	dir := filepath.Dir(p)
	if _, ok := d.made.Load(dir); !ok {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		d.made.Store(dir, true)
	}
	return p, nil
}

// dirs makes the folders of these output files. A page is a folder:
// making them in order, each after its parent, takes one call each
// instead of MkdirAll's three.
func (d *diskSink) dirs(names []string) error {
	dirs := foldersOf(names)
	sort.Strings(dirs)
	for _, dir := range dirs {
		p := filepath.Join(d.tmp, filepath.FromSlash(dir))
		if _, ok := d.made.Load(p); ok {
			continue
		}
		if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		d.made.Store(p, true)
	}
	return nil
}

// writeNew writes a file of the new output folder. It never writes into
// a file already there, which may be a hard link to the previous output's
// (a page the page cache kept): that one is replaced.
func writeNew(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		if fi, lerr := os.Lstat(p); lerr == nil && !fi.IsDir() && os.Remove(p) == nil {
			f, err = os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		}
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// foldersOf lists, once each, the folders that hold the slash-separated
// paths names, and their parents.
func foldersOf(names []string) []string {
	var dirs []string
	seen := map[string]bool{".": true}
	for _, n := range names {
		for dir := path.Dir(n); !seen[dir]; dir = path.Dir(dir) {
			seen[dir] = true
			dirs = append(dirs, dir)
		}
	}
	return dirs
}
