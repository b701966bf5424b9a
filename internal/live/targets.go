package live

import (
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// A Target is one PyroscopeProfileQuery of a dashboard's panel and how its
// datasource is reached, as check --live reaches it: URL, headers, and
// the credentials of the sources' Secret. Headers may hold credentials:
// they are sent, never printed.
type Target struct {
	Dashboard *model.Resource
	// Panel is the panel's key; Index the query's place among the
	// panel's queries (counting every query, as the preview does).
	Panel string
	Index int
	// Spec is the query's lowered plugin spec (profileType, service,
	// filters, maxNodes), with the user's positions.
	Spec *model.Node
	// Datasource is the datasource's name; URL where it is reached
	// (trailing slashes removed), URLPos where the URL is written. URL is
	// "" when the datasource is not in the sources or has no URL.
	Datasource string
	URL        string
	URLPos     model.Pos
	// Headers are the datasource's proxy headers and the Authorization
	// of its Secret.
	Headers map[string]string
	// AuthNote says why no credentials were sent although the datasource
	// names a Secret ("" otherwise).
	AuthNote string
}

// Targets lists the PyroscopeProfileQuery queries of rs's dashboards in
// the order of their panels, each with its datasource. readFile reads the
// files a Secret names (nil: os.ReadFile).
func Targets(rs []*model.Resource, readFile func(string) ([]byte, error)) []Target {
	if readFile == nil {
		readFile = osReadFile
	}
	resolver := compiler.NewResolver(rs, nil)
	secrets := secretIndex(rs)
	var out []Target
	for _, r := range rs {
		if r.Kind != "Dashboard" {
			continue
		}
		d := *r
		d.Node = r.Tree()
		panels := d.Node.Get("spec").Get("panels")
		if panels == nil {
			continue
		}
		for pi, p := range panels.Vals {
			for i, q := range p.Get("spec").Get("queries").List() {
				plugin := q.Get("spec").Get("plugin")
				if k, _ := plugin.Str("kind"); k != "PyroscopeProfileQuery" {
					continue
				}
				t := Target{Dashboard: r, Panel: panels.Keys[pi], Index: i, Spec: plugin.Get("spec")}
				if ds, ok := resolver.Resolve(&d, plugin); ok {
					t.Datasource = ds.Name
					if ds.Kind == "PyroscopeDatasource" && ds.Spec != nil {
						if s := newServer(ds, secrets, readFile); s != nil {
							t.URL, t.URLPos, t.Headers, t.AuthNote = s.url, s.pos, s.headers, s.authNote
							if s.auth != "" {
								t.Headers["Authorization"] = s.auth
							}
						}
					}
				}
				out = append(out, t)
			}
		}
	}
	return out
}

// ParseDuration reads a Prometheus duration ("30m", "1d", "1h30m"), the
// form of a dashboard's duration and of Pyroscope's limits.
func ParseDuration(s string) (time.Duration, error) { return parseDuration(s) }
