package site

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/pyrobuild/pyrobuild/site/markdown"
)

// The page cache lets `pyrobuild build` skip the work of pages that did
// not change since the last build into the same output folder. It keeps,
// in the cache folder, two things per page:
//
//   - what rendering its markdown found (title, headings, links, ids,
//     examples, search entries), under a key that hashes everything the
//     rendering reads: the page's source and path, the base path, and the
//     binary (its code, templates and libraries);
//   - the key and SHA-256 of the file its layout wrote, where the key adds
//     everything the layout reads: the theme (every layout and every
//     asset's version), the navigation, the page's neighbours and the
//     site's settings.
//
// A page whose layout key is the last build's is not rendered nor laid
// out: its file in the previous output is hard-linked into the new one,
// once its bytes are checked against the SHA-256 (a file edited by hand
// in the output is laid out again). Anything else, or any error, lays the
// page out as a build without the cache does, so the cache can make a
// build faster but never its output different.

// pageCacheVersion names the format of the saved cache and what the keys
// hash; any change to either must change it.
const pageCacheVersion = "pyrobuild-pages-1"

// binaryIdentity stands for the running program: a change to any of its
// code, templates or dependencies changes it. Empty when it cannot be
// known, and then no page cache is used.
var binaryIdentity = sync.OnceValue(readBinaryIdentity)

