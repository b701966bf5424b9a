package site

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pyrobuild/pyrobuild/internal/outdir"
)

// searchEntry is one section of one page in the client-side search index.
// Short keys keep the index small; the search script knows them.
type searchEntry struct {
	T string `json:"t"` // page title
	H string `json:"h"` // section heading
	U string `json:"u"` // URL of the section
	X string `json:"x"` // section text
}

// maxSectionText bounds each entry so the index of a large site stays a
// quick download; the start of a section is what results show anyway.
const maxSectionText = 5000

// searchFrag is the search index entries of one page, as comma-separated
// JSON objects, and their SHA-256.
type searchFrag struct {
	json []byte
	sum  [32]byte
}

// searchIndex is the fragments of search-index.json, in page order.
func (b *Builder) searchIndex(pages []*Page) []searchFrag {
	frags := make([]searchFrag, len(pages))
	for i, p := range pages {
		b.mu.Lock()
		frag, ok := b.search[p.Doc]
		b.mu.Unlock()
		if p.search != nil {
			frag, ok = *p.search, true
		}
		if !ok {
			frag = b.searchEntries(p)
			if b.track {
				b.mu.Lock()
				b.search[p.Doc] = frag
				b.mu.Unlock()
				p.Doc.Sections = nil // kept as the fragment
			}
		}
		frags[i] = frag
	}
	return frags
}

