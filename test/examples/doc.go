// Package examples tests the configuration users copy from examples/: the
// Argo CD config management plugin and its sidecar, built with kustomize as
// users build them.
package examples
