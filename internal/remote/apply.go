package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/perses"
)

// Prepared is a State ready to write: each item's document, its
// secrets resolved.
type Prepared struct {
	*State
	docs map[*Item][]byte
}

// Prepare encodes every item that differs from the server's version,
// resolving the secrets' values (env reads the environment). Problems
// (a credential written in the sources, a variable not set) are
// reported at their source.
//
// The server never returns a secret's values, so a secret counts as
// changed only when its other fields do; rewriteSecrets writes every
// secret again (to send new values). Every secret's values are resolved
// either way: a variable missing on this machine is found now.
func (st *State) Prepare(env func(string) (string, bool), rewriteSecrets bool) (*Prepared, diag.Diagnostics) {
	p := &Prepared{State: st, docs: map[*Item][]byte{}}
	var ds diag.Diagnostics
	for _, it := range st.Items {
		n := it.Local.Tree()
		secret := isSecret(it.Local.Kind)
		if secret {
			var sds diag.Diagnostics
			if n, sds = ResolveSecret(it.Local, env); len(sds) > 0 {
				ds = append(ds, sds...)
				continue
			}
		}
		if !it.Changed() && !(secret && rewriteSecrets) {
			continue
		}
		p.docs[it] = bundle.Encode(n, bundle.JSON)
	}
	return p, ds
}

// Validate asks the server's validation endpoints about every item to be
// written. Each refusal is reported at the source: at the plugin the
// server lacks when it names one, else at the resource.
func (p *Prepared) Validate(ctx context.Context, c *perses.Client) (diag.Diagnostics, error) {
	var ds diag.Diagnostics
	for _, it := range p.Items {
		doc, ok := p.docs[it]
		if !ok || !perses.CanValidate(it.Local.Kind) {
			continue
		}
		err := c.Validate(ctx, it.Local.Kind, doc)
		var e *perses.Error
		switch {
		case err == nil:
		case errors.As(err, &e) && (e.Status == http.StatusBadRequest || e.Status == http.StatusUnprocessableEntity):
			ds = append(ds, diag.Diagnostic{Severity: diag.Error, Pos: refusalPos(it.Local, e.Message),
				Message: fmt.Sprintf("%s: the server refuses it: %s", it.Local.ID(), e.Message),
				Hint:    refusalHint(e.Message)})
		default:
			return ds, err
		}
	}
	return ds, nil
}

var missingPlugin = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`schema not found for plugin (\S+)`) })

// refusalPos is where a refusal points in the sources: the plugin it
// names, when the resource has one of that kind.
func refusalPos(r *model.Resource, msg string) diag.Pos {
	if m := missingPlugin().FindStringSubmatch(msg); m != nil {
		if n := findKind(r.Tree(), strings.Trim(m[1], `"'.,`), 0); n != nil {
			return model.Where(n, r.Pos)
		}
	}
	return r.Pos
}

// findKind is the first value of a "kind" key equal to kind in n.
func findKind(n *model.Node, kind string, depth int) *model.Node {
	if n == nil || depth > model.MaxDepth {
		return nil
	}
	switch n.Kind {
	case model.MapKind:
		for i, k := range n.Keys {
			if k == "kind" && n.Vals[i].Kind == model.StringKind && n.Vals[i].Value == kind {
				return n.Vals[i]
			}
		}
		for _, v := range n.Vals {
			if f := findKind(v, kind, depth+1); f != nil {
				return f
			}
		}
	case model.ListKind:
		for _, v := range n.Items {
			if f := findKind(v, kind, depth+1); f != nil {
				return f
			}
		}
	}
	return nil
}

func refusalHint(msg string) string {
	if missingPlugin().MatchString(msg) {
		return "the Perses server has not loaded this plugin: install it on the server (its plugin folder), or use a plugin the server has"
	}
	return "nothing was written: correct the source, or the server's configuration, and apply again"
}

// Summary counts what an apply did.
type Summary struct {
	Created, Updated, Unchanged, Deleted []string
}

// Op is one write of an apply, for its report.
type Op struct {
	Verb string // "create", "update", "delete"
	ID   string
}

// ApplyError is a write the server refused, and how the run was undone.
type ApplyError struct {
	Failed Op
	Err    error
	// Undone are the writes put back; NotUndone those that could not be,
	// each with why.
	Undone    []Op
	NotUndone []string
}

func (e *ApplyError) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Failed.Verb, e.Failed.ID, e.Err)
}

