package main

import (
	"fmt"
	"io"

	"github.com/meshroll/meshroll/lint/intent"
	"github.com/meshroll/meshroll/schema"
)

// checkExpectations runs the routing expectations of in and prints each
// that fails as an MR601 finding at the expectation's position, as lint
// --intents reports it. It reports whether any failed.
func checkExpectations(w io.Writer, in *schema.Intent) (bool, error) {
	facts, err := intent.Facts(in)
	if err != nil {
		return false, err
	}
	failed := false
	for _, r := range facts.Rollouts {
		for _, c := range r.Checks {
			if c.Failure == "" {
				continue
			}
			failed = true
			fmt.Fprintf(w, "%s: error MR601 rollout %s: expectation %q fails %s\n", c.Pos, r.Name, c.Name, c.Failure)
		}
	}
	return failed, nil
}
