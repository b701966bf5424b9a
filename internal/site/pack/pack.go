// Package pack keeps a site's pages compressed in memory, as the preview
// server holds them, and serves them compressed or not without
// compressing them again.
package pack

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"sync"
)

// A Page is a laid-out page as the preview server keeps it: mostly
// compressed, since a large site's pages (each with its own copy of the
// navigation) are most of what the server holds. The live-reload script
// goes before the page's last </body> (live.Inject), so the page is split
// there: the part before is a raw deflate stream that ends on a byte
// boundary without a final block (a sync flush), the rest is kept as it
// is. A gzip response is then the header, that stream, one stored block
// with the script and the rest, and the trailer: serving compresses
// nothing, and the script's build tag can change with every build.
type Page struct {
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

// A Packer compresses pages for one build, with one compressor (0.8 MB)
// made when first needed and dropped with the build: compressing is a
// small part of laying a page out, so the workers wait little for it, and
// a compressor per worker (or a sync.Pool, which loses them at every
// collection of a large build) would cost more memory than waiting saves.
type Packer struct {
	free chan *packBuf
	once sync.Once
}

type packBuf struct {
	w   *flate.Writer
	buf bytes.Buffer
}

// NewPacker returns a Packer for one build.
func NewPacker() *Packer {
	return &Packer{free: make(chan *packBuf, 1)}
}

func (pk *Packer) get() *packBuf {
	pk.once.Do(func() {
		pb := &packBuf{}
		pb.w, _ = flate.NewWriter(nil, packLevel)
		pk.free <- pb
	})
	return <-pk.free
}

func (pk *Packer) put(pb *packBuf) { pk.free <- pb }

// deflate compresses data on its own: into a complete stream when final,
// else into one that ends with a sync flush, to be continued. The result
// is a copy of its exact size.
func (pk *Packer) deflate(data []byte, final bool) []byte {
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

// Page compresses a laid-out page.
func (pk *Packer) Page(page []byte) *Page {
	cut := bytes.LastIndex(page, []byte("</body>"))
	if cut < 0 {
		cut = len(page)
	}
	p := &Page{
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

// HTML is a page's rendered markdown, compressed, from the first
// pass of a lean build to its layout.
type HTML struct {
	z []byte // a complete deflate stream
	n int    // the HTML's length
}

// HTML compresses a page's rendered markdown.
func (pk *Packer) HTML(html []byte) *HTML {
	return &HTML{z: pk.deflate(html, true), n: len(html)}
}

// Unpack returns the HTML.
func (h *HTML) Unpack() ([]byte, error) {
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

// Bytes returns the page as it was laid out, with tail in place of its own
// (the server passes the tail with the reload script injected).
func (p *Page) Bytes(tail []byte) []byte {
	head, err := inflateN(append(p.head[:len(p.head):len(p.head)], endOfStream...), p.size-len(p.tail))
	if err != nil {
		// Only a bug can damage a page packed in memory.
		panic(fmt.Sprintf("pack: unpacking a page: %v", err))
	}
	return append(head, tail...)
}

// Gzip returns the page as a gzip stream, with tail in place of its own.
func (p *Page) Gzip(tail []byte) []byte {
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

// Tail is the end of the page, from its last </body>: where the preview
// server injects its script.
func (p *Page) Tail() []byte { return p.tail }

// Sum stands for the page's content.
func (p *Page) Sum() [32]byte { return p.sum }

// Content stands for the page's content without its assets' versions
// (?v= and ten hex digits, as the theme writes them): a page whose only
// change is a stylesheet's version has the same Content.
func (p *Page) Content() [32]byte { return p.content }
