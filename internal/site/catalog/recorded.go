package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/snapshot/recording"
)

// readRecording is the recording pyrobuild snapshot made of d, beside its
// source; nil when there is none. One that cannot be read is shown as
// missing, with why (a dashboard page cannot fail the build).
func readRecording(d *model.Resource) (*recording.File, string) {
	if !d.Pos.IsValid() {
		return nil, ""
	}
	path := recording.Path(d.Pos.File, d.Project, d.Name)
	f, err := recording.Read(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, ""
	case err != nil:
		return nil, fmt.Sprintf("The recording %s is not shown: %v.", path, err)
	}
	return f, ""
}

// recordedLabel says when, from where and over which range rec was
// recorded: "Recorded 2026-12-07 05:18 UTC from http://… for the last
// 30m (04:48–05:18 UTC)".
func recordedLabel(rec *recording.File) string {
	servers := map[string]bool{}
	for _, p := range rec.Panels {
		for _, q := range p.Queries {
			if q != nil {
				servers[diag.RedactURL(q.Server)] = true
			}
		}
	}
	list := make([]string, 0, len(servers))
	for s := range servers {
		list = append(list, s)
	}
	sort.Strings(list)
	when := rec.Recorded
	if t, err := time.Parse(time.RFC3339, rec.Recorded); err == nil {
		when = t.UTC().Format("2006-01-02 15:04 MST")
	}
	label := "Recorded " + when
	if len(list) > 0 {
		label += " from " + strings.Join(list, ", ")
	}
	label += " for the last " + rec.Range.Relative
	from, ferr := time.Parse(time.RFC3339, rec.Range.From)
	until, uerr := time.Parse(time.RFC3339, rec.Range.Until)
	if ferr == nil && uerr == nil {
		label += " (" + from.UTC().Format("2006-01-02 15:04") + " – " + until.UTC().Format("15:04 MST") + ")"
	}
	return label
}

// recordedAnswers is the data-recording attribute of a panel: for each of
// its queries, the recorded answer (what the page draws of it: flame
// graph, time series, metadata) and the server, or null when the
// recording does not hold that query (it changed since). "" when it holds
// none of them.
func recordedAnswers(rec *recording.File, panel string, pqs []previewQuery) string {
	if rec == nil {
		return ""
	}
	type entry struct {
		Answer map[string]json.RawMessage `json:"answer"`
		Server string                     `json:"server"`
	}
	out := make([]*entry, len(pqs))
	found := false
	for i, pq := range pqs {
		q := rec.Lookup(panel, i, pq.Query)
		if q == nil {
			continue
		}
		var all map[string]json.RawMessage
		if json.Unmarshal(q.Answer, &all) != nil {
			continue
		}
		drawn := map[string]json.RawMessage{}
		for _, k := range []string{"flamebearer", "metadata", "timeline"} {
			if v, ok := all[k]; ok {
				drawn[k] = v
			}
		}
		out[i] = &entry{Answer: drawn, Server: diag.RedactURL(q.Server)}
		found = true
	}
	if !found {
		return ""
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// writeRecorded draws the dashboard's recording on a page of the built
// site, which cannot reach any Pyroscope: the panels on the dashboard's
// grid, each drawn by recording.js from its recorded answers, under a
// label saying when, where from and over which range.
func writeRecorded(w *bytes.Buffer, d *model.Resource, spec, panels *model.Node, resolver *compiler.Resolver, rec *recording.File) {
	label := recordedLabel(rec)
	// Styled in place, so that a site's own stylesheet needs nothing new.
	fmt.Fprintf(w, `<div class="pb-recorded pb-wide" style="margin:1rem 0 2rem" data-recorded="%s"><p class="pb-recorded-label" style="font-size:.9rem;opacity:.8">%s.</p>`,
		html.EscapeString(label), html.EscapeString(label))
	writePanelGrid(w, d, spec, panels, resolver, rec)
	w.WriteString("</div>\n\n")
}
