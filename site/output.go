package site

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
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

func (b *Builder) searchIndex(pages []*Page) []byte {
	var entries []searchEntry
	for _, p := range pages {
		title := p.Title()
		if p.Doc.Title != "" {
			title = p.Doc.Title
		}
		u := b.link(p.URL)
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
			entries = append(entries, e)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(entries); err != nil {
		return []byte("[]")
	}
	if entries == nil {
		return []byte("[]\n")
	}
	return buf.Bytes()
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

// writeFiles replaces dir with files, atomically.
func writeFiles(dir string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return outdir.Replace(dir, func(tmp string) error {
		made := map[string]bool{}
		for _, n := range names {
			p := filepath.Join(tmp, filepath.FromSlash(n))
			if d := filepath.Dir(p); !made[d] {
				if err := os.MkdirAll(d, 0o755); err != nil {
					return err
				}
				made[d] = true
			}
			if err := os.WriteFile(p, files[n], 0o644); err != nil {
				return fmt.Errorf("writing %s: %w", n, err)
			}
		}
		return nil
	})
}
