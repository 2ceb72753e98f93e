// Command meshroll-gen writes N generated rollout intents into a directory,
// for benchmarks: go run ./internal/gen/cmd/meshroll-gen -n 1000 -out /tmp/intents
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/meshroll/meshroll/internal/gen"
)

func main() {
	n := flag.Int("n", 1000, "number of rollouts")
	out := flag.String("out", "", "directory to write into (must not exist)")
	expect := flag.Bool("expect", false, "give every rollout a routing test")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "meshroll-gen: -out DIR is required")
		os.Exit(2)
	}
	if _, err := os.Stat(*out); err == nil {
		fmt.Fprintf(os.Stderr, "meshroll-gen: %s exists; give a new directory\n", *out)
		os.Exit(2)
	}
	if err := gen.Write(*out, *n, gen.Options{Expect: *expect}); err != nil {
		fmt.Fprintln(os.Stderr, "meshroll-gen:", err)
		os.Exit(1)
	}
}
