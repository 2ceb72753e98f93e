// Package gentree writes a GitOps tree of Istio manifests shaped like
// meshroll's rendered output, for benchmarks: per namespace a directory with
// a VirtualService and a DestinationRule per service, a PeerAuthentication
// and a kustomization.yaml, and a few planted faults at fixed places.
package gentree
