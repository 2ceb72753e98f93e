// Command meshroll renders Istio rollout intent written in CUE into GitOps
// manifests, lints Istio manifests, and shows what a change does to traffic.
package main

import "os"

func main() { os.Exit(Main()) }
