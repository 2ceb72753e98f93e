package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/lint"
)

func newExplainCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "explain RULE",
		Short: "Explain a lint rule, with examples",
		Long: `Print a lint rule's documentation: what it checks and why, how to fix a
finding, and a manifest it flags next to the same manifest fixed. RULE is
an ID (MR101) or a name (subset-not-found).`,
		Example: `  meshroll explain MR101
  meshroll explain subset-not-found`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r := findRule(lint.All(), args[0])
			if r == nil {
				return fmt.Errorf("no rule %q: meshroll rules lists them", args[0])
			}
			return explain(a.stdout, r)
		},
	}
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
	_, err := fmt.Fprintf(w, `%s %s (%s, since %s)

%s.

%s

Based on: %s
More: %s

Flagged:

%s
Fixed:

%s`, r.ID, r.Name, r.Severity, r.Since, upperFirst(r.Summary), r.Doc, r.Anchor, r.URL(), indent(r.Bad), indent(r.Good))
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
