// Package yamlproto decodes a yaml.v3 node tree into a protobuf message, best
// effort: unknown fields are skipped, a value of the wrong type is dropped,
// and everything else is kept. It accepts what Istio's own decoding accepts
// in YAML manifests (enum names or numbers, durations such as 1m30s, map keys
// written as numbers, quoted numbers), so that the lint rules see the spec a
// user meant even when one field is wrong.
//
// It only decodes. It says nothing about what it skipped: whether a manifest
// is valid is decided in one place, internal/crd (Istio's CRD schemas and
// webhook checks), which rule MR900 and the rules that explain particular
// rejections report from.
//
// The node tree is plain: package manifest resolves aliases and merge keys,
// after bounding what they expand to, before anything reads a tree. Decode
// still bounds its depth and the values it visits, counting a value shared
// by several places at each.
package yamlproto
