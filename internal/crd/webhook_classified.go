package crd

import (
	"regexp"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
)

// The checks in this file port the parts of Istio's validation webhook whose
// faults carry a Class (class.go): validateWeight and the weight totals of
// validateHTTPRouteDestinations and validateRouteDestinations, the mirror
// percentages of validateHTTPRoute (pkg/config/validation/virtualservice.go)
// and validateHTTPMirrors, validateStringRegexp, and the duplicate subset
// names of ValidateDestinationRule (pkg/config/validation/validation.go), at
// Istio 1.32 (istio/istio 86c9f01f). Each is attached to the narrowest node
// it reads, so that a mistake elsewhere in a route does not hide it.

// classifiedChecks returns the checks of this file for kind at a schema
// path. None of them shares a path with another cross check.
func classifiedChecks(kind, path string) []check {
	switch {
	case kind == "VirtualService":
		switch path {
		case "spec.http[].route", "spec.tcp[].route", "spec.tls[].route":
			return []check{checkRouteWeights}
		case "spec.http[].mirrorPercentage", "spec.http[].mirrors[].percentage":
			return []check{checkMirrorPercentage}
		case "spec.http[].mirrorPercent":
			return []check{checkMirrorPercent}
		}
	case kind == "DestinationRule" && path == "spec.subsets":
		return []check{checkSubsetNames}
	}
	return nil
}

// checkRouteWeights checks the destinations of one http, tcp or tls route
// (the route list): no weight below 0, and, when there are several, not all
// of them 0, which would send the route's traffic nowhere. The total is an
// int32, as Istio adds the weights.
func checkRouteWeights(w *walker, n, key *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		return
	}
	var total int32
	for i, d := range n.Content {
		if d == nil {
			return
		}
		_, weight, ok := w.intField(d, "weight")
		if !ok {
			continue
		}
		if weight < 0 {
			_, v := w.field(d, "weight")
			at := []seg{{kind: segIndex, index: i}, {kind: segField, name: "weight"}}
			w.reportClass(NegativeWeight, v, at, "%s is %d, and Istio rejects a negative weight: use a percentage from 0 to 100", w.pathString(at...), weight)
		}
		total += int32(weight)
	}
	if len(n.Content) > 1 && total == 0 {
		w.reportClass(ZeroTotalWeight, anchor(n, key), nil, "the weights of the %d destinations of %s add up to 0, and Istio rejects a route that sends its traffic nowhere: give them weights that add up to 100", len(n.Content), w.where())
	}
}

// checkMirrorPercentage checks a mirrorPercentage or a mirrors entry's
// percentage: a value from 0 to 100.
func checkMirrorPercentage(w *walker, n, key *yaml.Node) {
	_, v := w.field(n, "value")
	if v == nil || v.Kind != yaml.ScalarNode {
		return
	}
	// As Istio compares: NaN is neither below 0 nor above 100.
	num, ok := parseNumber(v, scalarKindOf(v))
	if !ok || !(num.f < 0 || num.f > 100) {
		return
	}
	at := []seg{{kind: segField, name: "value"}}
	w.reportClass(MirrorPercentage, v, at, "%s is %s, outside 0..100, so Istio rejects it: use a percentage from 0 to 100", w.pathString(at...), num.text())
}

// checkMirrorPercent checks the deprecated mirrorPercent, which the schema
// keeps at 0 or more: at most 100.
func checkMirrorPercent(w *walker, n, key *yaml.Node) {
	if n.Kind != yaml.ScalarNode {
		return
	}
	if num, ok := parseNumber(n, scalarKindOf(n)); ok && num.f > 100 {
		w.reportClass(MirrorPercentage, n, nil, "%s is %s, above 100, so Istio rejects it: use mirrorPercentage with a value from 0 to 100", w.where(), num.text())
	}
}

// checkSubsetNames checks that no two subsets of a DestinationRule share a
// name; each repeat is reported where it is written.
func checkSubsetNames(w *walker, n, key *yaml.Node) {
	if n.Kind != yaml.SequenceNode || len(n.Content) < 2 {
		return
	}
	first := make(map[string]int, len(n.Content))
	for i, s := range n.Content {
		if s == nil {
			return
		}
		_, v, name := w.stringField(s, "name")
		if v == nil {
			continue
		}
		j, dup := first[name]
		if !dup {
			first[name] = i
			continue
		}
		at := []seg{{kind: segIndex, index: i}, {kind: segField, name: "name"}}
		w.reportClass(DuplicateSubset, v, at, "%s %s is already the name of %s, and Istio rejects a DestinationRule that names a subset twice: rename or remove one of them",
			w.pathString(at...), quote(name), w.pathString(seg{kind: segIndex, index: j}))
	}
}

// maxRegexLength is the longest regex Istio accepts: Envoy bounds a regex's
// RE2 program size, which Istio approximates by its length.
const maxRegexLength = 1024

// badRegex reports whether Istio rejects the regex src, so that a caller
// builds the path of an error only when there is one.
func badRegex(src string) bool { return len(src) > maxRegexLength || RegexError(src) != nil }

// regex reports what is wrong with a regex written at node v, at path at
// below the current one.
func (w *walker) regex(v *yaml.Node, at []seg) {
	if len(v.Value) > maxRegexLength {
		w.report(v, at, "%s is %d characters long, and Istio rejects a regex longer than %d: shorten it", w.pathString(at...), len(v.Value), maxRegexLength)
		return
	}
	if err := RegexError(v.Value); err != nil {
		w.reportClass(BadRegex, v, at, "%s is not valid RE2, so Istio rejects it (%v): rewrite it without look-around or back-references", w.pathString(at...), err)
	}
}

// regexErrors remembers what compiling each regex said: the same regexes
// come back in every phase of every rollout. It holds at most
// maxRegexErrors, so that a long-running process (meshroll mcp) does not
// grow with every input it sees.
var (
	regexErrors sync.Map // string → error (nil for a valid regex)
	regexCount  atomic.Int64
)

const maxRegexErrors = 1 << 14

// RegexError is the error of compiling src as RE2, as Istio's validation
// compiles a regex match, or nil. It is what decides the class BadRegex.
func RegexError(src string) error {
	if e, ok := regexErrors.Load(src); ok {
		err, _ := e.(error)
		return err
	}
	_, err := regexp.Compile(src)
	if regexCount.Add(1) <= maxRegexErrors {
		regexErrors.Store(src, err)
	}
	return err
}
