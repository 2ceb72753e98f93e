// Package lint checks Istio manifests against meshroll's rules.
//
// The manifests come from package manifest (Load, or Parse for text at hand),
// loaded with Inspect so that the built-in CUE policies run while each
// object's tree is at hand. Run runs rules over them and returns a Report of
// Diagnostics, sorted by file, line, column, rule, resource and message. A
// rule is a Rule value, in the style of golang.org/x/tools/go/analysis: it
// sees the input through a Pass, which carries the manifest.Index
// (DestinationRules by host, PeerAuthentications by namespace) and reports
// findings at data paths such as spec.http[1].route[0].weight, which the
// Resource maps to the line and column of that field in the file the user
// wrote. What the loader could not read is reported under MR900, MR902 and
// MR903. All returns the built-in rules; other sources of findings, such as
// CUE policies, are Rules too and are passed to Run alongside them.
package lint

//go:generate go test -run TestRulesDoc -update
