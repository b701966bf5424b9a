// Package snapshot records what the live Pyroscope servers show for every
// panel of the compiled dashboards (pyrobuild snapshot): for each
// PyroscopeProfileQuery, the /pyroscope/render answer the preview's panels
// fetch (the flame graph, bounded by the query's maxNodes, and the time
// series), one recording per dashboard beside its source, in the format of
// package recording.
package snapshot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/live"
	"github.com/pyrobuild/pyrobuild/internal/snapshot/recording"
)

// Options configure Record.
type Options struct {
	// Client makes the requests (default http.DefaultClient).
	Client *http.Client
	// Timeout bounds the whole snapshot (default 1m).
	Timeout time.Duration
	// Range is the relative range every query is asked over ("30m");
	// "" means each dashboard's duration (1h when it has none, as in the
	// preview).
	Range string
	// URL, when set, replaces every datasource's URL; URLs replaces the
	// URL of the datasources it names (and wins over URL).
	URL  string
	URLs map[string]string
	// Now is the end of the range (default time.Now).
	Now func() time.Time
	// ReadFile reads the files a Secret names (default os.ReadFile).
	ReadFile func(string) ([]byte, error)
	// Parallel is how many requests are in flight at once (default 2:
	// flame graphs are heavy queries for the server).
	Parallel int
	// MaxNodes, when positive, caps the nodes of every flame graph below
	// the query's own maxNodes (or the server's default, 8192, for a query
	// that sets none), to keep recordings small.
	MaxNodes int
}

// serverMaxNodes is Pyroscope's maxNodes when a request sets none.
const serverMaxNodes = 8192

// A Recording is the recording of one dashboard, ready to be written.
type Recording struct {
	// Dashboard is project/name.
	Dashboard string
	// Path is where it goes (recording.Path of the dashboard's source).
	Path string
	// Data is the file's bytes (recording.Encode).
	Data []byte
	// Queries is how many queries it records.
	Queries int
}

// Result is what Record found.
type Result struct {
	// Recordings are the dashboards whose every query was answered, in
	// the order of the sources.
	Recordings []Recording
	// Failed names the dashboards left unrecorded (a query failed).
	Failed []string
	// Diagnostics say which queries failed or recorded nothing.
	Diagnostics diag.Diagnostics
}

// maxAnswer bounds one answer; flame graphs are bounded by maxNodes.
const maxAnswer = 64 << 20

// errDeadline is the cause of the overall time-out.
var errDeadline = errors.New("no answer before the deadline (--timeout)")

// job is one query to ask, with its outcome.
type job struct {
	t     live.Target
	url   string // after --url
	from  time.Time
	until time.Time
	query string
	max   int

	answer json.RawMessage
	empty  bool
	err    error
}

