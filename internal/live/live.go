// Package live asks the Pyroscope servers that compiled datasources point
// at whether the profile types and services their dashboards query have
// data (pyrobuild check --live).
package live

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// Options configure Check.
type Options struct {
	// Client makes the requests (default: a client with Timeout).
	Client *http.Client
	// Timeout bounds each request (default 5s).
	Timeout time.Duration
	// Range is how far back to look for profiles (default 24h).
	Range time.Duration
	// Now is the end of the range (default time.Now).
	Now func() time.Time
}

// liveFacts is what one Pyroscope server has.
type liveFacts struct {
	profileTypes map[string]bool
	services     map[string]bool
	err          error
}

// Check asks each Pyroscope datasource with a URL whether the profile
// types and services its queries use have data, through the Connect API
// the Perses plugin uses (ProfileTypes, LabelValues of service_name). What
// is missing is a warning: the query would show an empty flame graph. An
// unreachable or failing server is a warning too, never a hang.
func Check(ctx context.Context, rs []*model.Resource, opts Options) diag.Diagnostics {
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Range == 0 {
		opts.Range = 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: opts.Timeout}
	}
	resolver := compiler.NewResolver(rs, nil)

	type use struct {
		ds          compiler.ResolvedDatasource
		profileType *model.Node
		service     *model.Node
	}
	var uses []use
	for _, r := range rs {
		if r.Kind != "Dashboard" {
			continue
		}
		// Unpacked once for all its queries, not by each Resolve.
		d := *r
		d.Node = r.Tree()
		panels := d.Node.Get("spec").Get("panels")
		if panels == nil {
			continue
		}
		for _, p := range panels.Vals {
			for _, q := range p.Get("spec").Get("queries").List() {
				plugin := q.Get("spec").Get("plugin")
				if k, _ := plugin.Str("kind"); k != "PyroscopeProfileQuery" {
					continue
				}
				if ds, ok := resolver.Resolve(&d, plugin); ok && ds.Kind == "PyroscopeDatasource" {
					spec := plugin.Get("spec")
					uses = append(uses, use{ds, spec.Get("profileType"), spec.Get("service")})
				}
			}
		}
	}

	// One round of requests per server, in parallel.
	facts := map[string]*liveFacts{}
	headersOf := map[string]map[string]string{}
	var order []string
	for _, u := range uses {
		url, proxy := datasourceURL(u.ds.Spec)
		if url != "" && facts[url] == nil {
			facts[url] = &liveFacts{}
			order = append(order, url)
			// The headers the Perses proxy would add.
			h := map[string]string{}
			if hs := proxy.Get("headers"); hs != nil {
				for i, k := range hs.Keys {
					h[k] = hs.Vals[i].Value
				}
			}
			headersOf[url] = h
		}
	}
	var wg sync.WaitGroup
	for _, url := range order {
		wg.Add(1)
		go func(url string, f *liveFacts) {
			defer wg.Done()
			*f = fetchFacts(ctx, opts, url, headersOf[url])
		}(url, facts[url])
	}
	wg.Wait()

	var diags diag.Diagnostics
	rep := diag.NewReporter(&diags)
	reported := map[string]bool{}
	for _, u := range uses {
		url, proxy := datasourceURL(u.ds.Spec)
		f := facts[url]
		if f == nil {
			continue
		}
		if f.err != nil {
			if !reported[url] {
				reported[url] = true
				hint := "check the URL and that the server is up; --live needs network access to it"
				if proxy.Get("secret") != nil {
					hint = "the datasource's credentials are in a Secret on the Perses server, which pyrobuild cannot use"
				}
				rep.Warnf(model.CodeLiveUnreachable, u.ds.Pos, "datasource %s (%s) could not be checked: %v", u.ds.Name, url, f.err).Hint(hint)
			}
			continue
		}
		if pt := u.profileType; pt != nil && pt.Kind == model.StringKind && !f.profileTypes[pt.Value] {
			rep.Warnf(model.CodeLiveNoData, pt.Pos, "profile type %q has no data in datasource %s over the last %s", pt.Value, u.ds.Name, opts.Range).
				Hint("profile types with data: " + strings.Join(keys(f.profileTypes), ", "))
		}
		if sv := u.service; sv != nil && sv.Kind == model.StringKind && !strings.Contains(sv.Value, "$") && !f.services[sv.Value] {
			hint := compiler.DidYouMean(sv.Value, keys(f.services))
			if hint == "" {
				hint = "services with data: " + strings.Join(keys(f.services), ", ")
			}
			rep.Warnf(model.CodeLiveNoData, sv.Pos, "service %q has no profiles in datasource %s over the last %s", sv.Value, u.ds.Name, opts.Range).Hint(hint)
		}
	}
	return diags
}

// datasourceURL returns where a Pyroscope datasource is reached, and the
// proxy spec (for its headers and secret), if any.
func datasourceURL(spec *model.Node) (string, *model.Node) {
	ps := spec.Get("plugin").Get("spec")
	if u, ok := ps.Str("directUrl"); ok {
		return strings.TrimRight(u, "/"), nil
	}
	proxy := ps.Get("proxy").Get("spec")
	u, _ := proxy.Str("url")
	return strings.TrimRight(u, "/"), proxy
}

func fetchFacts(ctx context.Context, opts Options, url string, headers map[string]string) liveFacts {
	end := opts.Now()
	window := map[string]any{"start": end.Add(-opts.Range).UnixMilli(), "end": end.UnixMilli()}
	var pt struct {
		ProfileTypes []struct {
			ID string `json:"ID"`
		} `json:"profileTypes"`
	}
	if err := connectCall(ctx, opts, url+"/querier.v1.QuerierService/ProfileTypes", headers, window, &pt); err != nil {
		return liveFacts{err: err}
	}
	lv := map[string]any{"name": "service_name", "start": window["start"], "end": window["end"]}
	var names struct {
		Names []string `json:"names"`
	}
	if err := connectCall(ctx, opts, url+"/querier.v1.QuerierService/LabelValues", headers, lv, &names); err != nil {
		return liveFacts{err: err}
	}
	f := liveFacts{profileTypes: map[string]bool{}, services: map[string]bool{}}
	for _, p := range pt.ProfileTypes {
		f.profileTypes[p.ID] = true
	}
	for _, n := range names.Names {
		f.services[n] = true
	}
	return f
}

// connectCall makes one Connect (JSON) unary call.
func connectCall(ctx context.Context, opts Options, url string, headers map[string]string, body, out any) error {
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := opts.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &e) == nil && e.Message != "" {
			return fmt.Errorf("%s: %s", resp.Status, e.Message)
		}
		return fmt.Errorf("%s", resp.Status)
	}
	return json.Unmarshal(data, out)
}

// keys returns the members of a set, sorted.
func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
