package site

import (
	"path"
	"slices"
	"strings"
	"testing"
)

// TestRepositorySectionsListChildrenInNavOrder: a section's index page of
// this repository's docs that links to the pages of its folder (as
// getting-started/index.md does) links to them in the order the
// navigation lists them, so the two never tell a reader different paths.
func TestRepositorySectionsListChildrenInNavOrder(t *testing.T) {
	// Without the CLI reference (package cli makes it, and checks the
	// repository's links): its broken links do not matter here.
	s := buildSite(t, Config{Root: "../..", Dashboards: []string{"../../examples"}, Workers: 2})
	checked := 0
	var walk func(nodes []*navNode)
	walk = func(nodes []*navNode) {
		for _, n := range nodes {
			walk(n.Children)
			if n.page == nil || n.page.Generated || n.page.Doc == nil {
				continue
			}
			var navOrder []string
			for _, c := range n.Children {
				if c.page != nil && !c.page.Generated {
					navOrder = append(navOrder, c.page.Key)
				}
			}
			var linked []string
			for _, l := range n.page.Doc.Links {
				k := path.Join(path.Dir(n.page.Key), strings.SplitN(l.Dest, "#", 2)[0])
				if slices.Contains(navOrder, k) && !slices.Contains(linked, k) {
					linked = append(linked, k)
				}
			}
			if len(linked) < 2 {
				continue
			}
			checked++
			var want []string
			for _, k := range navOrder {
				if slices.Contains(linked, k) {
					want = append(want, k)
				}
			}
			if !slices.Equal(linked, want) {
				t.Errorf("%s links to its pages in the order\n  %v\nbut the navigation lists them as\n  %v", n.page.Key, linked, want)
			}
		}
	}
	walk(buildNav(s.Pages))
	if checked == 0 {
		t.Error("no section index page links to its pages: the test checks nothing")
	}
}
