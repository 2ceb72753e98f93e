// Package yamlproto decodes a yaml.v3 node tree into a protobuf message
// leniently: unknown fields are skipped, a value of the wrong type is dropped
// and recorded with its path, and everything else is kept. It accepts what
// Istio's own decoding accepts in YAML manifests (enum names or numbers,
// durations such as 1m30s, map keys written as numbers), so that the lint rules
// see the spec a user meant even when one field is wrong. Checking the spec
// against Istio's schemas is the job of rule MR900, not of this package.
//
// The node tree must already be checked for alias cycles and expansion size
// (the lint loader does that); Decode still bounds its depth.
package yamlproto
