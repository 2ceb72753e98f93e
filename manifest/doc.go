// Package manifest is meshroll's one model of Kubernetes manifests: how
// they are found, read, split, decoded and indexed. Every command that reads
// manifests — lint, check, route, test, diff and the MCP tools — reads them
// here, so that all of them see the same files and the same objects.
//
// Load finds input under the path policy of package input (hidden entries and
// excluded paths skipped, symbolic links followed inside the repository,
// loops and links out refused), reads files, standard input and kustomize
// directories (built in-process by sigs.k8s.io/kustomize/api, which never
// fetches or runs anything here), splits YAML streams into documents and
// bounds what each may cost (Limits). Input that cannot be read as
// manifests is a Problem in the result, at its position, and the rest is
// read.
//
// Each object is a Resource: its identity, labels and annotations, and for
// Istio's kinds the spec decoded once into the istio.io/api type and
// validated by Istio's own schemas and webhook checks (internal/crd). The
// YAML tree is not kept: Resource.Position builds it again from the
// document's text when a finding needs the line and column of a data path
// such as spec.http[1].route[0].weight, so memory follows the input's text.
//
// Index resolves hosts as Istio does (short names, namespaces, wildcards,
// exportTo) and answers which DestinationRules, PeerAuthentications,
// Services and workloads apply to what; Routes reads a VirtualService's
// routes for rules and for the routing engine in package route.
package manifest
