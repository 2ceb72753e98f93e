package lint

import (
	"fmt"
	"strings"
	"testing"

	"github.com/meshroll/meshroll/internal/crd"
	"github.com/meshroll/meshroll/manifest"
)

// TestInvalidManifestClasses checks that every class of validation error
// that MR900 leaves to another rule is reported by that rule, once, at the
// line of the fault, and not by MR900: the validator judges, one rule
// reports.
func TestInvalidManifestClasses(t *testing.T) {
	vs := func(http string) string {
		return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec:\n  hosts: [reviews]\n  http:\n" + http
	}
	tests := []struct {
		class crd.Class
		doc   string
		line  int
	}{
		{crd.NegativeWeight, vs("  - route:\n    - destination: {host: reviews}\n      weight: 110\n    - destination: {host: ratings}\n      weight: -10\n"), 11},
		{crd.ZeroTotalWeight, vs("  - route:\n    - destination: {host: reviews}\n      weight: 0\n    - destination: {host: ratings}\n"), 7},
		{crd.BadRegex, vs("  - match:\n    - uri: {regex: \"^(?!x)\"}\n    route:\n    - destination: {host: reviews}\n"), 8},
		{crd.MirrorPercentage, vs("  - route:\n    - destination: {host: reviews}\n    mirror: {host: ratings}\n    mirrorPercentage: {value: 101}\n"), 10},
		{crd.DuplicateSubset, "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec:\n  host: reviews\n  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v1, labels: {version: v2}}\n", 8},
	}
	covered := map[crd.Class]bool{}
	for _, tt := range tests {
		t.Run(tt.class.String(), func(t *testing.T) {
			covered[tt.class] = true
			owner, ok := explainedBy[tt.class]
			if !ok {
				t.Fatalf("explainedBy has no rule for %s", tt.class)
			}
			if Lookup(All(), owner) == nil {
				t.Fatalf("explainedBy names %s, which is not a rule", owner)
			}
			m := manifest.Parse("in.yaml", []byte(tt.doc), manifest.LoadOptions{})
			errs, _, err := m.Resources[0].Validation("")
			if err != nil {
				t.Fatal(err)
			}
			classed := 0
			for _, e := range errs {
				if e.Class == tt.class {
					classed++
				}
			}
			if classed != 1 {
				t.Fatalf("the validator gives %d errors of class %s, want 1: %v", classed, tt.class, errs)
			}
			rep, err := Run(m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var at []string
			for _, d := range rep.Diagnostics {
				if d.Severity == Error {
					at = append(at, fmt.Sprintf("%s@%d", d.Rule, d.Line))
				}
			}
			if want := fmt.Sprintf("%s@%d", owner, tt.line); strings.Join(at, " ") != want {
				t.Errorf("errors %v, want only %s", at, want)
			}
		})
	}
	for c := crd.Other + 1; c.String() != "unknown"; c++ {
		if _, ok := explainedBy[c]; !ok {
			t.Errorf("class %s has no rule in explainedBy: MR900 would report it, or it needs an owner", c)
		}
		if !covered[c] {
			t.Errorf("class %s has no case in this test", c)
		}
	}
}