// readBinaryIdentity returns the Go build ID of the running executable,
// which the go command derives from every input of the build: on ELF
// systems from its note section, elsewhere from the text the linker
// writes at the start of the program (\xff Go build ID: "…"). Failing
// both, the executable's SHA-256.
func readBinaryIdentity() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	if ef, err := elf.NewFile(f); err == nil {
		if sec := ef.Section(".note.go.buildid"); sec != nil {
			// namesz, descsz, type, "Go\x00\x00", then the ID.
			if note, err := sec.Data(); err == nil && len(note) > 16 && string(note[12:16]) == "Go\x00\x00" {
				if n := int(ef.ByteOrder.Uint32(note[4:8])); n > 0 && 16+n <= len(note) {
					return "go " + string(note[16:16+n])
				}
			}
		}
	}
	head := make([]byte, 64<<10)
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	const marker = "\xff Go build ID: \""
	if i := bytes.Index(head, []byte(marker)); i >= 0 {
		id := head[i+len(marker):]
		if end := bytes.IndexByte(id, '"'); end > 0 && end < 200 {
			return "go " + string(id[:end])
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return ""
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return "sha256 " + hex.EncodeToString(h.Sum(nil))
}

// savedPages heads the page cache of one output folder, as saved; its
// renders and outputs follow, one gob value each, so that neither saving
// nor loading holds the whole encoding in memory.
type savedPages struct {
	Version          string
	Renders, Outputs int
}

// savedRender is what rendering one page found, without its HTML (the
// page is rendered again when it must be laid out anew). Front matter
// params are left out for the same reason: only the layout reads them;
// so are the headings (the site reads TOC and IDs) and the sections (the
// search entries are kept instead).
type savedRender struct {
	Key    [32]byte
	Doc    markdown.Document
	Raw    []markdown.Link
	Search []byte
}

// savedOutput is one laid-out page of the output folder.
type savedOutput struct {
	Name string   // output path, slash-separated
	Key  [32]byte // its layout key
	Sum  [32]byte // SHA-256 of the file
	Size int64
}

type outputEntry struct {
	key, sum [32]byte
	size     int64
}

// pageCache is the page cache of one Write: what the last build left, and
// what this one makes, saved for the next.
type pageCache struct {
	file    string // where it is saved
	prevDir string // the output folder being replaced
	version string

	renders map[[32]byte]*savedRender // the last build's
	outputs map[string]outputEntry    // the last build's

	mu         sync.Mutex
	newRenders map[[32]byte]*savedRender
	newOutputs map[string]outputEntry
	changed    bool // this build's cache differs from the last one's

	noLinks atomic.Bool // the file system refused a hard link: write
	reused  atomic.Int64
	loaded  chan struct{} // closed once renders and outputs are read
}

// wait waits for the last build's cache to be read.
func (pc *pageCache) wait() { <-pc.loaded }

// pageCacheFile names the page cache of an output folder: one per
// folder, as its outputs are the previous output's files.
func pageCacheFile(cacheDir, outDir string) string {
	abs, err := filepath.Abs(outDir)
	if err != nil {
		abs = outDir
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(cacheDir, "pages-"+hex.EncodeToString(sum[:8])+".gob")
}

// openPageCache loads the page cache of the output folder dir. A missing,
// damaged or foreign cache is an empty one.
func (b *Builder) openPageCache(dir string) *pageCache {
	id := binaryIdentity()
	if b.cfg.CacheDir == "" || b.track || id == "" {
		return nil
	}
	pc := &pageCache{
		file:       pageCacheFile(b.cfg.CacheDir, dir),
		prevDir:    dir,
		version:    pageCacheVersion + " " + id,
		renders:    map[[32]byte]*savedRender{},
		outputs:    map[string]outputEntry{},
		newRenders: map[[32]byte]*savedRender{},
		newOutputs: map[string]outputEntry{},
		loaded:     make(chan struct{}),
	}
	// Read while the build reads the site's sources.
	go func() {
		defer close(pc.loaded)
		f, err := os.Open(pc.file)
		if err != nil {
			pc.changed = true
			return
		}
		defer f.Close()
		if err := pc.load(gob.NewDecoder(bufio.NewReader(f))); err != nil {
			clear(pc.renders)
			clear(pc.outputs)
			pc.changed = true
		}
	}()
	return pc
}

func (pc *pageCache) load(dec *gob.Decoder) error {
	var in savedPages
	if err := dec.Decode(&in); err != nil {
		return err
	}
	if in.Version != pc.version {
		return errors.New("page cache of another version")
	}
	for range in.Renders {
		r := new(savedRender)
		if err := dec.Decode(r); err != nil {
			return err
		}
		pc.renders[r.Key] = r
	}
	for range in.Outputs {
		var o savedOutput
		if err := dec.Decode(&o); err != nil {
			return err
		}
		pc.outputs[o.Name] = outputEntry{key: o.Key, sum: o.Sum, size: o.Size}
	}
	return nil
}

// render returns the saved rendering of the page with this key, and
// keeps it for the next build.
func (pc *pageCache) render(key [32]byte) *savedRender {
	r := pc.renders[key] // read-only while pages render
	if r != nil {
		pc.mu.Lock()
		pc.newRenders[key] = r
		pc.mu.Unlock()
	}
	return r
}

// putRender keeps a fresh rendering for the next build.
func (pc *pageCache) putRender(key [32]byte, doc *markdown.Document, raw []markdown.Link, search []byte) {
	d := *doc
	// What only the layout reads (a page laid out anew is rendered
	// again), and the headings, which the site does not read.
	d.HTML, d.Sections, d.Meta.Params, d.Headings = nil, nil, nil, nil
	pc.mu.Lock()
	pc.newRenders[key] = &savedRender{Key: key, Doc: d, Raw: raw, Search: search}
	pc.changed = true
	pc.mu.Unlock()
}

// putOutput records a page written (or linked) into the new output.
func (pc *pageCache) putOutput(name string, e outputEntry) {
	pc.mu.Lock()
	pc.newOutputs[name] = e
	if pc.outputs[name] != e {
		pc.changed = true
	}
	pc.mu.Unlock()
}

// reusable returns the previous output's entry of a page when its layout
// key is the same.
func (pc *pageCache) reusable(name string, key [32]byte) (outputEntry, bool) {
	e, ok := pc.outputs[name]
	return e, ok && e.key == key && !pc.noLinks.Load()
}

// link puts the previous output's file name into the new output folder
// tmp as a hard link, when it holds exactly the bytes e stands for. False
// when it does not or cannot: the page is then laid out and written.
func (pc *pageCache) link(tmp, name string, e outputEntry) bool {
	old := filepath.Join(pc.prevDir, filepath.FromSlash(name))
	f, err := os.Open(old)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != e.size {
		return false
	}
	buf := linkBuffers.Get().(*[]byte)
	defer linkBuffers.Put(buf)
	if int64(cap(*buf)) < e.size+1 {
		*buf = make([]byte, e.size+1)
	}
	data := (*buf)[:e.size+1]
	n, err := io.ReadFull(f, data)
	if n != int(e.size) || !errors.Is(err, io.ErrUnexpectedEOF) || sha256.Sum256(data[:n]) != e.sum {
		return false
	}
	dst := filepath.Join(tmp, filepath.FromSlash(name))
	if err := os.Link(old, dst); err != nil {
		if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, os.ErrExist) {
			// Another device, a file system without hard links, no
			// permission: the same for every page, so write them.
			pc.noLinks.Store(true)
		}
		return false
	}
	// The name may have been given another file between the check and the
	// link: the link must be to the file checked.
	if li, err := os.Lstat(dst); err != nil || !os.SameFile(fi, li) {
		os.Remove(dst)
		return false
	}
	pc.reused.Add(1)
	return true
}

var linkBuffers = sync.Pool{New: func() any { return new([]byte) }}

// save writes the cache for the next build, atomically, when it changed.
func (pc *pageCache) save() error {
	pc.wait()
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if !pc.changed && len(pc.newOutputs) == len(pc.outputs) && len(pc.newRenders) == len(pc.renders) {
		return nil
	}
	renders := make([]*savedRender, 0, len(pc.newRenders))
	for _, r := range pc.newRenders {
		renders = append(renders, r)
	}
	sort.Slice(renders, func(i, j int) bool { return bytes.Compare(renders[i].Key[:], renders[j].Key[:]) < 0 })
	names := make([]string, 0, len(pc.newOutputs))
	for name := range pc.newOutputs {
		names = append(names, name)
	}
	sort.Strings(names)
	dir := filepath.Dir(pc.file)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".pages-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	enc := gob.NewEncoder(bw)
	err = enc.Encode(savedPages{Version: pc.version, Renders: len(renders), Outputs: len(names)})
	for _, r := range renders {
		if err == nil {
			err = enc.Encode(r)
		}
	}
	for _, name := range names {
		if err == nil {
			e := pc.newOutputs[name]
			err = enc.Encode(savedOutput{Name: name, Key: e.key, Sum: e.sum, Size: e.size})
		}
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), pc.file)
}

