// Package proxyroute spells the paths under which the preview's datasource
// proxy serves each datasource. The dashboard pages the site writes carry
// them and the proxy routes by them, so both take them from here.
package proxyroute

import "net/url"

// GlobalSegment is the first path segment of global datasources. A project
// of that name cannot be reached through the proxy (which logs it): Perses
// names allow "_".
const GlobalSegment = "_global"

// Project is where the proxy serves project datasource name, e.g.
// Project("profiling", "pyro") + "/pyroscope/render".
func Project(project, name string) string {
	return "/" + url.PathEscape(project) + "/" + url.PathEscape(name)
}

// Global is where the proxy serves GlobalDatasource name.
func Global(name string) string {
	return "/" + GlobalSegment + "/" + url.PathEscape(name)
}

// Dashboard is where the proxy serves the datasource a dashboard defines
// under key in its spec.datasources.
func Dashboard(project, dashboard, key string) string {
	return "/" + url.PathEscape(project) + "/@" + url.PathEscape(dashboard) + "/" + url.PathEscape(key)
}
