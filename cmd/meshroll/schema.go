package main

import (
	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/schema"
	"github.com/meshroll/meshroll/schema/jsonschema"
)

func newSchemaCmd(a *app) *cobra.Command {
	var cue bool
	cmd := &cobra.Command{
		Use:   "schema [--cue]",
		Short: "Print the intent schema, as JSON Schema for editors or as CUE",
		Long: `Schema prints the schema of intent files as JSON Schema (draft 2020-12),
generated from meshroll's CUE schema, with a description of each field. Editors
check YAML and JSON intent against it as it is typed: with yaml-language-server
(VS Code's YAML extension, and others), put this line at the top of a file,

  # yaml-language-server: $schema=https://raw.githubusercontent.com/meshroll/meshroll/v0.1.0/schema/intent.schema.json

or point the editor at the output of meshroll schema. With --cue it prints the
CUE schema itself, the single source of truth, for cue vet:

  meshroll schema --cue > intent-schema.cue
  cue vet -d '#Intent' intent-schema.cue intents/reviews.yaml

Both check what the schema says (fields, types, ranges, patterns); meshroll
checks more when it loads intent: that the live phase and the targets of
routes exist, and that no two rollouts claim one host.`,
		Example: `  meshroll schema > intent.schema.json
  meshroll schema --cue > intent-schema.cue`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cue {
				_, err := a.stdout.Write(schema.Source)
				return err
			}
			b, err := jsonschema.Generate()
			if err != nil {
				return err
			}
			_, err = a.stdout.Write(b)
			return err
		},
	}
	cmd.Flags().BoolVar(&cue, "cue", false, "print the CUE schema instead of the JSON Schema")
	return cmd
}
