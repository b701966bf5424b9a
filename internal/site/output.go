package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pyrobuild/pyrobuild/internal/outdir"
	"github.com/pyrobuild/pyrobuild/internal/parallel"
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
		frag, ok := b.search.get(p.Doc)
		if p.search != nil {
			frag, ok = *p.search, true
		}
		if !ok {
			frag = b.searchEntries(p)
			if b.track {
				b.search.put(p.Doc, frag)
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
	return outdir.Replace(dir, func(t *outdir.Tree) error {
		if err := t.Dirs(names); err != nil {
			return err
		}
		errs := make([]error, len(names))
		parallel.Run(context.Background(), len(names), 8, func(i int) {
			n := names[i]
			if err := t.WriteFile(n, files[n]); err != nil {
				errs[i] = fmt.Errorf("writing %s: %w", n, err)
			}
		})
		return errors.Join(errs...)
	})
}
