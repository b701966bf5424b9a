// Package persestest is a Perses server for tests: the subset of the REST
// API that package perses uses, in memory, on a real socket. It behaves
// as a Perses v0.53 server with its default file database does where
// pyrobuild depends on it: names are lower-cased, the metadata it manages
// is added, secret values are answered as "<secret>", and the validation
// endpoints refuse a plugin the server lacks.
package persestest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"
)

// Server is a fake Perses server.
type Server struct {
	*httptest.Server

	// Token, when set, is the bearer token every request must carry.
	Token string
	// Plugins are the plugin kinds the server has loaded; a resource using
	// another is refused by validation and writes.
	Plugins map[string]bool
	// FailWrite, when it returns a message, makes the server refuse that
	// write with 500 (a failure validation could not foresee).
	FailWrite func(method, kind, project, name string) string

	mu     sync.Mutex
	store  map[string]map[string]any // key → resource
	writes []string
	clock  int
}

// plurals maps a path segment to its kind.
var plurals = map[string]string{
	"projects": "Project", "dashboards": "Dashboard", "datasources": "Datasource", "secrets": "Secret", "variables": "Variable",
	"globaldatasources": "GlobalDatasource", "globalsecrets": "GlobalSecret", "globalvariables": "GlobalVariable",
}

// DefaultPlugins are the plugins of the fake server.
var DefaultPlugins = []string{"PyroscopeDatasource", "PyroscopeProfileQuery", "FlameChart", "StaticListVariable", "Markdown"}

// New starts a server on 127.0.0.1; it stops with the test's cleanup.
func New(t interface{ Cleanup(func()) }) *Server {
	s := &Server{Plugins: map[string]bool{}, store: map[string]map[string]any{}}
	for _, p := range DefaultPlugins {
		s.Plugins[p] = true
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Writes are the writes the server accepted, "POST Dashboard/p/name".
func (s *Server) Writes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.writes...)
}

// Snapshot is every resource the server holds, as JSON, by key: two
// snapshots are equal when the server is as it was.
func (s *Server) Snapshot() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for k, v := range s.store {
		b, _ := json.Marshal(v)
		out[k] = string(b)
	}
	return out
}

// Put stores a resource as if it had been created earlier.
func (s *Server) Put(doc string) {
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		panic(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	kind, project, name := ident(m)
	s.stamp(m, nil)
	s.store[key(kind, project, name)] = m
}

func ident(m map[string]any) (kind, project, name string) {
	kind, _ = m["kind"].(string)
	meta, _ := m["metadata"].(map[string]any)
	name, _ = meta["name"].(string)
	project, _ = meta["project"].(string)
	return kind, strings.ToLower(project), strings.ToLower(name)
}

func key(kind, project, name string) string {
	if project == "" {
		return kind + "/" + name
	}
	return kind + "/" + project + "/" + name
}

func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, format string, args ...any) {
	answer(w, status, map[string]string{"message": fmt.Sprintf(format, args...)})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.Token != "" && r.Header.Get("Authorization") != "Bearer "+s.Token {
		fail(w, http.StatusUnauthorized, "missing or invalid access token")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) == 3 && parts[0] == "api" && parts[1] == "validate" && r.Method == http.MethodPost {
		s.validate(w, r)
		return
	}
	if len(parts) < 3 || parts[0] != "api" || parts[1] != "v1" {
		fail(w, http.StatusNotFound, "not found")
		return
	}
	parts = parts[2:]
	var kind, project, name string
	switch {
	case len(parts) >= 3 && parts[0] == "projects":
		project, kind = strings.ToLower(parts[1]), plurals[parts[2]]
		if len(parts) == 4 {
			name = parts[3]
		} else if len(parts) > 4 {
			kind = ""
		}
	case len(parts) <= 2:
		kind = plurals[parts[0]]
		if len(parts) == 2 {
			name = parts[1]
		}
	}
	if kind == "" || kind == "Project" && project != "" {
		fail(w, http.StatusNotFound, "not found")
		return
	}
	if project != "" && s.store[key("Project", "", project)] == nil {
		fail(w, http.StatusNotFound, "project %q not found", project)
		return
	}
	s.resource(w, r, kind, project, strings.ToLower(name))
}

func (s *Server) resource(w http.ResponseWriter, r *http.Request, kind, project, name string) {
	k := key(kind, project, name)
	switch {
	case r.Method == http.MethodGet && name == "":
		var items []any
		var keys []string
		for key, v := range s.store {
			if kk, p, _ := ident(v); kk == kind && p == project {
				keys = append(keys, key)
			}
		}
		sort.Strings(keys)
		for _, key := range keys {
			items = append(items, public(s.store[key]))
		}
		if items == nil {
			items = []any{}
		}
		answer(w, http.StatusOK, items)
	case r.Method == http.MethodGet:
		if v := s.store[k]; v != nil {
			answer(w, http.StatusOK, public(v))
			return
		}
		fail(w, http.StatusNotFound, "document %q not found", name)
	case r.Method == http.MethodDelete:
		if s.store[k] == nil {
			fail(w, http.StatusNotFound, "document %q not found", name)
			return
		}
		if msg := s.refuse("DELETE", kind, project, name); msg != "" {
			fail(w, http.StatusInternalServerError, "%s", msg)
			return
		}
		delete(s.store, k)
		s.writes = append(s.writes, "DELETE "+k)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && name == "", r.Method == http.MethodPut && name != "":
		s.write(w, r, kind, project, name)
	default:
		fail(w, http.StatusMethodNotAllowed, "method not allowed")
	}
}

