package live

import (
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// query is one PyroscopeProfileQuery of a dashboard, with what the check
// needs of it.
type query struct {
	srv         *server
	dsName      string // the query's own datasource (servers may be shared)
	profileType *model.Node
	service     *model.Node
	filters     []filter
	vars        map[string][]string // the dashboard's variables with static values
}

// filter is one label matcher of a query; the nodes carry the positions.
type filter struct {
	name, op, value *model.Node
}

// server is one Pyroscope as the check reaches it: datasources with the
// same URL, headers and secret share one.
type server struct {
	name    string   // the first datasource using it, for messages
	url     string   // as written (messages show it redacted)
	pos     diag.Pos // the URL's position: datasource problems are reported there
	headers map[string]string
	auth    string // the Authorization value from the Secret, never printed
	// authNote says why no credentials were sent although a secret is
	// named (a file not here, a secret not in the sources); "" otherwise.
	authNote string
	secret   string

	facts
}

// collect walks the dashboards' Pyroscope queries and groups their
// datasources into servers.
func collect(rs []*model.Resource, readFile func(string) ([]byte, error)) ([]*query, []*server) {
	resolver := compiler.NewResolver(rs, nil)
	secrets := secretIndex(rs)
	byKey := map[string]*server{}
	var servers []*server
	var queries []*query
	for _, r := range rs {
		if r.Kind != "Dashboard" {
			continue
		}
		// Unpacked once for all its queries, not by each Resolve.
		d := *r
		d.Node = r.Tree()
		spec := d.Node.Get("spec")
		panels := spec.Get("panels")
		if panels == nil {
			continue
		}
		vars := staticVariables(spec.Get("variables"))
		for _, p := range panels.Vals {
			for _, q := range p.Get("spec").Get("queries").List() {
				plugin := q.Get("spec").Get("plugin")
				if k, _ := plugin.Str("kind"); k != "PyroscopeProfileQuery" {
					continue
				}
				ds, ok := resolver.Resolve(&d, plugin)
				if !ok || ds.Kind != "PyroscopeDatasource" || ds.Spec == nil {
					continue
				}
				s := newServer(ds, secrets, readFile)
				if s == nil {
					continue
				}
				if old := byKey[s.key()]; old != nil {
					s = old
				} else {
					byKey[s.key()] = s
					servers = append(servers, s)
				}
				qs := plugin.Get("spec")
				cq := &query{srv: s, dsName: ds.Name, profileType: qs.Get("profileType"), service: qs.Get("service"), vars: vars}
				for _, f := range qs.Get("filters").List() {
					cq.filters = append(cq.filters, filter{f.Get("labelName"), f.Get("operator"), f.Get("labelValue")})
				}
				queries = append(queries, cq)
			}
		}
	}
	return queries, servers
}

// key identifies a server: URL, headers and secret. Two datasources that
// differ in a tenant header (X-Scope-OrgID) see different data.
func (s *server) key() string {
	var b strings.Builder
	b.WriteString(s.url)
	for _, k := range sortedKeys(s.headers) {
		b.WriteString("\x00" + k + "=" + s.headers[k])
	}
	b.WriteString("\x00secret=" + s.secret)
	return b.String()
}

// newServer reads where a datasource is reached and with which headers
// and credentials; nil when it has no URL.
func newServer(ds compiler.ResolvedDatasource, secrets map[string]map[string]*model.Node, readFile func(string) ([]byte, error)) *server {
	ps := ds.Spec.Get("plugin").Get("spec")
	urlNode := ps.Get("directUrl")
	proxy := ps.Get("proxy").Get("spec")
	if urlNode == nil {
		urlNode = proxy.Get("url")
	}
	if urlNode == nil || urlNode.Kind != model.StringKind || urlNode.Value == "" {
		return nil
	}
	s := &server{name: ds.Name, url: strings.TrimRight(urlNode.Value, "/"), pos: urlNode.Pos, headers: map[string]string{}}
	if hs := proxy.Get("headers"); hs != nil {
		for i, k := range hs.Keys {
			if hs.Vals[i].Kind == model.StringKind {
				s.headers[http.CanonicalHeaderKey(k)] = hs.Vals[i].Value
			}
		}
	}
	// As in Perses, the Authorization header comes from the Secret only.
	delete(s.headers, "Authorization")
	if name, ok := proxy.Str("secret"); ok {
		scope := ds.Project
		if ds.Scope == "global" {
			scope = ""
		}
		s.secret = scope + "/" + name
		spec := secrets[scope][name]
		if spec == nil {
			kind := "Secret"
			if scope == "" {
				kind = "GlobalSecret"
			}
			s.authNote = kind + " " + name + " is not in the sources, so its credentials were not sent"
		} else {
			s.auth, s.authNote = secretAuthorization(name, spec, readFile)
		}
	}
	return s
}

// secretIndex maps scope ("" for global) and name to each Secret's spec.
func secretIndex(rs []*model.Resource) map[string]map[string]*model.Node {
	out := map[string]map[string]*model.Node{}
	for _, r := range rs {
		scope := r.Project
		switch r.Kind {
		case "Secret":
		case "GlobalSecret":
			scope = ""
		default:
			continue
		}
		if out[scope] == nil {
			out[scope] = map[string]*model.Node{}
		}
		out[scope][r.Name] = r.Node.Get("spec")
	}
	return out
}

// secretAuthorization is the Authorization header a Secret's basicAuth or
// authorization gives (authorization wins, as in Perses). A *File field is
// read when the file exists here; otherwise note says so. Neither result
// is ever printed with its value.
func secretAuthorization(name string, spec *model.Node, readFile func(string) ([]byte, error)) (value, note string) {
	read := func(field, file string, n *model.Node) (string, bool) {
		if path, ok := n.Str(file); ok {
			b, err := readFile(path)
			if err != nil {
				note = "the " + file + " of secret " + name + " (" + path + ") cannot be read here, so its credentials were not sent"
				return "", false
			}
			return strings.TrimRight(string(b), "\r\n"), true
		}
		v, _ := n.Str(field)
		return v, true
	}
	if a := spec.Get("authorization"); a != nil {
		cred, ok := read("credentials", "credentialsFile", a)
		if !ok {
			return "", note
		}
		typ, _ := a.Str("type")
		if typ == "" {
			typ = "Bearer"
		}
		return typ + " " + cred, ""
	}
	if b := spec.Get("basicAuth"); b != nil {
		pw, ok := read("password", "passwordFile", b)
		if !ok {
			return "", note
		}
		user, _ := b.Str("username")
		r := &http.Request{Header: http.Header{}}
		r.SetBasicAuth(user, pw)
		return r.Header.Get("Authorization"), ""
	}
	if spec.Get("oauth") != nil {
		return "", "secret " + name + " uses oauth, which check --live does not support, so no credentials were sent"
	}
	return "", ""
}

// staticVariables returns the values of a dashboard's variables that are
// known without a server: a StaticListVariable's values, a TextVariable's
// value.
func staticVariables(vars *model.Node) map[string][]string {
	out := map[string][]string{}
	for _, v := range vars.List() {
		spec := v.Get("spec")
		name, ok := spec.Str("name")
		if !ok {
			continue
		}
		kind, _ := v.Str("kind")
		switch kind {
		case "TextVariable":
			if val, ok := spec.Str("value"); ok {
				out[name] = []string{val}
			}
		case "ListVariable":
			plugin := spec.Get("plugin")
			if k, _ := plugin.Str("kind"); k != "StaticListVariable" {
				continue
			}
			var vals []string
			for _, e := range plugin.Get("spec").Get("values").List() {
				if e.Kind == model.StringKind {
					vals = append(vals, e.Value)
				} else if s, ok := e.Str("value"); ok {
					vals = append(vals, s)
				}
			}
			if len(vals) > 0 {
				out[name] = vals
			}
		}
	}
	return out
}

// variableRe is a variable reference: $name or ${name} (with an optional
// ${name:format}).
var variableRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\$(?:\{([A-Za-z0-9_]+)(?::[^}]*)?\}|([A-Za-z0-9_]+))`)
})

// expand returns the values s takes over the static values of the
// variables it names; ok is false when it names a variable whose values
// are not known (then it cannot be checked).
func expand(s string, vars map[string][]string) (vals []string, ok bool) {
	vals = []string{""}
	last := 0
	for _, m := range variableRe().FindAllStringSubmatchIndex(s, -1) {
		var name string
		if m[2] >= 0 {
			name = s[m[2]:m[3]]
		} else {
			name = s[m[4]:m[5]]
		}
		vv, known := vars[name]
		if !known {
			return nil, false
		}
		lit := s[last:m[0]]
		var next []string
		for _, prefix := range vals {
			for _, v := range vv {
				next = append(next, prefix+lit+v)
			}
		}
		if len(next) > 64 {
			return nil, false // too many combinations to be worth asking
		}
		vals, last = next, m[1]
	}
	for i := range vals {
		vals[i] += s[last:]
	}
	slices.Sort(vals)
	return slices.Compact(vals), true
}

// osReadFile is the default Options.ReadFile.
func osReadFile(name string) ([]byte, error) { return os.ReadFile(name) }
