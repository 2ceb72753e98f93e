// Command gentree writes a GitOps tree of Istio manifests for benchmarks:
//
//	go run ./lint/internal/gentree/cmd/gentree -services 5000 -out /tmp/tree
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/meshroll/meshroll/lint/internal/gentree"
)

func main() {
	services := flag.Int("services", 1000, "number of services")
	out := flag.String("out", "", "directory to write (created)")
	faults := flag.Bool("faults", true, "plant a few faults")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gentree: -out is required")
		os.Exit(2)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := gentree.Write(*out, gentree.Config{Services: *services, PlantedFaults: *faults}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
