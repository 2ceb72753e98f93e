// Package lint loads Istio manifests with the position of every field and
// checks them against meshroll's rules.
//
// Load reads files, directories, standard input and kustomize directories into
// Resources; Run runs rules over them and returns a Report of Diagnostics,
// sorted by file, line, column, rule, resource and message. A rule is a Rule
// value, in the style of golang.org/x/tools/go/analysis: it sees the input
// through a Pass, which indexes the resources (DestinationRules by host,
// PeerAuthentications by namespace) and reports findings at data paths such as
// spec.http[1].route[0].weight, which the Resource maps to the line and column
// of that field in the file the user wrote. All returns the built-in rules;
// other sources of findings, such as CUE policies, are Rules too and are
// passed to Run alongside them.
package lint

//go:generate go test -run TestRulesDoc -update
