package crd

import (
	"fmt"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// The Perses operator has no custom resource for Secrets. What it offers
// instead is spec.client of a PersesDatasource (or PersesGlobalDatasource):
// from it the operator makes a Perses secret named after the custom
// resource, "<name>-secret" (v0.5.0, SecretNameSuffix), in the same
// project, reading passwords and certificates from Kubernetes Secrets,
// ConfigMaps or files on the Perses server. The datasource's proxy must
// then name that secret.

// secretSuffix is what the operator appends to a datasource's custom
// resource name to name the Perses secret it makes from spec.client.
const secretSuffix = "-secret"

// proxySecret returns the node of a datasource's
// spec.plugin.spec.proxy.spec.secret, or nil.
func proxySecret(spec *model.Node) *model.Node {
	s := spec.Get("plugin").Get("spec").Get("proxy").Get("spec").Get("secret")
	if s == nil || s.Kind != model.StringKind {
		return nil
	}
	return s
}

// clientOf translates a Perses secret's spec into the operator's
// spec.client, when every credential it holds has an equivalent there
// that reads it from a file on the Perses server, as the secret does:
// basic authentication with a password file (basicAuth, type file,
// passwordPath) and TLS with CA, certificate and key files (tls, type
// file). Otherwise it returns nil and why not, with what to do instead.
func clientOf(spec *model.Node) (*model.Node, string) {
	client := model.NewMap(nil)
	var why []string
	for i, key := range spec.Keys {
		v := spec.Vals[i]
		switch key {
		case "basicAuth":
			file, hasFile := v.Str("passwordFile")
			user, _ := v.Str("username")
			if !hasFile {
				why = append(why, "its basicAuth password is written in it: put the password in a Kubernetes Secret and give the datasource's custom resource spec.client.basicAuth {type: secret, name: <that Secret>, namespace: <its namespace>, username: "+user+", passwordPath: <the Secret's key>}")
				continue
			}
			b := model.NewMap(nil)
			b.Set("type", model.NewString("file", nil))
			b.Set("username", model.NewString(user, nil))
			b.Set("passwordPath", model.NewString(file, nil))
			client.Set("basicAuth", b)
		case "tlsConfig":
			t, reason := tlsOf(v)
			if t == nil {
				why = append(why, reason)
				continue
			}
			client.Set("tls", t)
		case "authorization":
			why = append(why, "the operator's spec.client has no Authorization header (only basicAuth, oauth and tls)")
		case "oauth":
			why = append(why, "the operator's spec.client.oauth reads the client ID from a Kubernetes Secret, ConfigMap or file, not from the custom resource: put the client ID and secret in a Kubernetes Secret and give spec.client.oauth {type: secret, name, namespace, clientIDPath, clientSecretPath, tokenURL}")
		default:
			why = append(why, "the operator's spec.client has no equivalent of "+key)
		}
	}
	if len(why) > 0 {
		return nil, strings.Join(why, "; ")
	}
	if len(client.Keys) == 0 {
		return nil, "it holds no credentials"
	}
	return client, ""
}

// tlsOf translates a secret's tlsConfig into the operator's
// spec.client.tls, when it names files only.
func tlsOf(v *model.Node) (*model.Node, string) {
	t := model.NewMap(nil)
	enable := model.New(model.BoolKind, model.Pos{})
	enable.Value = "true"
	t.Set("enable", enable)
	var userCert *model.Node
	for i, key := range v.Keys {
		val := v.Vals[i]
		switch key {
		case "caFile":
			c := model.NewMap(nil)
			c.Set("type", model.NewString("file", nil))
			c.Set("certPath", model.NewString(val.Value, nil))
			t.Set("caCert", c)
		case "certFile":
			if userCert == nil {
				userCert = model.NewMap(nil)
				userCert.Set("type", model.NewString("file", nil))
			}
			userCert.Set("certPath", model.NewString(val.Value, nil))
		case "keyFile":
			if userCert == nil {
				userCert = model.NewMap(nil)
				userCert.Set("type", model.NewString("file", nil))
			}
			userCert.Set("privateKeyPath", model.NewString(val.Value, nil))
		case "insecureSkipVerify":
			t.Set("insecureSkipVerify", val.Clone())
		case "ca", "cert", "key":
			return nil, fmt.Sprintf("its tlsConfig.%s is written in it: put it in a Kubernetes Secret and give the datasource's custom resource spec.client.tls {enable: true, caCert or userCert: {type: secret, name, namespace, certPath, privateKeyPath}}", key)
		default:
			return nil, "the operator's spec.client.tls has no equivalent of tlsConfig." + key
		}
	}
	if userCert != nil {
		if userCert.Get("certPath") == nil {
			return nil, "its tlsConfig has a keyFile without a certFile"
		}
		t.Set("userCert", userCert)
	}
	return t, ""
}

// secretKey names a secret among the resources: GlobalSecret/name or
// Secret/project/name.
func secretKey(global bool, project, name string) string {
	if global {
		return "GlobalSecret/" + name
	}
	return "Secret/" + project + "/" + name
}

// secretUsers maps each secret to the datasources whose proxies name it,
// in source order: a Datasource uses the Secret of its project, a
// GlobalDatasource a GlobalSecret.
func secretUsers(rs []*model.Resource) map[string][]*model.Resource {
	users := map[string][]*model.Resource{}
	for _, r := range rs {
		if r.Kind != "Datasource" && r.Kind != "GlobalDatasource" {
			continue
		}
		if s := proxySecret(r.Tree().Get("spec")); s != nil {
			k := secretKey(r.Kind == "GlobalDatasource", r.Project, s.Value)
			users[k] = append(users[k], r)
		}
	}
	return users
}

// client returns the spec.client of a datasource's custom resource named
// name, when its proxy names a secret of the sources that has one; the
// proxy then names the secret the operator makes from it.
func (c *crdConverter) client(r *model.Resource, config *model.Node, name string) *model.Node {
	s := proxySecret(config)
	if s == nil {
		return nil
	}
	client := c.clients[secretKey(r.Kind == "GlobalDatasource", r.Project, s.Value)]
	if client == nil {
		return nil
	}
	s.Value = name + secretSuffix
	return client.Clone()
}

// secretNote says what became of a Secret or GlobalSecret, which has no
// custom resource: carried by its datasources' spec.client, or what to do.
func (c *crdConverter) secretNote(r *model.Resource) {
	k := secretKey(r.Kind == "GlobalSecret", r.Project, r.Name)
	at := compiler.Where(r.Tree().Get("metadata").Get("name"), r.Pos)
	users := c.users[k]
	what := fmt.Sprintf("%s is not written: the Perses operator has no custom resource for %ss", r.ID(), r.Kind)
	if len(users) == 0 {
		c.report(diag.Info, model.CodeCRDSkipped, at, "kind", what+", and no datasource's proxy names it", "create it on the Perses server (percli apply -f with pyrobuild's output without --crd), or remove it")
		return
	}
	crKind, made := "PersesDatasource", "secret"
	if r.Kind == "GlobalSecret" {
		crKind, made = "PersesGlobalDatasource", "global secret"
	}
	var names, secrets []string
	for _, u := range users {
		n, _, _, _ := kubeName(u.Name, dns1123Subdomain(), 253, "")
		if n == "" {
			continue // reported at the datasource
		}
		names = append(names, fmt.Sprintf("%s %s", crKind, n))
		secrets = append(secrets, fmt.Sprintf("%q", n+secretSuffix))
	}
	if c.clients[k] != nil {
		c.report(diag.Info, model.CodeCRDSkipped, at, "kind",
			fmt.Sprintf("%s; its credentials are written as spec.client of %s, from which the operator makes the Perses %s %s, and the datasource's proxy.spec.secret names it", what, strings.Join(names, ", "), made, strings.Join(secrets, ", ")), "")
		return
	}
	c.report(diag.Info, model.CodeCRDSkipped, at, "kind", fmt.Sprintf("%s, and spec.client cannot carry it: %s", what, c.noClient[k]),
		fmt.Sprintf("the operator makes a Perses secret from the spec.client of %s and names it %s (the custom resource's name and %q), so set the datasource's proxy.spec.secret to that name; or create %s on the Perses server (percli apply -f with pyrobuild's output without --crd)", strings.Join(names, ", "), strings.Join(secrets, ", "), secretSuffix, r.Name))
}
