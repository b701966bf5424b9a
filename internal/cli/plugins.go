package cli

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"
)

// pluginsUsage is the help of --plugins, on every command that compiles.
const pluginsUsage = "Perses plugin schemas to validate every plugin against, as the Perses server does: " +
	"a folder of plugin archives (.tar.gz, .zip) or of extracted plugin folders, one plugin folder, or one archive (repeatable)"

// addPluginsFlag adds --plugins to a command's flags.
func addPluginsFlag(f *pflag.FlagSet, dst *[]string) {
	f.StringArrayVar(dst, "plugins", nil, pluginsUsage)
}

// applyPlugins sets dst to pyrobuild.yaml's plugins (resolved against the
// file's folder) unless --plugins was given.
func (c *projectConfig) applyPlugins(f *pflag.FlagSet, dst *[]string) {
	overrideList(f, "plugins", dst, c.plugins)
}

// checkPluginPaths makes a --plugins path that does not exist a usage
// error (exit 2), as a misspelt flag is.
func checkPluginPaths(paths []string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return usageError{fmt.Errorf("--plugins: %v", err)}
		}
	}
	return nil
}
