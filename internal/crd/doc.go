// Package crd validates Istio manifests the way the Kubernetes API server and
// Istio's validation webhook would, with the file position of every problem.
//
// The OpenAPI v3 schemas of every Istio CRD and served version come from the
// CustomResourceDefinitions shipped in istio.io/api (the version in go.mod);
// internal/gen extracts them into the embedded schemas directory. Validate
// walks a yaml.v3 document against the structural schema of its
// apiVersion/kind (types, unknown fields, required fields, enums, ranges,
// lengths, patterns, formats, maps, int-or-string, oneOf/anyOf/allOf/not),
// evaluates the CRDs' CEL rules (x-kubernetes-validations) with cel-go and
// the Kubernetes CEL functions they use, and adds the checks of Istio's
// validation webhook that the schema misses.
//
// Schemas load lazily, one kind at a time, and CEL rules compile on first use
// and are cached, so that a process validating one file pays for what that
// file holds.
package crd

//go:generate go run ./internal/gen -out schemas