// Record asks, for every PyroscopeProfileQuery of rs's dashboards, the
// query's datasource for the flame graph and time series the panel shows
// over the range, and returns a recording per dashboard. A dashboard is
// recorded only when every one of its queries was answered; each failed
// query is an error at the query, so that the caller can keep the old
// recording. Nothing is written here.
func Record(ctx context.Context, rs []*model.Resource, opts Options) *Result {
	if opts.Timeout <= 0 {
		opts.Timeout = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Client == nil {
		opts.Client = http.DefaultClient
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 2
	}
	until := opts.Now().UTC().Truncate(time.Second)
	res := &Result{}
	rep := diag.NewReporter(&res.Diagnostics)

	// The jobs of each dashboard, in the order of the sources.
	var order []*model.Resource
	byDash := map[*model.Resource][]*job{}
	ranges := map[*model.Resource]string{}
	for _, t := range live.Targets(rs, opts.ReadFile) {
		d := t.Dashboard
		if _, seen := byDash[d]; !seen {
			order = append(order, d)
			byDash[d] = nil
			ranges[d] = dashboardRange(d, opts.Range)
		}
		dur, err := live.ParseDuration(ranges[d])
		if err != nil || dur <= 0 {
			dur = time.Hour
		}
		j := &job{t: t, url: t.URL, from: until.Add(-dur), until: until, query: recording.RenderQuery(t.Spec), max: recording.MaxNodes(t.Spec)}
		if opts.MaxNodes > 0 && (j.max == 0 && opts.MaxNodes < serverMaxNodes || j.max > opts.MaxNodes) {
			j.max = opts.MaxNodes
		}
		if u, ok := opts.URLs[t.Datasource]; ok {
			j.url = strings.TrimRight(u, "/")
		} else if opts.URL != "" && t.Datasource != "" {
			j.url = strings.TrimRight(opts.URL, "/")
		}
		byDash[d] = append(byDash[d], j)
	}

	ctx, cancel := context.WithTimeoutCause(ctx, opts.Timeout, errDeadline)
	defer cancel()
	var all []*job
	for _, d := range order {
		all = append(all, byDash[d]...)
	}
	run(ctx, all, opts)

	for _, d := range order {
		jobs := byDash[d]
		failed := false
		for _, j := range jobs {
			if j.err != nil {
				failed = true
				rep.Errorf(model.CodeSnapshotFailed, queryPos(j.t), "panel %q, query %d: %v", j.t.Panel, j.t.Index+1, j.err).Hint(hintFor(j))
			} else if j.empty {
				rep.Warnf(model.CodeSnapshotEmpty, queryPos(j.t), "panel %q, query %d: %s has no samples over the last %s: the recording shows an empty panel",
					j.t.Panel, j.t.Index+1, j.query, ranges[d]).Hint("pyrobuild check --live says why")
			}
		}
		name := d.Project + "/" + d.Name
		if failed {
			res.Failed = append(res.Failed, name)
			continue
		}
		f := &recording.File{Dashboard: name, Panels: map[string]*recording.Panel{}, Version: recording.Version,
			Recorded: until.Format(time.RFC3339),
			Range:    recording.Range{Relative: ranges[d], From: jobs[0].from.Format(time.RFC3339), Until: until.Format(time.RFC3339)}}
		for _, j := range jobs {
			p := f.Panels[j.t.Panel]
			if p == nil {
				p = &recording.Panel{}
				f.Panels[j.t.Panel] = p
			}
			for len(p.Queries) < j.t.Index {
				p.Queries = append(p.Queries, nil) // a query of another kind
			}
			p.Queries = append(p.Queries, &recording.Query{Answer: j.answer, Datasource: j.t.Datasource, MaxNodes: j.max, Query: j.query, Server: diag.RedactURL(j.url)})
		}
		data, err := recording.Encode(f)
		if err != nil {
			rep.Errorf(model.CodeSnapshotFailed, d.Pos, "dashboard %s: %v", name, err)
			res.Failed = append(res.Failed, name)
			continue
		}
		res.Recordings = append(res.Recordings, Recording{Dashboard: name, Path: recording.Path(d.Pos.File, d.Project, d.Name), Data: data, Queries: len(jobs)})
	}
	res.Diagnostics.Sort()
	return res
}

// dashboardRange is the range a dashboard is recorded over: the one asked,
// else its duration, else 1h.
func dashboardRange(d *model.Resource, asked string) string {
	if asked != "" {
		return asked
	}
	if v, ok := d.Node.Get("spec").Str("duration"); ok && v != "" {
		return v
	}
	return "1h"
}

// queryPos is where a query's problems are reported: its spec, else its
// dashboard.
func queryPos(t live.Target) diag.Pos {
	if t.Spec != nil && t.Spec.Pos.IsValid() {
		return t.Spec.Pos
	}
	return t.Dashboard.Pos
}

func hintFor(j *job) string {
	switch {
	case j.t.Datasource == "" || j.url == "":
		return "a snapshot asks each query's datasource: define it in the sources with a URL, or give one with --url NAME=URL"
	case j.t.AuthNote != "":
		return "check that " + diag.RedactURL(j.url) + " answers from this machine, or record from another server with --url; " + j.t.AuthNote
	default:
		return "check that " + diag.RedactURL(j.url) + " answers from this machine, or record from another server with --url URL or --url " + j.t.Datasource + "=URL"
	}
}

// run asks every job, opts.Parallel at a time; each job keeps its own
// outcome, so the order of the answers does not matter.
func run(ctx context.Context, jobs []*job, opts Options) {
	sem := make(chan struct{}, opts.Parallel)
	var wg sync.WaitGroup
	for _, j := range jobs {
		switch {
		case j.t.Datasource == "":
			j.err = errors.New("its datasource is not in the sources")
			continue
		case j.url == "":
			j.err = fmt.Errorf("datasource %s has no URL to ask", j.t.Datasource)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				j.err = transportError(ctx, ctx.Err())
				return
			}
			defer func() { <-sem }()
			j.answer, j.empty, j.err = ask(ctx, opts.Client, j)
			var se *serverError
			if errors.As(j.err, &se) && ctx.Err() == nil {
				// Pyroscope under load answers 5xx (a cancelled stream
				// between its components) where a second try succeeds.
				j.answer, j.empty, j.err = ask(ctx, opts.Client, j)
			}
		}()
	}
	wg.Wait()
}

