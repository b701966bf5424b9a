// Package pagecache is the docs site's page cache: what the last build
// into an output folder rendered and wrote, so that the next one skips the
// pages that did not change.
package pagecache

import (
	"bufio"
	"bytes"
	"crypto/sha256"
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

	"github.com/pyrobuild/pyrobuild/internal/cache"
	"github.com/pyrobuild/pyrobuild/internal/outdir"
	"github.com/pyrobuild/pyrobuild/internal/site/markdown"
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

// version names the format of the saved cache and what the keys
// hash; any change to either must change it.
const version = "pyrobuild-pages-2"

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

// An Output is a page written into an output folder: its layout key
// (what its layout read), and its file's SHA-256 and size.
type Output struct {
	Key, Sum [32]byte
	Size     int64
}

// A Cache is the page cache of one build into an output folder: what the last build left, and
// what this one makes, saved for the next.
type Cache struct {
	file    string // where it is saved
	prevDir string // the output folder being replaced
	id      string // the program's, cache.Executable
	version string

	// prev is the output folder being replaced, opened as a root: no
	// file outside it is read, whatever links it holds.
	prev func() *os.Root

	renders map[[32]byte]*savedRender // the last build's
	outputs map[string]Output         // the last build's

	mu         sync.Mutex
	newRenders map[[32]byte]*savedRender
	newOutputs map[string]Output
	changed    bool // this build's cache differs from the last one's

	noLinks atomic.Bool // the file system refused a hard link: write
	reused  atomic.Int64
	loaded  chan struct{} // closed once renders and outputs are read
}

// Wait waits for the last build's cache to be read.
func (pc *Cache) Wait() { <-pc.loaded }

// ID is the identity of the program the cache is for.
func (pc *Cache) ID() string { return pc.id }

// Close closes the previous output folder, once the build is done.
func (pc *Cache) Close() {
	if r := pc.prev(); r != nil {
		r.Close()
	}
}

// File names the page cache of an output folder, in the pages folder
// of cacheDir: one per output folder, as its outputs are the previous
// output's files.
func File(cacheDir, outDir string) string {
	abs, err := filepath.Abs(outDir)
	if err != nil {
		abs = outDir
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(cacheDir, "pages", hex.EncodeToString(sum[:8])+".gob")
}

// Open loads the page cache that cacheDir keeps of the output folder dir,
// for a build by the program id (cache.Executable). A missing, damaged or
// foreign cache is an empty one.
func Open(cacheDir, dir, id string) *Cache {
	pc := &Cache{
		file:    File(cacheDir, dir),
		prevDir: dir,
		id:      id,
		version: version + " " + id,
		prev: sync.OnceValue(func() *os.Root {
			r, _ := os.OpenRoot(dir)
			return r // nil: no previous output
		}),
		renders:    map[[32]byte]*savedRender{},
		outputs:    map[string]Output{},
		newRenders: map[[32]byte]*savedRender{},
		newOutputs: map[string]Output{},
		loaded:     make(chan struct{}),
	}
	// In use: not trimmed below, nor by the next days' builds.
	cache.Touch(pc.file)
	// Read while the build reads the site's sources.
	go func() {
		defer close(pc.loaded)
		f, err := os.Open(pc.file)
		if err != nil {
			pc.changed = true
			return
		}
		defer f.Close()
		if err := pc.load(f); err != nil {
			clear(pc.renders)
			clear(pc.outputs)
			pc.changed = true
		}
	}()
	// One cache per output folder ever built into (builds into temporary
	// folders would pile them up): those unused for cache.TTL go.
	pages := filepath.Dir(pc.file)
	if cache.Daily(filepath.Join(pages, "trimmed")) {
		cache.Trim(pages, 1, cache.TTL)
	}
	return pc
}

// The saved cache is its gob stream, then the stream's SHA-256: a file
// damaged in a way that still decodes is no cache rather than wrong
// pages.

// hashingReader hashes what the decoder reads of the stream, and only
// that: it is an io.ByteReader, so gob reads it without buffering ahead.
type hashingReader struct {
	r *bufio.Reader
	h hash.Hash
}

func (r *hashingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.h.Write(p[:n])
	return n, err
}

func (r *hashingReader) ReadByte() (byte, error) {
	c, err := r.r.ReadByte()
	if err == nil {
		r.h.Write([]byte{c})
	}
	return c, err
}

func (pc *Cache) load(f io.Reader) error {
	hr := &hashingReader{r: bufio.NewReaderSize(f, 64<<10), h: sha256.New()}
	if err := pc.decode(gob.NewDecoder(hr)); err != nil {
		return err
	}
	var trailer [sha256.Size + 1]byte
	if n, _ := io.ReadFull(hr.r, trailer[:]); n != sha256.Size || !bytes.Equal(trailer[:n], hr.h.Sum(nil)) {
		return errors.New("page cache damaged")
	}
	return nil
}

func (pc *Cache) decode(dec *gob.Decoder) error {
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
		pc.outputs[o.Name] = Output{Key: o.Key, Sum: o.Sum, Size: o.Size}
	}
	return nil
}

// Render returns the saved rendering of the page with this key (its
// document, without HTML, the links of its HTML and its search entries),
// and keeps it for the next build. ok is false when there is none.
func (pc *Cache) Render(key [32]byte) (doc markdown.Document, raw []markdown.Link, search []byte, ok bool) {
	r := pc.renders[key] // read-only while pages render
	if r == nil {
		return doc, nil, nil, false
	}
	pc.mu.Lock()
	pc.newRenders[key] = r
	pc.mu.Unlock()
	return r.Doc, r.Raw, r.Search, true
}

// PutRender keeps a fresh rendering for the next build.
func (pc *Cache) PutRender(key [32]byte, doc *markdown.Document, raw []markdown.Link, search []byte) {
	d := *doc
	// What only the layout reads (a page laid out anew is rendered
	// again), and the headings, which the site does not read.
	d.HTML, d.Sections, d.Meta.Params, d.Headings = nil, nil, nil, nil
	pc.mu.Lock()
	pc.newRenders[key] = &savedRender{Key: key, Doc: d, Raw: raw, Search: search}
	pc.changed = true
	pc.mu.Unlock()
}

// PutOutput records a page written (or linked) into the new output.
func (pc *Cache) PutOutput(name string, e Output) {
	pc.mu.Lock()
	pc.newOutputs[name] = e
	if pc.outputs[name] != e {
		pc.changed = true
	}
	pc.mu.Unlock()
}

// Reusable returns the previous output's entry of a page when its layout
// key is the same.
func (pc *Cache) Reusable(name string, key [32]byte) (Output, bool) {
	e, ok := pc.outputs[name]
	return e, ok && e.Key == key && !pc.noLinks.Load()
}

// Link puts the previous output's file name into the new output tree t
// as a hard link, when it holds exactly the bytes e stands for and
// is what a fresh write would make (a regular file, the user's, with the
// permissions a new file gets). False when it does not or cannot: the
// page is then laid out and written.
//
// The old file is looked up through the previous output opened as a
// root, so links in it to elsewhere are never followed; it is opened
// without following a link nor waiting on a pipe, and must be the file
// looked up; and the link made must be that same file.
func (pc *Cache) Link(t *outdir.Tree, name string, e Output) bool {
	root := pc.prev()
	if root == nil {
		return false
	}
	rel := filepath.FromSlash(name)
	fi, err := root.Lstat(rel)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != e.Size {
		return false
	}
	if perm, ok := t.FilePerm(); !ok || fi.Mode().Perm() != perm {
		return false
	}
	if uid, ok := fileOwner(fi); ok && uid != os.Getuid() {
		return false
	}
	f, err := root.OpenFile(rel, os.O_RDONLY|openOldFlags, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if ofi, err := f.Stat(); err != nil || !os.SameFile(fi, ofi) {
		return false
	}
	buf := linkBuffers.Get().(*[]byte)
	defer linkBuffers.Put(buf)
	if int64(cap(*buf)) < e.Size+1 {
		*buf = make([]byte, e.Size+1)
	}
	data := (*buf)[:e.Size+1]
	n, err := io.ReadFull(f, data)
	if n != int(e.Size) || !errors.Is(err, io.ErrUnexpectedEOF) || sha256.Sum256(data[:n]) != e.Sum {
		return false
	}
	dst, err := t.Link(filepath.Join(pc.prevDir, rel), name)
	if err != nil {
		var le *os.LinkError
		if errors.As(err, &le) && !errors.Is(err, os.ErrNotExist) && !errors.Is(err, os.ErrExist) {
			// Another device, a file system without hard links, no
			// permission: the same for every page, so write them.
			pc.noLinks.Store(true)
		}
		return false
	}
	// The path may have led to another file between the check and the
	// link (a folder of it replaced by a link): the link must be to the
	// file checked.
	if li, err := os.Lstat(dst); err != nil || !os.SameFile(fi, li) {
		os.Remove(dst)
		return false
	}
	pc.reused.Add(1)
	return true
}

var linkBuffers = sync.Pool{New: func() any { return new([]byte) }}

// Save writes the cache for the next build, atomically, when it changed.
func (pc *Cache) Save() error {
	pc.Wait()
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
	return cache.Write(pc.file, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		h := sha256.New()
		enc := gob.NewEncoder(io.MultiWriter(bw, h))
		err := enc.Encode(savedPages{Version: pc.version, Renders: len(renders), Outputs: len(names)})
		for _, r := range renders {
			if err == nil {
				err = enc.Encode(r)
			}
		}
		for _, name := range names {
			if err == nil {
				e := pc.newOutputs[name]
				err = enc.Encode(savedOutput{Name: name, Key: e.Key, Sum: e.Sum, Size: e.Size})
			}
		}
		if err == nil {
			_, err = bw.Write(h.Sum(nil))
		}
		if err == nil {
			err = bw.Flush()
		}
		return err
	})
}

// A Key hashes the fields of a cache key, each with its length, so that
// no two lists of fields hash alike.
type Key struct{ h hash.Hash }

// NewKey starts a key of a kind, for the program id (cache.Executable).
func NewKey(id, kind string) Key {
	k := Key{sha256.New()}
	k.Str(version)
	k.Str(id)
	k.Str(kind)
	return k
}

// Bytes adds a field.
func (k Key) Bytes(b []byte) {
	var n [binary.MaxVarintLen64]byte
	k.h.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))])
	k.h.Write(b)
}

// Str adds a field.
func (k Key) Str(s string) { k.Bytes([]byte(s)) }

// Strs adds a list of fields.
func (k Key) Strs(ss ...string) {
	k.Str(fmt.Sprint(len(ss)))
	for _, s := range ss {
		k.Str(s)
	}
}

// Bool adds a field.
func (k Key) Bool(v bool) { k.Str(fmt.Sprint(v)) }

// Sum returns the key.
func (k Key) Sum() (s [32]byte) {
	k.h.Sum(s[:0])
	return s
}
