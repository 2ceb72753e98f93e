package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/traffic"
)

func newTestCmd(a *app) *cobra.Command {
	var src intentSource
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
decide.`,
		Example: `  meshroll test fixtures/intents
  meshroll test --intents intents`,
		RunE: func(cmd *cobra.Command, args []string) error {
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
			if failed := writeTestReport(a.stdout, checks); failed > 0 {
				return errFindings
			}
			return nil
		},
	}
	src.register(cmd, true)
	return cmd
}

// writeTestReport prints one line per expectation — its phases grouped —
// and returns how many expectations failed.
func writeTestReport(w io.Writer, checks []traffic.Check) int {
	type group struct {
		first  traffic.Check
		phases []string
		failed []traffic.Check
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, c := range checks {
		k := fmt.Sprintf("%s\x00%d", c.Rollout.ID(), c.Expectation.Index)
		g, ok := byKey[k]
		if !ok {
			g = &group{first: c}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.phases = append(g.phases, c.Phase)
		if !c.OK() {
			g.failed = append(g.failed, c)
		}
	}
	failed := 0
	for _, g := range groups {
		if len(g.failed) == 0 {
			fmt.Fprintf(w, "ok    %s: %s (%s)\n", g.first.Rollout.ID(), g.first.Name(), strings.Join(g.phases, ", "))
			continue
		}
		failed++
		fmt.Fprintf(w, "FAIL  %s: %s\n", g.first.Rollout.ID(), g.first.Name())
		for _, c := range g.failed {
			fmt.Fprintf(w, "      %s: %s\n", c.Expectation.Pos, c.Explain())
		}
	}
	fmt.Fprintf(w, "%s, %s failed\n", plural(len(groups), "expectation"), fmt.Sprint(failed))
	return failed
}
