package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/gate"
	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/repo"
)

func newExplainCmd(a *app) *cobra.Command {
	var policyDirs []string
	cmd := &cobra.Command{
		Use:   "explain RULE",
		Short: "Explain a lint rule, with examples",
		Long: `Print a lint rule's documentation: what it checks and why, how to fix a
finding, and a manifest it flags next to the same manifest fixed. RULE is
an ID (MR101) or a name (subset-not-found). With --policy, the policies of a
CUE policy directory can be explained too. meshroll explain analysis documents
the metric analysis of rollout intent: its fields, the templates with the
PromQL they run, and the variables of custom queries.`,
		Example: `  meshroll explain MR101
  meshroll explain subset-not-found
  meshroll explain ACME001 --policy policies/acme
  meshroll explain analysis`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rules, err := repo.LintRules(policyDirs)
			if err != nil {
				return err
			}
			r := findRule(rules, args[0])
			if r == nil && strings.EqualFold(args[0], "analysis") {
				doc, err := gate.Explain()
				if err != nil {
					return err
				}
				_, err = io.WriteString(a.stdout, doc)
				return err
			}
			if r == nil {
				return fmt.Errorf("no rule %q: meshroll rules lists them (and meshroll explain analysis documents metric analysis)", args[0])
			}
			return explain(a.stdout, r)
		},
	}
	cmd.Flags().StringArrayVar(&policyDirs, "policy", nil, "directory of CUE policies whose rules can be explained too (repeatable)")
	return cmd
}

// findRule finds a rule by ID or name, ignoring case.
func findRule(rules []*lint.Rule, s string) *lint.Rule {
	for _, r := range rules {
		if strings.EqualFold(r.ID, s) || strings.EqualFold(r.Name, s) {
			return r
		}
	}
	return nil
}

func explain(w io.Writer, r *lint.Rule) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s", r.ID, r.Name, r.Severity)
	if r.Since != "" {
		fmt.Fprintf(&b, ", since %s", r.Since)
	}
	fmt.Fprintf(&b, ")\n\n%s.\n", upperFirst(strings.TrimSuffix(r.Summary, ".")))
	if r.Doc != "" {
		fmt.Fprintf(&b, "\n%s\n", r.Doc)
	}
	if r.SeverityWhy != "" {
		fmt.Fprintf(&b, "\nWhy this severity: %s\n", r.SeverityWhy)
	}
	fmt.Fprintf(&b, "\nBased on: %s\n", r.Anchor)
	if u := r.URL(); u != "" {
		fmt.Fprintf(&b, "More: %s\n", u)
	}
	if r.Base != "" {
		fmt.Fprintf(&b, "\nAt the base revision:\n\n%s", indent(r.Base))
	}
	if r.Bad != "" {
		fmt.Fprintf(&b, "\nFlagged:\n\n%s", indent(r.Bad))
	}
	if r.Good != "" {
		fmt.Fprintf(&b, "\nFixed:\n\n%s", indent(r.Good))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func indent(s string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" && l != "\n" {
			b.WriteString("    ")
		}
		b.WriteString(l)
	}
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