// joinSearch is search-index.json: a JSON array of every page's entries.
func joinSearch(frags []searchFrag) []byte {
	size := 3
	for _, f := range frags {
		size += len(f.json) + 1
	}
	out := make([]byte, 0, size)
	out = append(out, '[')
	first := true
	for _, frag := range frags {
		if len(frag.json) == 0 {
			continue
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		out = append(out, frag.json...)
	}
	return append(out, "]\n"...)
}

// searchDigest stands for the content of joinSearch(frags), without
// making it.
func searchDigest(frags []searchFrag) [32]byte {
	h := sha256.New()
	for _, f := range frags {
		h.Write(f.sum[:])
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// searchEntries is the index entries of one page (cached per rendered
// page).
func (b *Builder) searchEntries(p *Page) searchFrag {
	title := p.Title()
	if p.Doc.Title != "" {
		title = p.Doc.Title
	}
	u := b.link(p.URL)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, sec := range p.Doc.Sections {
		text := truncate(sec.Text, maxSectionText)
		if sec.ID == "" && strings.TrimSpace(text) == "" {
			continue
		}
		e := searchEntry{T: title, H: sec.Heading, U: u, X: text}
		if sec.ID != "" && sec.Level > 1 {
			e.U = u + "#" + sec.ID
		}
		if sec.Level <= 1 {
			e.H = title
		}
		if buf.Len() > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(e); err != nil {
			continue
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
	}
	return searchFrag{json: bytes.Clone(buf.Bytes()), sum: sha256.Sum256(buf.Bytes())} // without the buffer's spare capacity
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// sitemap lists every page with its full URL; it needs the site's host,
// so a site whose base URL is only a path has none.
func (b *Builder) sitemap(pages []*Page) []byte {
	if b.base.Host == "" {
		return nil
	}
	urls := make([]string, 0, len(pages))
	for _, p := range pages {
		urls = append(urls, b.absolute(p.URL))
	}
	sort.Strings(urls)
	var w bytes.Buffer
	w.WriteString(xml.Header)
	w.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for _, u := range urls {
		w.WriteString("  <url><loc>")
		xml.EscapeText(&w, []byte(u))
		w.WriteString("</loc></url>\n")
	}
	w.WriteString("</urlset>\n")
	return w.Bytes()
}

func (b *Builder) robots() []byte {
	s := "User-agent: *\nAllow: /\n"
	if b.base.Host != "" {
		s += "Sitemap: " + b.absolute("sitemap.xml") + "\n"
	}
	return []byte(s)
}

// writeFiles replaces dir with files, atomically. Folders are made first,
// then files are written by several goroutines: on a slow file system each
// open and write waits on the kernel, not the CPU.
func writeFiles(dir string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return outdir.Replace(dir, func(tmp string) error {
		made := map[string]bool{tmp: true}
		for _, n := range names {
			d := filepath.Dir(filepath.Join(tmp, filepath.FromSlash(n)))
			if made[d] {
				continue
			}
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
			made[d] = true
		}
		errs := make([]error, len(names))
		parallel(len(names), 8, func(i int) {
			n := names[i]
			if err := os.WriteFile(filepath.Join(tmp, filepath.FromSlash(n)), files[n], 0o644); err != nil {
				errs[i] = fmt.Errorf("writing %s: %w", n, err)
			}
		})
		return errors.Join(errs...)
	})
}

// A packedPage is a laid-out page as the preview server keeps it: mostly
// compressed, since a large site's pages (each with its own copy of the
// navigation) are most of what the server holds. The live-reload script
// goes before the page's last </body> (live.Inject), so the page is split
// there: the part before is a raw deflate stream that ends on a byte
// boundary without a final block (a sync flush), the rest is kept as it
// is. A gzip response is then the header, that stream, one stored block
// with the script and the rest, and the trailer: serving compresses
// nothing, and the script's build tag can change with every build.
type packedPage struct {
	head []byte // deflate of page[:cut], sync-flushed, not final
	tail []byte // page[cut:], from the last </body> (or empty)
	crc  uint32 // CRC-32 of page[:cut]
	size int    // len(page)
	// For the server's change detection: sum stands for the page, content
	// for the page without its assets' versions (see versionedSums).
	sum, content [32]byte
}

// packLevel trades a little size for speed: a 1,000-page site's 25 MB of
// HTML packs to about 4 MB in a quarter of a second of CPU, once; an edit
// repacks only the pages it changed. (BestSpeed is a little faster, but
// its compressor takes 1.2 MB instead of 0.8, and the server's peak
// memory came out 3 MB higher with it.)
const packLevel = 2

// A packer compresses pages for one build, with one compressor (0.8 MB)
// made when first needed and dropped with the build: compressing is a
// small part of laying a page out, so the workers wait little for it, and
// a compressor per worker (or a sync.Pool, which loses them at every
// collection of a large build) would cost more memory than waiting saves.
type packer struct {
	free chan *packBuf
	once sync.Once
}

type packBuf struct {
	w   *flate.Writer
	buf bytes.Buffer
}

func newPacker() *packer {
	return &packer{free: make(chan *packBuf, 1)}
}

func (pk *packer) get() *packBuf {
	pk.once.Do(func() {
		pb := &packBuf{}
		pb.w, _ = flate.NewWriter(nil, packLevel)
		pk.free <- pb
	})
	return <-pk.free
}

func (pk *packer) put(pb *packBuf) { pk.free <- pb }

// deflate compresses data on its own: into a complete stream when final,
// else into one that ends with a sync flush, to be continued. The result
// is a copy of its exact size.
func (pk *packer) deflate(data []byte, final bool) []byte {
	pb := pk.get()
	defer pk.put(pb)
	pb.buf.Reset()
	pb.w.Reset(&pb.buf)
	pb.w.Write(data) // into a bytes.Buffer: cannot fail
	if final {
		pb.w.Close()
	} else {
		pb.w.Flush()
	}
	return bytes.Clone(pb.buf.Bytes())
}

// pack compresses a laid-out page.
func (pk *packer) pack(page []byte) *packedPage {
	cut := bytes.LastIndex(page, []byte("</body>"))
	if cut < 0 {
		cut = len(page)
	}
	p := &packedPage{
		head: pk.deflate(page[:cut], false),
		tail: bytes.Clone(page[cut:]),
		crc:  crc32.ChecksumIEEE(page[:cut]),
		size: len(page),
	}
	p.sum, p.content = versionedSums(page)
	return p
}

// versionedSums returns a digest of a page and one of the page without the
// versions of the assets it links (?v= and ten hex digits, as theme.go
// writes them), so that the server tells a page whose only change is a
// stylesheet's version (it swaps the stylesheet) without unpacking it.
func versionedSums(page []byte) (sum, content [32]byte) {
	c, v := sha256.New(), sha256.New()
	rest, at := page, 0 // at: what c has been given
	for {
		i := bytes.Index(rest, []byte("?v="))
		if i < 0 {
			break
		}
		if j := i + 3 + 10; j <= len(rest) && isVersion(rest[i+3:j]) {
			c.Write(rest[:i])
			at += i
			v.Write(binary.LittleEndian.AppendUint64(nil, uint64(at))) // where it goes
			v.Write(rest[i+3 : j])
			rest = rest[j:]
			continue
		}
		c.Write(rest[:i+1])
		at += i + 1
		rest = rest[i+1:]
	}
	c.Write(rest)
	c.Sum(content[:0])
	all := sha256.New()
	all.Write(content[:])
	all.Write(v.Sum(nil))
	all.Sum(sum[:0])
	return sum, content
}

func isVersion(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// packedHTML is a page's rendered markdown, compressed, from the first
// pass of a lean build to its layout.
type packedHTML struct {
	z []byte // a complete deflate stream
	n int    // the HTML's length
}

func (pk *packer) packHTML(html []byte) *packedHTML {
	return &packedHTML{z: pk.deflate(html, true), n: len(html)}
}

func (h *packedHTML) unpack() ([]byte, error) {
	return inflateN(h.z, h.n)
}

// inflateN decompresses a complete deflate stream of n bytes.
func inflateN(z []byte, n int) ([]byte, error) {
	r := unpackers.Get().(io.ReadCloser)
	defer unpackers.Put(r)
	r.(flate.Resetter).Reset(bytes.NewReader(z), nil)
	out := make([]byte, n)
	if _, err := io.ReadFull(r, out); err != nil {
		return nil, err
	}
	return out, nil
}

// endOfStream is an empty final stored block: it ends a head for a reader.
var endOfStream = []byte{1, 0, 0, 0xff, 0xff}

var unpackers = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}

// page returns the page as it was laid out, with tail in place of its own
// (the server passes the tail with the reload script injected).
func (p *packedPage) page(tail []byte) []byte {
	head, err := inflateN(append(p.head[:len(p.head):len(p.head)], endOfStream...), p.size-len(p.tail))
	if err != nil {
		// Only a bug can damage a page packed in memory.
		panic(fmt.Sprintf("site: unpacking a page: %v", err))
	}
	return append(head, tail...)
}

// gzip returns the page as a gzip stream, with tail in place of its own.
func (p *packedPage) gzip(tail []byte) []byte {
	n := len(p.head) + len(tail) + 5*(len(tail)/0xffff+1)
	out := make([]byte, 0, 10+n+8)
	// Header: no name, no time (as gzip.Writer writes it with a zero
	// Header), OS unknown.
	out = append(out, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff)
	out = append(out, p.head...)
	rest := tail
	for {
		chunk := rest[:min(len(rest), 0xffff)]
		rest = rest[len(chunk):]
		final := byte(0)
		if len(rest) == 0 {
			final = 1
		}
		l := uint16(len(chunk))
		out = append(out, final, byte(l), byte(l>>8), ^byte(l), ^byte(l>>8))
		out = append(out, chunk...)
		if final == 1 {
			break
		}
	}
	crc := crc32.Update(p.crc, crc32.IEEETable, tail)
	size := uint32(p.size - len(p.tail) + len(tail))
	return binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(out, crc), size)
}
