package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/internal/junit"
	"github.com/meshroll/meshroll/traffic"
)

func newTestCmd(a *app) *cobra.Command {
	var src intentSource
	var output string
	cmd := &cobra.Command{
		Use:   "test [INTENTS...]",
		Short: "Run the routing expectations written in the intent",
		Long: `Test runs every expectation (the expect list of a rollout) in every phase it
names — every phase of the ladder when it names none — and prints a pass or fail
line per expectation. A failed expectation exits 1; render, check and lint
--intents report it as MR601.

A request is the one Envoy sees: the values of a header listed more than once
are joined with ",", and cookies join the cookie header with "; ". An
expectation with a gateway (one of the rollout's gateways) sends its request
through that gateway, for the rollout's public host unless its authority names
another; Gateway objects are not read, so the rollout's gateways and hosts
decide.

With -o junit it prints a JUnit XML report instead, one test suite per
rollout and one test case per expectation, for CI systems that show test
results. With --quiet it prints only the failures.`,
		Example: `  meshroll test fixtures/intents
  meshroll test --intents intents
  meshroll test -o junit > meshroll-test.xml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "text" && output != "junit" {
				return usageErrorf("unknown output format %q (want text or junit)", output)
			}
			paths, err := src.paths(args)
			if err != nil {
				return err
			}
			in, err := src.load(paths)
			if err != nil {
				return err
			}
			checks, err := traffic.CheckAll(in)
			if err != nil {
				return err
			}
			groups := groupChecks(checks)
			if output == "junit" {
				err = junit.Write(a.stdout, testSuites(groups))
			} else {
				writeTestReport(a.stdout, groups, a.quiet)
			}
			if err != nil {
				return err
			}
			for _, g := range groups {
				if len(g.failed) > 0 {
					return errFindings
				}
			}
			return nil
		},
	}
	src.register(cmd, true)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or junit")
	return cmd
}

// checkGroup is one expectation of one rollout, with the phases it ran in
// and the checks that failed.
type checkGroup struct {
	first  traffic.Check
	phases []string
	failed []traffic.Check
}

// groupChecks groups checks by expectation, in the order they come.
func groupChecks(checks []traffic.Check) []*checkGroup {
	var groups []*checkGroup
	byKey := map[string]*checkGroup{}
	for _, c := range checks {
		k := fmt.Sprintf("%s\x00%d", c.Rollout.ID(), c.Expectation.Index)
		g, ok := byKey[k]
		if !ok {
			g = &checkGroup{first: c}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.phases = append(g.phases, c.Phase)
		if !c.OK() {
			g.failed = append(g.failed, c)
		}
	}
	return groups
}

// writeTestReport prints one line per expectation — its phases grouped —
// and a summary; quiet prints the failures alone.
func writeTestReport(w io.Writer, groups []*checkGroup, quiet bool) {
	failed := 0
	for _, g := range groups {
		if len(g.failed) == 0 {
			if !quiet {
				fmt.Fprintf(w, "ok    %s: %s (%s)\n", g.first.Rollout.ID(), g.first.Name(), strings.Join(g.phases, ", "))
			}
			continue
		}
		failed++
		fmt.Fprintf(w, "FAIL  %s: %s\n", g.first.Rollout.ID(), g.first.Name())
		for _, c := range g.failed {
			fmt.Fprintf(w, "      %s: %s\n", c.Expectation.Pos, c.Explain())
		}
	}
	if !quiet || failed > 0 {
		fmt.Fprintf(w, "%s, %s failed\n", plural(len(groups), "expectation"), fmt.Sprint(failed))
	}
}

// testSuites is the JUnit form of groups: a suite per rollout, a case per
// expectation, at the expectation's file and line.
func testSuites(groups []*checkGroup) junit.Suites {
	out := junit.Suites{Name: "meshroll test"}
	index := map[string]int{}
	for _, g := range groups {
		id := g.first.Rollout.ID()
		i, ok := index[id]
		if !ok {
			i = len(out.Suites)
			index[id] = i
			out.Suites = append(out.Suites, junit.Suite{Name: id})
		}
		pos := g.first.Expectation.Pos
		c := junit.Case{Name: g.first.Name(), ClassName: id, File: pos.File, Line: pos.Line}
		if len(g.failed) > 0 {
			var phases, lines []string
			for _, f := range g.failed {
				phases = append(phases, f.Phase)
				lines = append(lines, f.Explain())
			}
			c.Failure = &junit.Problem{
				Message: fmt.Sprintf("%s: fails in phase %s", pos, strings.Join(phases, ", ")),
				Type:    "MR601",
				Text:    strings.Join(lines, "\n"),
			}
		}
		out.Suites[i].Cases = append(out.Suites[i].Cases, c)
	}
	return out
}
