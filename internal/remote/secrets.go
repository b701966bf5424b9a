package remote

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

func isSecret(kind string) bool { return kind == "Secret" || kind == "GlobalSecret" }

// hiddenFields are the fields of a secret's spec whose values the Perses
// API never returns (it answers "<secret>"): they cannot be compared.
var hiddenFields = [][2]string{
	{"basicAuth", "password"}, {"authorization", "credentials"},
	{"oauth", "clientID"}, {"oauth", "clientSecret"},
	{"tlsConfig", "ca"}, {"tlsConfig", "cert"}, {"tlsConfig", "key"},
}

// credentialFields are the hidden fields that are credentials: apply
// takes their values only from the environment or from files of the
// machine it runs on, never from the sources.
var credentialFields = map[[2]string]bool{
	{"basicAuth", "password"}: true, {"authorization", "credentials"}: true,
	{"oauth", "clientSecret"}: true, {"tlsConfig", "key"}: true,
}

// withServerSecrets is a copy of the secret r whose hidden values are the
// server's where the server has them: hidden values compare equal, and
// the other fields still show their changes.
func withServerSecrets(r, server *model.Resource) *model.Resource {
	n := r.Tree().Clone()
	spec, sspec := n.Get("spec"), server.Tree().Get("spec")
	for _, f := range hiddenFields {
		sec, ssec := spec.Get(f[0]), sspec.Get(f[0])
		if sec == nil || ssec == nil || sec.Kind != model.MapKind || sec.Get(f[1]) == nil {
			continue
		}
		if v := ssec.Get(f[1]); v != nil {
			sec.Set(f[1], v)
		}
	}
	c := *r
	c.Node = n
	return &c
}

// A secret's value in the sources is one of these references, resolved by
// apply on the machine it runs on.
var valueRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\$\{(env|file):([^}]+)\}$`) })

// ResolveSecret returns the secret r with every credential resolved: a
// value "${env:NAME}" is the variable NAME of env, "${file:PATH}" the
// content of the file PATH (relative to the source's folder), without
// its final line break. A credential written in the sources is an error:
// apply never sends a value that is kept in Git. Problems are reported
// at the value.
func ResolveSecret(r *model.Resource, env func(string) (string, bool)) (*model.Node, diag.Diagnostics) {
	n := r.Tree().Clone()
	spec := n.Get("spec")
	var ds diag.Diagnostics
	for _, f := range hiddenFields {
		sec := spec.Get(f[0])
		if sec == nil {
			continue
		}
		v := sec.Get(f[1])
		if v == nil || v.Kind != model.StringKind {
			continue
		}
		m := valueRef().FindStringSubmatch(v.Value)
		if m == nil {
			if credentialFields[f] {
				ds = append(ds, diag.Diagnostic{Severity: diag.Error, Pos: model.Where(v, r.Pos),
					Message: fmt.Sprintf("%s %s: spec.%s.%s is written in the source; apply sends a secret's credentials only from the environment or a file of the machine it runs on", r.Kind, r.Name, f[0], f[1]),
					Hint:    fmt.Sprintf("write \"${env:NAME}\" (a variable set where apply runs, e.g. a CI secret) or \"${file:PATH}\", or use %sFile (a path on the Perses server)", f[1])})
			}
			continue
		}
		val, err := resolve(m[1], m[2], r.Pos.File, env)
		if err != nil {
			ds = append(ds, diag.Diagnostic{Severity: diag.Error, Pos: model.Where(v, r.Pos),
				Message: fmt.Sprintf("%s %s: spec.%s.%s: %v", r.Kind, r.Name, f[0], f[1], err)})
			continue
		}
		sec.Set(f[1], model.NewString(val, v))
	}
	return n, ds
}

func resolve(how, what, source string, env func(string) (string, bool)) (string, error) {
	if how == "env" {
		v, ok := env(what)
		if !ok || v == "" {
			return "", fmt.Errorf("the environment variable %s is not set", what)
		}
		return v, nil
	}
	path := what
	if !filepath.IsAbs(path) && source != "" {
		path = filepath.Join(filepath.Dir(source), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		// Not the error's text alone: it would be the same, but say
		// which reference failed.
		return "", fmt.Errorf("reading %s: %v", what, unwrapPath(err))
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if s == "" {
		return "", fmt.Errorf("%s is empty", what)
	}
	return s, nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// EnvName is the variable pull names in the placeholder of a secret's
// value: PERSES_SECRET_<PROJECT>_<NAME>_<FIELD>, in capitals.
func EnvName(project, name, field string) string {
	parts := []string{"PERSES_SECRET"}
	if project != "" {
		parts = append(parts, project)
	}
	parts = append(parts, name, field)
	s := strings.ToUpper(strings.Join(parts, "_"))
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// placeholders replaces the hidden values of the secret n (as the server
// answered it) by "${env:…}" references and returns the variables named.
func placeholders(n *model.Node, project, name string) []string {
	spec := n.Get("spec")
	var vars []string
	for _, f := range hiddenFields {
		sec := spec.Get(f[0])
		if sec == nil || sec.Get(f[1]) == nil {
			continue
		}
		v := EnvName(project, name, f[0]+"_"+f[1])
		sec.Set(f[1], model.NewString("${env:"+v+"}", sec))
		vars = append(vars, v)
	}
	return vars
}
