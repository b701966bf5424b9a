package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/jsonschema"
)

type schemaOptions struct {
	form   string
	output string
}

func newSchemaCmd(stdout io.Writer) *cobra.Command {
	o := &schemaOptions{}
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Print a JSON Schema of the sources, for editors",
		Long: `Schema prints a JSON Schema (draft 2020-12) generated from the model that
pyrobuild validates sources with, so an editor with a YAML or JSON language
server (VS Code, yaml-language-server, JetBrains IDEs) completes fields,
shows their documentation and flags mistakes as you type: unknown and
missing fields, wrong types, values outside an enumeration, names, tags,
URLs and durations that break their rule, plugin specs checked by plugin
kind. A document is one resource or a list of resources.

  --form authoring   what pyrobuild reads: also a query label selector and
                     short profile type names (cpu, memory, …)
  --form wire        only what a Perses server accepts (pyrobuild's output)

Point YAML files at it with a first-line comment,

  # yaml-language-server: $schema=./pyrobuild.schema.json

or for a whole folder with VS Code's yaml.schemas setting. Checks across
resources (datasource resolution, layout $refs, grid overlaps) still need
pyrobuild check.`,
		Example: `  pyrobuild schema -o pyrobuild.schema.json
  pyrobuild schema --form wire -o perses.schema.json
  pyrobuild schema | jq '.["$defs"] | keys'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSchema(o, stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.form, "form", "authoring", "which form to describe: authoring (what pyrobuild reads) or wire (what Perses accepts)")
	f.StringVarP(&o.output, "output", "o", "", "write the schema to FILE instead of stdout (replaced atomically; missing folders are made)")
	cmd.RegisterFlagCompletionFunc("form", cobra.FixedCompletions([]string{
		string(jsonschema.AuthoringForm) + "\twhat pyrobuild reads: also query selectors and short profile types",
		string(jsonschema.WireForm) + "\tonly what a Perses server accepts",
	}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runSchema(o *schemaOptions, stdout io.Writer) error {
	form, err := jsonschema.ParseForm(o.form)
	if err != nil {
		return usageError{err}
	}
	s, err := compiler.LoadSchema()
	if err != nil {
		return err
	}
	b := jsonschema.Generate(s, form)
	if o.output == "" || o.output == "-" {
		_, err := stdout.Write(b)
		return err
	}
	if err := writeFile(o.output, b); err != nil {
		return fmt.Errorf("writing the schema: %w", err)
	}
	return nil
}
