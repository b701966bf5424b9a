package site

import (
	"context"
	"crypto/sha256"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/outdir"
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

// diskSink writes the outputs into t, the tree that replaces the output
// folder; Site.Files names them, without their content. With a
// page cache, a page whose layout would read what the last build's did
// keeps the file that build wrote.
type diskSink struct {
	memorySink
	ctx context.Context
	b   *Builder
	t   *outdir.Tree
	pc  *pagecache.Cache
	// siteKey stands for what every page's layout reads (see layoutKey).
	siteKey [32]byte
	// The folders of the pages, made while they are read and rendered:
	// making a folder per page is much of the cost of writing a site
	// whose pages are cached. earlyOuts are their pages' files; wait
	// waits until they are made.
	earlyOuts []string
	wait      func() error

	errMu    sync.Mutex
	firstErr error
}

func newDiskSink(ctx context.Context, b *Builder, t *outdir.Tree, pc *pagecache.Cache) *diskSink {
	return &diskSink{memorySink: memorySink{s: newSite()}, ctx: ctx, b: b, t: t, pc: pc, wait: func() error { return nil }}
}

func (d *diskSink) writes() bool { return true }

func (d *diskSink) early(outs []string) {
	d.earlyOuts = outs
	done := make(chan error, 1)
	go func() { done <- d.t.Dirs(outs) }()
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
	d.t.RemoveEmpty(unused)
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
	return d, d.t.Dirs(names)
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
		err = d.t.WriteFile(name, data)
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

// link puts the previous output's file name in place, unchanged, when it
// holds what e stands for; false when it does not or cannot.
func (d *diskSink) link(name string, e pagecache.Output) bool {
	return d.pc.Link(d.t, name, e)
}
