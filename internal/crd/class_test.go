package crd

import (
	"fmt"
	"strings"
	"testing"
)

// TestValidateClasses checks the checks whose errors carry a Class: each
// fault is reported once, with its class, where it is written; and a
// classified error does not hide the other errors of the object.
func TestValidateClasses(t *testing.T) {
	type classed struct {
		path      string
		line, col int
		class     Class
		msg       string
	}
	tests := []struct {
		name string
		doc  string
		want []classed
	}{
		{"negative weight", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
      weight: -15
`), []classed{{"spec.http[0].route[0].weight", 10, 15, NegativeWeight, "is -15, and Istio rejects a negative weight"}}},
		{"negative weight of a tcp route", vs(`  hosts: [reviews]
  tcp:
  - route:
    - destination: {host: reviews}
      weight: 110
    - destination: {host: ratings}
      weight: -10
`), []classed{{"spec.tcp[0].route[1].weight", 12, 15, NegativeWeight, "is -10"}}},
		{"weights that add up to 0", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 0
    - destination: {host: reviews, subset: v2}
`), []classed{{"spec.http[0].route", 8, 5, ZeroTotalWeight, "the weights of the 2 destinations of spec.http[0].route add up to 0"}}},
		{"one destination without a weight is fine", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
`), nil},
		{"a negative weight does not hide the route's other errors", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
      weight: -15
    mirror: {host: reviews}
    mirrors:
    - destination: {host: reviews}
`), []classed{
			{"spec.http[0].route[0].weight", 10, 15, NegativeWeight, "negative weight"},
			{"spec.http[0].mirrors", 12, 5, Other, "sets both mirror and mirrors"},
		}},
		{"mirror percentages", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    mirror: {host: reviews, subset: v2}
    mirrorPercentage: {value: 150}
  - route:
    - destination: {host: reviews}
    mirrors:
    - destination: {host: reviews, subset: v2}
      percentage: {value: -1}
  - route:
    - destination: {host: reviews}
    mirror: {host: reviews, subset: v2}
    mirrorPercent: 200
`), []classed{
			{"spec.http[0].mirrorPercentage.value", 11, 31, MirrorPercentage, "is 150, outside 0..100"},
			{"spec.http[1].mirrors[0].percentage.value", 16, 27, MirrorPercentage, "is -1, outside 0..100"},
			{"spec.http[2].mirrorPercent", 20, 20, MirrorPercentage, "is 200, above 100"},
		}},
		{"a negative mirrorPercent is the schema's", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    mirror: {host: reviews, subset: v2}
    mirrorPercent: -5
`), []classed{{"spec.http[0].mirrorPercent", 11, 20, Other, "must not be negative"}}},
		{"regexes", vs(`  hosts: [reviews]
  http:
  - match:
    - uri: {regex: "^(?!x).*"}
      headers:
        cookie: {regex: "(a"}
    rewrite:
      uriRegexRewrite: {match: "\\1", rewrite: /x}
    corsPolicy:
      allowOrigins:
      - regex: "*.example.com"
    route:
    - destination: {host: reviews}
`), []classed{
			{"spec.http[0].match[0].uri.regex", 9, 20, BadRegex, "is not valid RE2, so Istio rejects it (error parsing regexp: invalid or unsupported Perl syntax: `(?!`)"},
			{`spec.http[0].match[0].headers["cookie"].regex`, 11, 25, BadRegex, "missing closing )"},
			{"spec.http[0].rewrite.uriRegexRewrite.match", 13, 32, BadRegex, "invalid escape sequence"},
			{"spec.http[0].corsPolicy.allowOrigins[0].regex", 16, 16, BadRegex, "missing argument to repetition operator"},
		}},
		{"withoutHeaders regex * means absent", vs(`  hosts: [reviews]
  http:
  - match:
    - withoutHeaders:
        x-canary: {regex: "*"}
    route:
    - destination: {host: reviews}
`), nil},
		{"a regex too long for Envoy is not a syntax error", vs(`  hosts: [reviews]
  http:
  - match:
    - uri: {regex: "` + strings.Repeat("a", 1025) + `"}
    route:
    - destination: {host: reviews}
`), []classed{{"spec.http[0].match[0].uri.regex", 9, 20, Other, "is 1025 characters long"}}},
		{"duplicate subsets", dr(`  host: reviews
  subsets:
  - name: v1
  - name: v2
  - name: v1
  - name: v1
`), []classed{
			{"spec.subsets[2].name", 10, 11, DuplicateSubset, `"v1" is already the name of spec.subsets[0]`},
			{"spec.subsets[3].name", 11, 11, DuplicateSubset, `"v1" is already the name of spec.subsets[0]`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs, ok := Validate(parse(t, tt.doc))
			if !ok {
				t.Fatal("not recognised as an Istio object")
			}
			match := len(errs) == len(tt.want)
			for i := 0; match && i < len(errs); i++ {
				e, w := errs[i], tt.want[i]
				match = e.Path == w.path && e.Line == w.line && e.Column == w.col && e.Class == w.class && strings.Contains(e.Message, w.msg)
			}
			if !match {
				var got []string
				for _, e := range errs {
					got = append(got, fmt.Sprintf("%d:%d %s (%s): %s", e.Line, e.Column, e.Path, e.Class, e.Message))
				}
				t.Errorf("errors:\n  %s\nwant %+v", strings.Join(got, "\n  "), tt.want)
			}
		})
	}
}

func TestClassString(t *testing.T) {
	for c, want := range map[Class]string{Other: "other", NegativeWeight: "negative-weight", DuplicateSubset: "duplicate-subset", Class(200): "unknown"} {
		if got := c.String(); got != want {
			t.Errorf("Class(%d).String() = %q, want %q", c, got, want)
		}
	}
}
