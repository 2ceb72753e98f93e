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
// them, so that one mistake gives one error. The webhook checks cover every
// kind meshroll reads — VirtualService, DestinationRule, PeerAuthentication,
// Gateway, Sidecar, ServiceEntry, WorkloadEntry, WorkloadGroup,
// AuthorizationPolicy, RequestAuthentication, Telemetry, EnvoyFilter — and
// every object's metadata; each file cites the Istio functions it ports and
// the Istio release, so that a new release can be diffed against it. What
// Istio only warns about is not reported: MR900 is for rejections.
//
// The package is the one judge of what Istio rejects: the lint loader only
// decodes a spec into its istio.io/api type, and every rule that reports a
// rejection reports what this package decides. A few faults have rules of
// their own that say more than a validation error can (a negative weight,
// weights that add up to 0, a regex that is not RE2, a mirror percentage
// outside 0..100, a duplicate subset name): their errors carry a Class, so
// that MR900 leaves exactly those to their rules; MR205 also compiles
// regexes through RegexError. A classified error does not stop the checks of
// the fields around it, so the errors of an object do not depend on whether
// anyone leaves some of them to another rule.
//
// The schemas of the last three Istio minor releases are embedded, one
// directory each; Validate uses the newest, ValidateFor a chosen one.
//
// Schemas load lazily, one kind at a time, and CEL rules compile on first use
// and are cached, so that a process validating one file pays for what that
// file holds.
package crd

//go:generate go run ./internal/gen -out schemas
