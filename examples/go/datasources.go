package main

import "github.com/pyrobuild/pyrobuild/dac"

// mainDatasource is the project's default Pyroscope datasource, which the
// browser calls directly.
func mainDatasource() *dac.Resource {
	return dac.Datasource(project, "PyroscopeMain",
		dac.Default(),
		dac.DirectURL("http://pyroscope.example.com:4040"),
	)
}

// proxiedDatasource reaches the same Pyroscope through the Perses server,
// which adds the credentials of the secret.
func proxiedDatasource() *dac.Resource {
	return dac.Datasource(project, "PyroscopeProxied",
		dac.Display("Pyroscope (through Perses)"),
		dac.Proxy("http://pyroscope.example.com:4040",
			// The four calls the Pyroscope plugin makes, and no other.
			dac.AllowPyroscopeEndpoints(),
			dac.ProxySecret("pyroscope_secret_config"),
		),
	)
}

// secret holds the proxy's credentials. The password is read from a file
// on the Perses server, so no secret value lives in Git.
func secret() *dac.Resource {
	return dac.Secret(project, "pyroscope_secret_config",
		dac.BasicAuthFile("perses", "/etc/perses/secrets/pyroscope-password"),
	)
}
