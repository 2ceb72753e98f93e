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
// Values are typed as yaml.v3 reads them, by the YAML 1.2 core schema: an
// unquoted yes is a string, "80" is a string and 80 an integer, and a number
// in quotes for an integer field is a wrong type. A null in a field that is
// not nullable counts as absent, because the API server prunes it. CEL rules
// and webhook checks run only where the schema found nothing wrong below
// them, so that one mistake gives one error. The webhook checks cover
// VirtualService, DestinationRule, PeerAuthentication and every object's
// metadata; other kinds get the schema and its CEL rules.
//
// Schemas load lazily, one kind at a time, and CEL rules compile on first use
// and are cached, so that a process validating one file pays for what that
// file holds.
package crd

//go:generate go run ./internal/gen -out schemas