func (e *ApplyError) Unwrap() error { return e.Err }

// done is a write of this run, and what puts it back.
type done struct {
	op   Op
	ref  perses.Ref
	prev json.RawMessage // the server's version before; nil when created
}

// Write writes every changed item in apply order (creating or updating),
// then, with prune, deletes the extra items. When a write fails, every
// write before it is put back (updated resources restored, created ones
// deleted, deleted ones created again) and the error says what was
// undone. progress, when not nil, is told each write as it succeeds.
func (p *Prepared) Write(ctx context.Context, c *perses.Client, prune bool, progress func(Op)) (*Summary, error) {
	s := &Summary{}
	var journal []done
	fail := func(op Op, err error) error {
		// Undo with a context of its own: an interrupt must not leave the
		// server half-written.
		undo := context.WithoutCancel(ctx)
		ae := &ApplyError{Failed: op, Err: err}
		for i := len(journal) - 1; i >= 0; i-- {
			d := journal[i]
			if why := p.undo(undo, c, d); why != "" {
				ae.NotUndone = append(ae.NotUndone, d.op.ID+": "+why)
			} else {
				ae.Undone = append(ae.Undone, d.op)
			}
		}
		return ae
	}
	for _, it := range p.Items {
		doc, ok := p.docs[it]
		if !ok {
			s.Unchanged = append(s.Unchanged, it.Local.ID())
			continue
		}
		if ctx.Err() != nil {
			return s, fail(Op{"write", it.Local.ID()}, context.Cause(ctx))
		}
		op := Op{"update", it.Local.ID()}
		var err error
		if it.Server == nil {
			op.Verb = "create"
			err = c.Create(ctx, it.Ref, doc)
		} else {
			err = c.Update(ctx, it.Ref, withServerName(doc, it.Ref))
		}
		if err != nil {
			return s, fail(op, err)
		}
		journal = append(journal, done{op: op, ref: it.Ref, prev: it.Raw})
		if op.Verb == "create" {
			s.Created = append(s.Created, op.ID)
		} else {
			s.Updated = append(s.Updated, op.ID)
		}
		if progress != nil {
			progress(op)
		}
	}
	if !prune {
		return s, nil
	}
	for i := len(p.Extra) - 1; i >= 0; i-- { // dashboards before what they use
		it := p.Extra[i]
		op := Op{"delete", it.Server.ID()}
		if err := c.Delete(ctx, it.Ref); err != nil && !perses.NotFound(err) {
			return s, fail(op, err)
		}
		journal = append(journal, done{op: op, ref: it.Ref, prev: it.Raw})
		s.Deleted = append(s.Deleted, op.ID)
		if progress != nil {
			progress(op)
		}
	}
	return s, nil
}

// withServerName is doc under the name the server holds it: a PUT names
// the resource in its path and in its body, and both must agree.
func withServerName(doc []byte, ref perses.Ref) []byte {
	var m map[string]any
	if json.Unmarshal(doc, &m) != nil {
		return doc
	}
	meta, _ := m["metadata"].(map[string]any)
	if meta == nil {
		return doc
	}
	if meta["name"] == ref.Name && (ref.Project == "" || meta["project"] == ref.Project) {
		return doc
	}
	meta["name"] = ref.Name
	if ref.Project != "" {
		meta["project"] = ref.Project
	}
	out, err := json.Marshal(m)
	if err != nil {
		return doc
	}
	return out
}

// undo puts back one write; it returns why it could not, or "".
func (p *Prepared) undo(ctx context.Context, c *perses.Client, d done) string {
	var err error
	switch d.op.Verb {
	case "create":
		err = c.Delete(ctx, d.ref)
	case "update", "delete":
		if isSecret(d.ref.Kind) {
			return "the server never returns a secret's values, so its previous version cannot be written back; apply the previous sources again"
		}
		prev := managedOut(d.prev)
		if d.op.Verb == "update" {
			err = c.Update(ctx, d.ref, prev)
		} else {
			err = c.Create(ctx, d.ref, prev)
		}
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// managedOut is a server's answer without the metadata it manages, to
// write it back.
func managedOut(raw json.RawMessage) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return raw
	}
	var meta map[string]json.RawMessage
	if json.Unmarshal(m["metadata"], &meta) != nil {
		return raw
	}
	for _, f := range serverFields {
		delete(meta, f)
	}
	b, _ := json.Marshal(meta)
	m["metadata"] = b
	out, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return out
}
