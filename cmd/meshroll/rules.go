package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/repo"
)

func newRulesCmd(a *app) *cobra.Command {
	var policyDirs []string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the lint rules",
		Long: `List the lint rules: ID, name, default severity and what each checks.
meshroll explain ID prints a rule's documentation with examples. With
--policy, the policies of a CUE policy directory are listed too.`,
		Example: `  meshroll rules
  meshroll rules | grep mtls
  meshroll rules --policy policies/acme`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tSEVERITY\tSUMMARY")
			rules, err := repo.LintRules(policyDirs)
			if err != nil {
				return err
			}
			for _, r := range rules {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Severity, r.Summary)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringArrayVar(&policyDirs, "policy", nil, "directory of CUE policies to list too (repeatable)")
	return cmd
}