// keyWriter hashes the fields of a cache key, each with its length, so
// that no two lists of fields hash alike.
type keyWriter struct{ h hash.Hash }

func newKey(kind string) keyWriter {
	k := keyWriter{sha256.New()}
	k.str(pageCacheVersion)
	k.str(binaryIdentity())
	k.str(kind)
	return k
}

func (k keyWriter) bytes(b []byte) {
	var n [binary.MaxVarintLen64]byte
	k.h.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))])
	k.h.Write(b)
}

func (k keyWriter) str(s string) { k.bytes([]byte(s)) }

func (k keyWriter) strs(ss ...string) {
	k.str(fmt.Sprint(len(ss)))
	for _, s := range ss {
		k.str(s)
	}
}

func (k keyWriter) bool(v bool) { k.str(fmt.Sprint(v)) }

func (k keyWriter) sum() (s [32]byte) {
	k.h.Sum(s[:0])
	return s
}

// renderKey stands for everything rendering a page reads: its source and
// key, the file diagnostics name, and the base path its search entries
// link to.
func (b *Builder) renderKey(p *Page) [32]byte {
	k := newKey("render")
	k.strs(p.Key, p.File, b.basePath)
	k.bool(p.Generated)
	k.bytes(p.src)
	return k.sum()
}

// siteKey stands for the settings every page's layout reads.
func (b *Builder) siteKey(th *theme, nav []*navNode) [32]byte {
	c := b.cfg
	k := newKey("site")
	k.strs(c.Root, c.Content, c.Templates, c.BaseURL, b.basePath, c.Title, c.RepoURL, c.EditURL, c.SourceURL, c.Footer)
	k.strs(c.Dashboards...)
	k.strs(c.ServerDatasources...)
	k.bool(c.Drafts)
	k.bool(c.Preview)
	k.bool(c.CLIReference != nil)
	// The theme: every layout as written and every asset's version (pages
	// show assets only by their versioned links).
	names := make([]string, 0, len(th.layoutSrc))
	for n := range th.layoutSrc {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		k.str(n)
		k.bytes(th.layoutSrc[n])
	}
	names = names[:0]
	for n := range th.hashes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		k.strs(n, th.hashes[n])
	}
	// The navigation, whole: every page shows it.
	var walk func([]*navNode)
	walk = func(ns []*navNode) {
		k.str(fmt.Sprint(len(ns)))
		for _, n := range ns {
			k.strs(n.Key, n.Title, n.URL, n.First, fmt.Sprint(n.Weight))
			k.bool(n.section)
			walk(n.Children)
		}
	}
	walk(nav)
	return k.sum()
}

// layoutKey stands for everything laying a page out reads: the site's
// settings, theme and navigation (site), the page's rendering (its render
// key: its source), where it is published, and its neighbours.
func layoutKey(site, render [32]byte, p *Page, prev, next *navNode) [32]byte {
	k := newKey("layout")
	k.bytes(site[:])
	k.bytes(render[:])
	k.strs(p.Key, p.File, p.URL, p.Out)
	k.bool(p.Generated)
	for _, n := range []*navNode{prev, next} {
		if n == nil {
			k.str("none")
			continue
		}
		k.strs(n.Title, n.URL)
	}
	return k.sum()
}
