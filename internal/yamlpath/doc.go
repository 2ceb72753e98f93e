// Package yamlpath maps data paths such as spec.http[1].route[0].weight to the
// yaml.v3 nodes that hold them, so that a finding about a decoded value can be
// reported at the line and column where the user wrote it.
//
// A path is a sequence of map keys and list indices. Keys made of letters,
// digits, '-', '_' and '/' are written bare and joined with dots; any other key
// is quoted in brackets: metadata.annotations["meshroll.dev/ignore.MR301"].
package yamlpath
