// Command meshroll renders Istio rollout intent written in CUE into GitOps
// manifests, lints Istio manifests, and shows what a change does to traffic.
package main

import (
	"os"

	"github.com/meshroll/meshroll/internal/bound"
)

// main first serves a bounded evaluation when meshroll was started as its own
// child for one (see internal/bound).
func main() {
	bound.Serve()
	os.Exit(Main())
}