func (s *Server) refuse(method, kind, project, name string) string {
	if s.FailWrite == nil {
		return ""
	}
	return s.FailWrite(method, kind, project, name)
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, kind, project, name string) {
	m, ok := s.read(w, r, kind)
	if !ok {
		return
	}
	dk, dp, dn := ident(m)
	if dk != kind || !strings.EqualFold(dp, project) || (name != "" && dn != name) {
		fail(w, http.StatusBadRequest, "metadata.name/project of the document do not match the path")
		return
	}
	k := key(kind, dp, dn)
	old := s.store[k]
	if r.Method == http.MethodPost && old != nil {
		fail(w, http.StatusConflict, "document %q already exists", dn)
		return
	}
	if r.Method == http.MethodPut && old == nil {
		fail(w, http.StatusNotFound, "document %q not found", dn)
		return
	}
	if msg := s.refuse(r.Method, kind, dp, dn); msg != "" {
		fail(w, http.StatusInternalServerError, "%s", msg)
		return
	}
	meta := m["metadata"].(map[string]any)
	meta["name"] = dn
	if dp != "" {
		meta["project"] = dp
	}
	s.stamp(m, old)
	s.store[k] = m
	s.writes = append(s.writes, r.Method+" "+k)
	answer(w, map[bool]int{true: http.StatusOK, false: http.StatusCreated}[old != nil], public(m))
}

// read decodes a request's document and checks its plugins.
func (s *Server) read(w http.ResponseWriter, r *http.Request, kind string) (map[string]any, bool) {
	data, _ := io.ReadAll(r.Body)
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		fail(w, http.StatusBadRequest, "invalid JSON: %v", err)
		return nil, false
	}
	if k, _ := m["kind"].(string); k != kind {
		fail(w, http.StatusBadRequest, "kind %q does not match the endpoint (%s)", k, kind)
		return nil, false
	}
	if p := s.missingPlugin(m); p != "" {
		fail(w, http.StatusBadRequest, "invalid %s: schema not found for plugin %s", strings.ToLower(kind), p)
		return nil, false
	}
	return m, true
}

func (s *Server) validate(w http.ResponseWriter, r *http.Request) {
	kind := plurals[strings.Split(strings.Trim(r.URL.Path, "/"), "/")[2]]
	if kind == "" || kind == "Project" || strings.HasSuffix(kind, "Secret") {
		fail(w, http.StatusNotFound, "not found")
		return
	}
	if _, ok := s.read(w, r, kind); ok {
		w.WriteHeader(http.StatusOK)
	}
}

// missingPlugin is the first plugin kind of m the server lacks.
func (s *Server) missingPlugin(v any) string {
	switch v := v.(type) {
	case map[string]any:
		if p, ok := v["plugin"].(map[string]any); ok {
			if k, _ := p["kind"].(string); k != "" && !s.Plugins[k] {
				return k
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p := s.missingPlugin(v[k]); p != "" {
				return p
			}
		}
	case []any:
		for _, x := range v {
			if p := s.missingPlugin(x); p != "" {
				return p
			}
		}
	}
	return ""
}

// stamp sets the metadata the server manages.
func (s *Server) stamp(m, old map[string]any) {
	s.clock++
	meta, _ := m["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		m["metadata"] = meta
	}
	now := time.Date(2026, 12, 7, 0, 0, s.clock, 0, time.UTC).Format(time.RFC3339)
	meta["createdAt"], meta["updatedAt"], meta["version"] = now, now, 0
	if old != nil {
		om := old["metadata"].(map[string]any)
		meta["createdAt"] = om["createdAt"]
		meta["version"] = om["version"].(int) + 1
	}
}

// hidden are the fields of a secret's spec the API never returns.
var hidden = map[string][]string{
	"basicAuth": {"password"}, "authorization": {"credentials"}, "oauth": {"clientID", "clientSecret"}, "tlsConfig": {"ca", "cert", "key"},
}

// public is v as the API answers it: secret values hidden.
func public(v map[string]any) map[string]any {
	if k, _ := v["kind"].(string); k != "Secret" && k != "GlobalSecret" {
		return v
	}
	b, _ := json.Marshal(v)
	var c map[string]any
	json.Unmarshal(b, &c)
	spec, _ := c["spec"].(map[string]any)
	for sec, fields := range hidden {
		m, _ := spec[sec].(map[string]any)
		for _, f := range fields {
			if _, ok := m[f]; ok {
				m[f] = "<secret>"
			}
		}
	}
	return c
}

// Secret returns the stored value of a secret's field (spec.sec.field),
// as written: what only the server itself sees.
func (s *Server) Secret(project, name, sec, field string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	kind := "Secret"
	if project == "" {
		kind = "GlobalSecret"
	}
	v := s.store[key(kind, strings.ToLower(project), strings.ToLower(name))]
	spec, _ := v["spec"].(map[string]any)
	m, _ := spec[sec].(map[string]any)
	str, _ := m[field].(string)
	return str
}