// ask fetches one render answer, as the preview's panels fetch it (with
// the range as absolute unix seconds, as Perses sends it), and normalizes
// it.
func ask(ctx context.Context, c *http.Client, j *job) (json.RawMessage, bool, error) {
	q := url.Values{}
	q.Set("query", j.query)
	q.Set("from", strconv.FormatInt(j.from.Unix(), 10))
	q.Set("until", strconv.FormatInt(j.until.Unix(), 10))
	if j.max > 0 {
		q.Set("maxNodes", strconv.Itoa(j.max))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.url+"/pyroscope/render?"+q.Encode(), nil)
	if err != nil {
		return nil, false, fmt.Errorf("the URL of datasource %s is not usable", j.t.Datasource)
	}
	for k, v := range j.t.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, false, fmt.Errorf("%s did not answer: %v", diag.RedactURL(j.url), transportError(ctx, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, false, fmt.Errorf("%s stopped answering: %v", diag.RedactURL(j.url), transportError(ctx, err))
	}
	if len(data) > maxAnswer {
		return nil, false, fmt.Errorf("%s answered more than %d MiB", diag.RedactURL(j.url), maxAnswer>>20)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Message string `json:"message"`
			Error   string `json:"error"`
		}
		_ = json.Unmarshal(data, &e)
		msg := strings.TrimSpace(e.Message + " " + e.Error)
		if msg == "" {
			msg = strings.TrimSpace(string(data[:min(len(data), 200)]))
		}
		err := fmt.Errorf("%s answered %s: %s", diag.RedactURL(j.url), resp.Status, diag.RedactURLs(msg))
		if resp.StatusCode >= 500 {
			err = &serverError{err}
		}
		return nil, false, err
	}
	var fb struct {
		Flamebearer *struct {
			NumTicks json.Number       `json:"numTicks"`
			Names    []string          `json:"names"`
			Levels   []json.RawMessage `json:"levels"`
		} `json:"flamebearer"`
	}
	if err := json.Unmarshal(data, &fb); err != nil || fb.Flamebearer == nil {
		return nil, false, fmt.Errorf("%s did not answer a flame graph (is it a Pyroscope server?)", diag.RedactURL(j.url))
	}
	norm, err := recording.Normalize(data)
	if err != nil {
		return nil, false, fmt.Errorf("%s answered JSON that cannot be recorded: %v", diag.RedactURL(j.url), err)
	}
	ticks, _ := fb.Flamebearer.NumTicks.Int64()
	return norm, ticks == 0, nil
}

// serverError is a 5xx answer, which may succeed when asked again.
type serverError struct{ error }

func (e *serverError) Unwrap() error { return e.error }

// transportError says why a request failed, without its URL (which may
// hold credentials).
func transportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		if errors.Is(context.Cause(ctx), errDeadline) {
			return errDeadline
		}
		return ctx.Err()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Datasources lists the names of the datasources rs's profile queries
// use, sorted, for checking --url NAME=URL.
func Datasources(rs []*model.Resource) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range live.Targets(rs, func(string) ([]byte, error) { return nil, errors.New("not read") }) {
		if t.Datasource != "" && !seen[t.Datasource] {
			seen[t.Datasource] = true
			out = append(out, t.Datasource)
		}
	}
	sort.Strings(out)
	return out
}
