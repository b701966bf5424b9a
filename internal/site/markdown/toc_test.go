package markdown

import (
	"reflect"
	"testing"
)

func TestTOC(t *testing.T) {
	src := "---\ntitle: T\n---\n# Page\n\nIntro.\n\n## First\n\n### Detail *one*\n\n#### Deep\n\n## Second\n\n!!! note\n    ## In a note\n"
	doc := render(t, src)
	wantHeadings := []Heading{
		{Level: 1, ID: "page", Text: "Page", Line: 4},
		{Level: 2, ID: "first", Text: "First", Line: 8},
		{Level: 3, ID: "detail-one", Text: "Detail one", Line: 10},
		{Level: 4, ID: "deep", Text: "Deep", Line: 12},
		{Level: 2, ID: "second", Text: "Second", Line: 14},
		{Level: 2, ID: "in-a-note", Text: "In a note", Line: 17},
	}
	if !reflect.DeepEqual(doc.Headings, wantHeadings) {
		t.Errorf("Headings:\n got %+v\nwant %+v", doc.Headings, wantHeadings)
	}
	wantTOC := []Heading{wantHeadings[1], wantHeadings[2], wantHeadings[4], wantHeadings[5]}
	if !reflect.DeepEqual(doc.TOC, wantTOC) {
		t.Errorf("TOC:\n got %+v\nwant %+v", doc.TOC, wantTOC)
	}
}

func TestTOCEmpty(t *testing.T) {
	doc := render(t, "Just text.\n")
	if doc.TOC != nil || doc.Headings != nil {
		t.Errorf("TOC %v, Headings %v; want none", doc.TOC, doc.Headings)
	}
}
