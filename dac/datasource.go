package dac

// PyroscopeDatasourceKind is the plugin kind of the datasources this
// package builds.
const PyroscopeDatasourceKind = "PyroscopeDatasource"

// Datasource builds a Pyroscope datasource of a project, available to all
// its dashboards. Give it a DirectURL or a Proxy (exactly one).
func Datasource(project, name string, opts ...DatasourceOption) *Resource {
	return datasource("Datasource", project, name, caller(), opts)
}

// GlobalDatasource builds a Pyroscope datasource available to every
// project.
func GlobalDatasource(name string, opts ...DatasourceOption) *Resource {
	return datasource("GlobalDatasource", "", name, caller(), opts)
}

func datasource(kind, project, name string, at pos, opts []DatasourceOption) *Resource {
	r, t := newResource(kind, project, name, at)
	t.plugin = t.spec.plugin("plugin", PyroscopeDatasourceKind, at)
	for _, o := range opts {
		o.applyDatasource(t)
	}
	return r
}

// Default makes the datasource the default one of its scope: queries that
// name no datasource use it.
func Default() DatasourceOption {
	at := caller()
	return datasourceFunc(func(t *target) { t.spec.set("default", boolVal(true, at)) })
}

// DirectURL makes the browser call Pyroscope at url directly, e.g.
// "http://pyroscope.example.com:4040".
func DirectURL(url string) DatasourceOption {
	at := caller()
	return datasourceFunc(func(t *target) { t.plugin.set("directUrl", strVal(url, at)) })
}

// Proxy makes the Perses server forward the browser's queries to Pyroscope
// at url, as the server reaches it.
func Proxy(url string, opts ...ProxyOption) DatasourceOption {
	at := caller()
	return datasourceFunc(func(t *target) {
		p := t.plugin.sub("proxy", at)
		p.set("kind", strVal("HTTPProxy", at))
		spec := p.sub("spec", at)
		spec.set("url", strVal(url, at))
		pt := &target{what: "Proxy", spec: spec, errs: t.errs}
		for _, o := range opts {
			o.applyProxy(pt)
		}
	})
}

// AllowEndpoint lets the browser call the paths that pattern (a Go
// regular expression; anchor it with ^…$) matches with method through the
// proxy. A proxy that allows no endpoint allows all of them.
func AllowEndpoint(method, pattern string) ProxyOption {
	at := caller()
	return proxyFunc(func(t *target) { allow(t, at, method, pattern) })
}

// AllowPyroscopeEndpoints allows the calls the Perses Pyroscope plugin
// makes, and no other: GET /pyroscope/render and POST
// /querier.v1.QuerierService/{ProfileTypes,LabelNames,LabelValues}.
func AllowPyroscopeEndpoints() ProxyOption {
	at := caller()
	return proxyFunc(func(t *target) {
		allow(t, at, "GET", `^/pyroscope/render$`)
		allow(t, at, "POST", `^/querier\.v1\.QuerierService/(ProfileTypes|LabelNames|LabelValues)$`)
	})
}

func allow(t *target, at pos, method, pattern string) {
	e := objVal(at)
	e.obj.set("endpointPattern", strVal(pattern, at))
	e.obj.set("method", strVal(method, at))
	l := t.spec.list("allowedEndpoints", at)
	l.items = append(l.items, e)
}

// Header adds an HTTP header to every proxied request. Credentials belong
// in a Secret (ProxySecret), not here.
func Header(name, value string) ProxyOption {
	at := caller()
	return proxyFunc(func(t *target) { t.spec.sub("headers", at).set(name, strVal(value, at)) })
}

// ProxySecret names the Secret of the same project (a GlobalSecret for a
// GlobalDatasource) that holds the proxy's credentials.
func ProxySecret(name string) ProxyOption {
	at := caller()
	return proxyFunc(func(t *target) { t.spec.set("secret", strVal(name, at)) })
}

// Secret builds a Secret: credentials for the datasource proxies of a
// project. Prefer the *File options, so that no secret value is in your
// sources.
func Secret(project, name string, opts ...SecretOption) *Resource {
	return secret("Secret", project, name, caller(), opts)
}

// GlobalSecret builds a GlobalSecret, for the proxies of global
// datasources.
func GlobalSecret(name string, opts ...SecretOption) *Resource {
	return secret("GlobalSecret", "", name, caller(), opts)
}

func secret(kind, project, name string, at pos, opts []SecretOption) *Resource {
	r, t := newResource(kind, project, name, at)
	for _, o := range opts {
		o.applySecret(t)
	}
	return r
}

// BasicAuth authenticates with a user name and a password.
func BasicAuth(username, password string) SecretOption {
	at := caller()
	return secretFunc(func(t *target) {
		b := t.spec.sub("basicAuth", at)
		b.set("username", strVal(username, at))
		b.set("password", strVal(password, at))
	})
}

// BasicAuthFile authenticates with a user name and a password read from a
// file on the Perses server.
func BasicAuthFile(username, passwordFile string) SecretOption {
	at := caller()
	return secretFunc(func(t *target) {
		b := t.spec.sub("basicAuth", at)
		b.set("username", strVal(username, at))
		b.set("passwordFile", strVal(passwordFile, at))
	})
}

// Authorization sends an Authorization header of the given type ("" means
// Bearer) with credentials.
func Authorization(typ, credentials string) SecretOption {
	at := caller()
	return secretFunc(func(t *target) {
		a := t.spec.sub("authorization", at)
		if typ != "" {
			a.set("type", strVal(typ, at))
		}
		a.set("credentials", strVal(credentials, at))
	})
}

// AuthorizationFile sends an Authorization header of the given type (""
// means Bearer) with credentials read from a file on the Perses server.
func AuthorizationFile(typ, credentialsFile string) SecretOption {
	at := caller()
	return secretFunc(func(t *target) {
		a := t.spec.sub("authorization", at)
		if typ != "" {
			a.set("type", strVal(typ, at))
		}
		a.set("credentialsFile", strVal(credentialsFile, at))
	})
}

// TLSFiles configures TLS with files on the Perses server: the CA bundle
// that signs Pyroscope's certificate, and a client certificate and key.
// Empty names are left out.
func TLSFiles(caFile, certFile, keyFile string) SecretOption {
	at := caller()
	return secretFunc(func(t *target) {
		c := t.spec.sub("tlsConfig", at)
		for _, f := range [][2]string{{"caFile", caFile}, {"certFile", certFile}, {"keyFile", keyFile}} {
			if f[1] != "" {
				c.set(f[0], strVal(f[1], at))
			}
		}
	})
}
