package cli

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// cliReference writes the command-line reference page of the docs site
// from the command tree itself, so it cannot disagree with --help.
func cliReference(root *cobra.Command) []byte {
	// cobra adds its completion command only when it executes; the
	// reference lists it whether or not that has happened yet.
	root.InitDefaultCompletionCmd()
	var w bytes.Buffer
	w.WriteString("---\ntitle: Command line\ndescription: Every pyrobuild command and flag, generated from the commands themselves.\nweight: 30\n---\n\n")
	w.WriteString("# Command line\n\n")
	w.WriteString("This page is generated from pyrobuild's commands; `pyrobuild help COMMAND` prints the same.\n\n")
	w.WriteString("Exit codes: `0` success (warnings allowed), `1` problems in the sources, `2` a usage error.\n\n")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		if c != root && c.Runnable() {
			writeCommand(&w, c)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if f := root.PersistentFlags(); f.HasAvailableFlags() {
		w.WriteString("## Global flags\n\n")
		writeFlags(&w, f)
	}
	return w.Bytes()
}

func writeCommand(w *bytes.Buffer, c *cobra.Command) {
	fmt.Fprintf(w, "## %s\n\n", c.CommandPath())
	if c.Short != "" {
		w.WriteString(c.Short + ".\n\n")
	}
	fmt.Fprintf(w, "```text\n%s\n```\n\n", c.UseLine())
	if c.Long != "" {
		// Long help is written for an 80-column terminal: keep its line
		// breaks and layout.
		fmt.Fprintf(w, "```text\n%s\n```\n\n", strings.TrimSpace(c.Long))
	}
	if c.HasAvailableLocalFlags() {
		writeFlags(w, c.LocalFlags())
	}
	if c.Example != "" {
		fmt.Fprintf(w, "Examples:\n\n```sh\n%s\n```\n\n", strings.TrimRight(dedent(c.Example), "\n"))
	}
}

func writeFlags(w *bytes.Buffer, fs *pflag.FlagSet) {
	w.WriteString("| flag | default | meaning |\n|---|---|---|\n")
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		name := "`--" + f.Name
		if f.Shorthand != "" {
			name = "`-" + f.Shorthand + ", --" + f.Name
		}
		if t := f.Value.Type(); t != "bool" {
			name += " " + strings.ToUpper(strings.TrimSuffix(t, "Array"))
		}
		name += "`"
		def := f.DefValue
		switch def {
		case "", "[]", "false", "0s":
			def = ""
		default:
			def = "`" + def + "`"
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", name, def, strings.ReplaceAll(f.Usage, "|", "\\|"))
	})
	w.WriteString("\n")
}

// dedent removes the indentation cobra examples share.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	minIndent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if minIndent < 0 || n < minIndent {
			minIndent = n
		}
	}
	for i, l := range lines {
		if len(l) >= minIndent && minIndent > 0 {
			lines[i] = l[minIndent:]
		}
	}
	return strings.Join(lines, "\n")
}
