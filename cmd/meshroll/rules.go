package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/lint"
)

func newRulesCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "List the lint rules",
		Long: `List the lint rules: ID, name, default severity and what each checks.
meshroll explain ID prints a rule's documentation with examples.`,
		Example: `  meshroll rules
  meshroll rules | grep mtls`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tSEVERITY\tSUMMARY")
			for _, r := range lint.All() {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Severity, r.Summary)
			}
			return tw.Flush()
		},
	}
}
