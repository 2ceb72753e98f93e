package crd

import (
	"sort"
	"strings"
	"testing"
)

// TestEmbeddedSchemas loads the schema of every served kind and version and
// checks that the validator understands all of it: every type and format is
// one it handles, every pattern compiles, and every CEL rule compiles in the
// environment the validator gives it. A rule that does not compile fails
// here, loudly, instead of being skipped at run time.
func TestEmbeddedSchemas(t *testing.T) {
	rs := releases()
	if len(rs.versions) != 3 {
		t.Errorf("embedded releases %v; want the last three Istio minors", rs.versions)
	}
	for _, v := range rs.versions {
		t.Run(v, func(t *testing.T) { checkRelease(t, rs.get(v)) })
	}
}

func checkRelease(t *testing.T, reg *registry) {
	idx, err := reg.loadIndex()
	if err != nil {
		t.Fatal(err)
	}
	var groups []string
	for g := range idx.groups {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	rules, kinds := 0, 0
	for _, g := range groups {
		for _, kind := range idx.kindNames[g] {
			for version, file := range idx.groups[g][kind] {
				kinds++
				s, err := reg.loadSchema(file, kind)
				if err != nil {
					t.Errorf("%s/%s %s: %v", g, version, kind, err)
					continue
				}
				rules += checkSchema(t, g+"/"+version+" "+kind, s)
			}
		}
	}
	for _, want := range []string{"networking.istio.io", "security.istio.io", "telemetry.istio.io", "extensions.istio.io"} {
		if idx.groups[want] == nil {
			t.Errorf("the index has no group %s", want)
		}
	}
	// istio.io/api v1.31.1 has 15 kinds in 33 served versions with 398 rules.
	// v1.30.8 has fewer; none has fewer than 30 and 300.
	if kinds < 30 || rules < 300 {
		t.Errorf("checked %d kind versions and %d rules; the embedded schemas look truncated", kinds, rules)
	}
}

func checkSchema(t *testing.T, where string, s *schema) (rules int) {
	t.Helper()
	if s == nil {
		return 0
	}
	at := where + " " + s.path
	switch s.Type {
	case "", "object", "array", "string", "integer", "number", "boolean":
	default:
		t.Errorf("%s: unknown type %q", at, s.Type)
	}
	switch s.Format {
	case "", "int32", "int64", "double", "float", "byte", "date-time":
	default:
		t.Errorf("%s: format %q is not checked", at, s.Format)
	}
	if s.Pattern != "" {
		if _, err := s.regexp(); err != nil {
			t.Errorf("%s: pattern: %v", at, err)
		}
	}
	for _, e := range s.Enum {
		if _, ok := e.(string); !ok {
			t.Errorf("%s: enum value %v is not a string", at, e)
		}
	}
	if s.Type == "" && !s.IntOrString && !s.PreserveUnknownFields && s.path != "" && s.Properties != nil {
		t.Errorf("%s: an object without a type", at)
	}
	for _, r := range s.Validations {
		rules++
		if _, err := celRules.program(r.Rule); err != nil {
			t.Errorf("%s: %v", at, err)
		}
		if r.MessageExpression != "" || r.OptionalOldSelf != nil {
			t.Errorf("%s: rule %q uses messageExpression or optionalOldSelf, which the validator ignores", at, r.Rule)
		}
		if r.FieldPath != "" && len(r.FieldPath) > 1 && r.FieldPath[0] != '.' {
			t.Errorf("%s: rule %q has a fieldPath the validator cannot follow: %q", at, r.Rule, r.FieldPath)
		}
	}
	for _, name := range s.propNames {
		rules += checkSchema(t, where, s.Properties[name])
	}
	rules += checkSchema(t, where, s.Items)
	rules += checkSchema(t, where, s.AdditionalProperties)
	for _, sub := range append(append(append([]*schema{}, s.OneOf...), s.AnyOf...), s.AllOf...) {
		rules += checkSchema(t, where, sub)
	}
	rules += checkSchema(t, where, s.Not)
	return rules
}

// TestSchemaKeywords checks the keywords the Istio CRDs do not use today
// (or use only deep inside a kind) on schemas written for the test.
func TestSchemaKeywords(t *testing.T) {
	tests := []struct {
		name   string
		schema string
		doc    string
		wants  []want
	}{
		{"exclusive bounds", `{"type":"object","properties":{"n":{"type":"number","minimum":0,"exclusiveMinimum":true,"maximum":1,"exclusiveMaximum":true}}}`,
			"n: 0\n", []want{{"n", 1, 4, "n must be greater than 0 and less than 1, not 0"}}},
		{"exclusive bounds accept the inside", `{"type":"object","properties":{"n":{"type":"number","minimum":0,"exclusiveMinimum":true,"maximum":1,"exclusiveMaximum":true}}}`,
			"n: 0.5\n", nil},
		{"exclusive maximum alone", `{"type":"object","properties":{"n":{"type":"integer","maximum":10,"exclusiveMaximum":true}}}`,
			"n: 10\n", []want{{"n", 1, 4, "n must be less than 10, not 10"}}},
		{"maxProperties", `{"type":"object","properties":{"m":{"type":"object","maxProperties":1,"additionalProperties":{"type":"string"}}}}`,
			"m:\n  a: x\n  b: y\n", []want{{"m", 1, 1, "m must have at most 1 entries, not 2"}}},
		{"minProperties above one", `{"type":"object","properties":{"m":{"type":"object","minProperties":2,"additionalProperties":{"type":"string"}}}}`,
			"m: {a: x}\n", []want{{"m", 1, 1, "m must have at least 2 entries, not 1"}}},
		{"maxLength counts characters", `{"type":"object","properties":{"s":{"type":"string","maxLength":3}}}`,
			"s: äöü\n", nil},
		{"maxLength", `{"type":"object","properties":{"s":{"type":"string","maxLength":3}}}`,
			"s: abcd\n", []want{{"s", 1, 4, "s must be at most 3 characters long, not 4"}}},
		{"set list", `{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}}}`,
			"l: [a, b, a]\n", []want{{"l[2]", 1, 11, `l[2] repeats "a"`}}},
		{"generic oneOf", `{"type":"object","properties":{"v":{"type":"object","oneOf":[{"required":["a"]},{"required":["b"]}],"properties":{"a":{"type":"string"},"b":{"type":"string"}}}}}`,
			"v: {}\n", []want{{"v", 1, 4, "v must match exactly one of 2 alternatives of its schema (oneOf), and matches 0"}}},
		{"generic anyOf", `{"type":"object","properties":{"v":{"type":"string","anyOf":[{"pattern":"^a"},{"pattern":"^b"}]}}}`,
			"v: c\n", []want{{"v", 1, 4, "v matches none of the 2 alternatives of its schema (anyOf)"}}},
		{"not", `{"type":"object","properties":{"v":{"type":"string","not":{"enum":["forbidden"]}}}}`,
			"v: forbidden\n", []want{{"v", 1, 4, "v matches a schema it must not match (not)"}}},
		{"allOf reports its parts", `{"type":"object","properties":{"v":{"type":"integer","allOf":[{"minimum":1},{"maximum":5}]}}}`,
			"v: 7\n", []want{{"v", 1, 4, "v must be at most 5, not 7"}}},
		{"infinity is not a number", `{"type":"object","properties":{"v":{"type":"number"}}}`,
			"v: .inf\n", []want{{"v", 1, 4, "v must be a finite number"}}},
		{"hex integers", `{"type":"object","properties":{"v":{"type":"integer","maximum":255}}}`,
			"v: 0x1FF\n", []want{{"v", 1, 4, "v must be at most 255, not 511"}}},
		{"integers beyond int64", `{"type":"object","properties":{"v":{"type":"integer"}}}`,
			"v: 18446744073709551615\n", []want{{"v", 1, 4, "too large for an integer"}}},
		{"preserve-unknown-fields", `{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"known":{"type":"string"}}}`,
			"known: 1\nother: {deep: [1, 2]}\n", []want{{"known", 1, 8, "known must be a string"}}},
		{"object without fields rejects every field", `{"type":"object","properties":{"empty":{"type":"object"}}}`,
			"empty: {x: 1}\n", []want{{"empty.x", 1, 9, `unknown field "x" in empty`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := decodeSchema([]byte(tt.schema))
			if err != nil {
				t.Fatal(err)
			}
			s.prepare("Test", "")
			doc := parse(t, tt.doc)
			w := walker{cel: &celRules}
			w.init("Test")
			w.value(doc.Content[0], nil, s)
			sortErrors(w.errs)
			match := len(w.errs) == len(tt.wants)
			for i := 0; match && i < len(tt.wants); i++ {
				e, wt := w.errs[i], tt.wants[i]
				match = e.Path == wt.path && e.Line == wt.line && e.Column == wt.col && strings.Contains(e.Message, wt.msg)
			}
			if !match {
				t.Errorf("got %+v\nwant %v", w.errs, tt.wants)
			}
		})
	}
}

func TestDecodeSchemaRejectsUnknownKeywords(t *testing.T) {
	if _, err := decodeSchema([]byte(`{"type":"string","x-kubernetes-new-thing":true}`)); err == nil {
		t.Error("decodeSchema accepted an unknown keyword")
	}
}
