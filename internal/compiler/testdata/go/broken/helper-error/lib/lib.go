// Package lib holds what the dashboards share.
package lib

// Project names the project.
var Project string = 42
