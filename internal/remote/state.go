// Package remote compares compiled resources with what a live Perses
// server holds, and applies them all-or-nothing: it is the engine of
// pyrobuild's diff --url, apply and pull. It talks to the server through
// internal/perses and compares through internal/bundle's Diff.
package remote

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/perses"
)

// Item is one resource of the sources, or one the server holds that the
// sources no longer do.
type Item struct {
	// Local is the compiled resource; nil for a resource only the server
	// holds.
	Local *model.Resource
	// Server is the server's version in wire form, without what the server
	// manages (createdAt, updatedAt, version) and under the sources' name;
	// nil when the server has none.
	Server *model.Resource
	// Raw is the server's answer as it came, to put it back.
	Raw json.RawMessage
	// Ref is the resource as the server names it (the server may have
	// lower-cased the name).
	Ref perses.Ref
}

// State is what the server holds for a set of compiled resources.
type State struct {
	// Items are the compiled resources, in apply order.
	Items []*Item
	// Extra are the resources the server holds, in the projects the
	// sources name, that the sources do not: what --prune deletes.
	Extra []*Item
}

// Unsupported reports the compiled resources of kinds the server API
// subset does not handle (roles, folders…), at their source.
func Unsupported(rs []*model.Resource) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, r := range rs {
		if !perses.Supported(r.Kind) {
			ds = append(ds, diag.Diagnostic{Severity: diag.Error, Pos: r.Pos,
				Message: fmt.Sprintf("%s %s: apply, diff --url and pull handle Projects, Secrets, Datasources, Variables, Dashboards and their global kinds, not %s", r.Kind, r.Name, r.Kind),
				Hint:    "apply this resource with percli, or leave it out of the paths given"})
		}
	}
	return ds
}

// Fetch reads what the server holds for rs: each resource of rs, and
// every resource of the kinds pyrobuild writes in the projects rs names
// (for --prune). rs must hold only supported kinds.
func Fetch(ctx context.Context, c *perses.Client, rs []*model.Resource) (*State, error) {
	projects := map[string]bool{}
	globals := map[string]bool{}
	for _, r := range rs {
		switch {
		case r.Kind == "Project":
			projects[r.Name] = true
		case perses.Global(r.Kind):
			globals[r.Kind] = true
		default:
			projects[r.Project] = true
		}
	}
	var onServer []*Item
	serverProject := map[string]string{} // the sources' name → the server's
	for _, p := range sortedKeys(projects) {
		raw, err := c.Get(ctx, perses.Ref{Kind: "Project", Name: p})
		if perses.NotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		it, err := serverItem(raw, "Project")
		if err != nil {
			return nil, err
		}
		onServer = append(onServer, it)
		serverProject[p] = it.Ref.Name
		for _, kind := range perses.ProjectKinds {
			items, err := list(ctx, c, kind, it.Ref.Name)
			if err != nil {
				return nil, err
			}
			onServer = append(onServer, items...)
		}
	}
	for _, kind := range sortedKeys(globals) {
		items, err := list(ctx, c, kind, "")
		if err != nil {
			return nil, err
		}
		onServer = append(onServer, items...)
	}
	return match(rs, onServer, projects), nil
}

