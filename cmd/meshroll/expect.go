package main

import (
	"fmt"
	"io"

	"github.com/meshroll/meshroll/schema"
	"github.com/meshroll/meshroll/traffic"
)

// checkExpectations runs the routing expectations of in and prints each
// failure as an MR601 finding at the expectation's position. It reports
// whether any failed.
func checkExpectations(w io.Writer, in *schema.Intent) (bool, error) {
	checks, err := traffic.CheckAll(in)
	if err != nil {
		return false, err
	}
	failed := false
	for _, c := range checks {
		if c.OK() {
			continue
		}
		failed = true
		fmt.Fprintf(w, "%s: error MR601 rollout %s: expectation %q fails %s\n", c.Expectation.Pos, c.Rollout.Name, c.Name(), c.Explain())
	}
	return failed, nil
}
