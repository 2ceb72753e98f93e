// Package render turns validated rollout intent into Istio objects — a
// VirtualService, DestinationRules and PeerAuthentications built from the
// istio.io/api types inside istio.io/client-go's Kubernetes wrappers — for
// any phase of a rollout, writes them as deterministic YAML, and lays them
// out as a tree that kustomize, Argo CD and Flux consume.
package render