func list(ctx context.Context, c *perses.Client, kind, project string) ([]*Item, error) {
	raws, err := c.List(ctx, kind, project)
	if err != nil {
		return nil, err
	}
	items := make([]*Item, 0, len(raws))
	for _, raw := range raws {
		it, err := serverItem(raw, kind)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

// serverFields are the metadata the server manages, left out of every
// comparison.
var serverFields = []string{"createdAt", "updatedAt", "version"}

// serverItem reads one resource of the server's answer.
func serverItem(raw json.RawMessage, kind string) (*Item, error) {
	n, d := compiler.ParseJSON(model.NewSource("server", raw))
	if d != nil {
		return nil, fmt.Errorf("the server's %s is not JSON: %s", kind, d.Message)
	}
	meta := n.Get("metadata")
	name, _ := meta.Str("name")
	project, _ := meta.Str("project")
	if name == "" || meta == nil {
		return nil, fmt.Errorf("the server answered a %s without metadata.name", kind)
	}
	for _, f := range serverFields {
		meta.Delete(f)
	}
	if k, _ := n.Str("kind"); k == "" {
		n.Set("kind", model.NewString(kind, n))
	}
	ref := perses.Ref{Kind: kind, Project: project, Name: name}
	if perses.Global(kind) {
		ref.Project = ""
	}
	r := &model.Resource{Kind: kind, Project: ref.Project, Name: name, Global: perses.Global(kind), Node: n}
	return &Item{Server: r, Raw: raw, Ref: ref}, nil
}

// match pairs each compiled resource with the server's version: the same
// name, else the same name but for case (the server's default database
// lower-cases names). The server's version is then renamed as the
// sources name it, so that the case alone is no change.
func match(rs []*model.Resource, onServer []*Item, projects map[string]bool) *State {
	exact := map[string]*Item{}
	folded := map[string]*Item{}
	for _, it := range onServer {
		id := it.Server.ID()
		exact[id] = it
		if _, ok := folded[strings.ToLower(id)]; !ok {
			folded[strings.ToLower(id)] = it
		}
	}
	used := map[*Item]bool{}
	st := &State{}
	for _, r := range rs {
		it := exact[r.ID()]
		if it == nil || used[it] {
			it = folded[strings.ToLower(r.ID())]
		}
		if it == nil || used[it] {
			st.Items = append(st.Items, &Item{Local: r, Ref: perses.Ref{Kind: r.Kind, Project: r.Project, Name: r.Name}})
			continue
		}
		used[it] = true
		it.Local = r
		rename(it.Server, r)
		st.Items = append(st.Items, it)
	}
	for _, it := range onServer {
		if !used[it] && it.Server.Kind != "Project" && !perses.Global(it.Server.Kind) {
			st.Extra = append(st.Extra, it)
		}
	}
	sortItems(st.Items)
	sortItems(st.Extra)
	return st
}

// rename gives the server's version s the identity of the compiled r.
func rename(s, r *model.Resource) {
	meta := s.Node.Get("metadata")
	meta.Set("name", model.NewString(r.Name, meta))
	s.Name = r.Name
	if !r.Global && r.Kind != "Project" {
		meta.Set("project", model.NewString(r.Project, meta))
		s.Project = r.Project
	}
}

// resource is the item's resource: the compiled one when it has one.
func (it *Item) resource() *model.Resource {
	if it.Local != nil {
		return it.Local
	}
	return it.Server
}

// sortItems puts items in apply order: projects, global kinds, then
// secrets, datasources, variables and dashboards.
func sortItems(items []*Item) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].resource(), items[j].resource()
		if ka, kb := compiler.KindRank(a.Kind), compiler.KindRank(b.Kind); ka != kb {
			return ka < kb
		}
		if a.Project != b.Project {
			return a.Project < b.Project
		}
		return a.Name < b.Name
	})
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Diff compares the compiled resources with the server's versions; with
// prune, the resources only the server holds (in the projects the
// sources name) count as removed. The values of secrets, which the
// server never returns, are not compared.
func (st *State) Diff(prune bool) *bundle.DiffResult {
	var old, cur []*model.Resource
	for _, it := range st.Items {
		local := comparable(it.Local)
		if it.Server != nil {
			old = append(old, it.Server)
			if isSecret(local.Kind) {
				local = withServerSecrets(local, it.Server)
			}
		}
		cur = append(cur, local)
	}
	if prune {
		for _, it := range st.Extra {
			old = append(old, it.Server)
		}
	}
	return bundle.Diff(old, cur)
}

// Changed reports whether an item differs from the server's version (or
// the server has none).
func (it *Item) Changed() bool {
	if it.Server == nil {
		return true
	}
	local := comparable(it.Local)
	if isSecret(local.Kind) {
		local = withServerSecrets(local, it.Server)
	}
	return !bundle.Diff([]*model.Resource{it.Server}, []*model.Resource{local}).Empty()
}

// comparable is a copy of the compiled r without the metadata the server
// manages: the wire form carries them zero (createdAt
// "0001-01-01T00:00:00Z", version 0), and the server sets its own.
func comparable(r *model.Resource) *model.Resource {
	n := r.Tree().Clone()
	if meta := n.Get("metadata"); meta != nil {
		for _, f := range serverFields {
			meta.Delete(f)
		}
	}
	c := *r
	c.Node = n
	return &c
}
