package site

import (
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"
)

// jsBudget is the most JavaScript a page of the site may load, in bytes.
const jsBudget = 300 << 10

var (
	scriptSrcRe    = regexp.MustCompile(`(?is)<script\b[^>]*\bsrc="([^"]*)"`)
	scriptInlineRe = regexp.MustCompile(`(?is)<script\b[^>]*>(.*?)</script>`)
)

// scriptBytes sums the JavaScript the HTML page name of s loads: its
// inline scripts and the files its <script src> name on the site.
func scriptBytes(t *testing.T, s *Site, name string) int {
	t.Helper()
	page, _ := s.File(name)
	total := 0
	for _, m := range scriptInlineRe.FindAllSubmatch(page, -1) {
		total += len(m[1])
	}
	for _, m := range scriptSrcRe.FindAllSubmatch(page, -1) {
		u, err := url.Parse(string(m[1]))
		if err != nil || u.Host != "" {
			t.Errorf("%s loads a script from elsewhere: %s", name, m[1])
			continue
		}
		p := u.Path
		if !strings.HasPrefix(p, "/") {
			p = path.Join(path.Dir("/"+name), p)
		}
		data, ok := s.File(strings.TrimPrefix(p, "/"))
		if !ok {
			t.Errorf("%s loads %s, which the site does not publish", name, m[1])
		}
		total += len(data)
	}
	return total
}

// TestRepositoryJSBudget: no page of this repository's docs site, as
// built and as served with live previews, loads more than 300 KB of
// JavaScript (diagrams are drawn when the site is built).
func TestRepositoryJSBudget(t *testing.T) {
	for _, preview := range []bool{false, true} {
		s := buildSite(t, Config{Root: "../..", Dashboards: []string{"../../examples"}, Workers: 2, Preview: preview})
		pages, most, heaviest := 0, 0, ""
		for name := range s.Files {
			if !strings.HasSuffix(name, ".html") {
				continue
			}
			pages++
			n := scriptBytes(t, s, name)
			if n > jsBudget {
				t.Errorf("preview=%v: %s loads %d bytes of JavaScript, over the budget of %d", preview, name, n, jsBudget)
			}
			if n > most {
				most, heaviest = n, name
			}
		}
		for _, p := range s.Pages {
			if _, ok := s.Files[p.Out]; !ok {
				t.Errorf("preview=%v: page %s is not among the files checked", preview, p.Out)
			}
		}
		if pages < 30 {
			t.Errorf("preview=%v: only %d pages checked", preview, pages)
		}
		t.Logf("preview=%v: %d pages, the heaviest %s loads %d bytes of JavaScript", preview, pages, heaviest, most)
	}
}
