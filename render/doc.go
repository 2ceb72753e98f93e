// Package render turns validated rollout intent into Istio objects — a
// VirtualService, DestinationRules and PeerAuthentications built from the
// istio.io/api types inside istio.io/client-go's Kubernetes wrappers — for
// any phase of a rollout, writes them as deterministic YAML, and lays them
// out as a tree that kustomize, Argo CD and Flux consume.
//
// Asked to (Trace), it records as it builds each object which intent field
// produced each rendered field, keyed by the rendered data path, so that
// findings on rendered manifests land on the intent lines that made them
// without guessing the rendering backwards.
package render
