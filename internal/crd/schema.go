package crd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// schema is one node of a CRD's OpenAPI v3 schema, as the generator wrote it
// (descriptions dropped), plus what prepare derives from it once per load.
// Unknown keywords fail decoding, so a new keyword in a future istio.io/api
// breaks a test instead of being silently ignored.
type schema struct {
	Type                  string             `json:"type"`
	Format                string             `json:"format"`
	Nullable              bool               `json:"nullable"`
	Properties            map[string]*schema `json:"properties"`
	Required              []string           `json:"required"`
	Items                 *schema            `json:"items"`
	AdditionalProperties  *schema            `json:"additionalProperties"`
	Enum                  []any              `json:"enum"`
	Minimum               *float64           `json:"minimum"`
	Maximum               *float64           `json:"maximum"`
	ExclusiveMinimum      bool               `json:"exclusiveMinimum"`
	ExclusiveMaximum      bool               `json:"exclusiveMaximum"`
	MinLength             *int64             `json:"minLength"`
	MaxLength             *int64             `json:"maxLength"`
	MinItems              *int64             `json:"minItems"`
	MaxItems              *int64             `json:"maxItems"`
	MinProperties         *int64             `json:"minProperties"`
	MaxProperties         *int64             `json:"maxProperties"`
	Pattern               string             `json:"pattern"`
	OneOf                 []*schema          `json:"oneOf"`
	AnyOf                 []*schema          `json:"anyOf"`
	AllOf                 []*schema          `json:"allOf"`
	Not                   *schema            `json:"not"`
	IntOrString           bool               `json:"x-kubernetes-int-or-string"`
	PreserveUnknownFields bool               `json:"x-kubernetes-preserve-unknown-fields"`
	Validations           []*rule            `json:"x-kubernetes-validations"`
	ListType              string             `json:"x-kubernetes-list-type"`
	ListMapKeys           []string           `json:"x-kubernetes-list-map-keys"`

	// propNames lists Properties sorted, for suggestions and messages.
	propNames []string
	// exclusive holds the groups of fields of which at most one may be set:
	// how the Istio CRDs spell a protobuf oneof (a oneOf of "none of them"
	// and "required: [x]" for each x). They are checked directly, with a
	// message naming the fields, instead of through the generic oneOf.
	exclusive [][]string
	// oneOf, anyOf and allOf are the junctors left after exclusive groups and
	// int-or-string's type alternatives are taken out.
	oneOf, anyOf, allOf []*schema
	// checks are the webhook checks that apply at this node (webhook.go).
	checks []check
	// crossChecks are webhook checks across the items of a node (unique
	// names, one catch-all): they run even where an item has errors of its
	// own, since what they find is a separate mistake.
	crossChecks []check
	// duration is set when a CEL rule requires a duration string.
	duration bool
	// path is the schema path this node was prepared at.
	path string
	// pattern compiles Pattern on first use.
	pattern *lazyRegexp
}

// lazyRegexp is a pattern compiled on first use.
type lazyRegexp struct {
	once sync.Once
	re   *regexp.Regexp
	err  error
}

// rule is one x-kubernetes-validations entry. Its program compiles on first
// use (cel.go).
type rule struct {
	Rule              string `json:"rule"`
	Message           string `json:"message"`
	MessageExpression string `json:"messageExpression"`
	FieldPath         string `json:"fieldPath"`
	Reason            string `json:"reason"`
	OptionalOldSelf   *bool  `json:"optionalOldSelf"`
}

// decodeSchema decodes a generated schema file strictly.
func decodeSchema(b []byte) (*schema, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s schema
	if err := dec.Decode(&s); err != nil {
		return nil, err
	}
	return &s, nil
}

// regexp returns the compiled pattern. Kubernetes compiles OpenAPI patterns
// with Go's regexp package, so RE2 syntax is what the API server accepts.
func (s *schema) regexp() (*regexp.Regexp, error) {
	p := s.pattern
	p.once.Do(func() {
		p.re, p.err = regexp.Compile(s.Pattern)
	})
	return p.re, p.err
}

// prepare derives the fields that validation needs from a decoded schema, and
// attaches the webhook checks of kind. path is the schema path: properties
// joined by dots, "[]" for list items and "{}" for map values.
func (s *schema) prepare(kind, path string) {
	s.path = path
	if s.Pattern != "" {
		s.pattern = &lazyRegexp{}
	}
	if len(s.Properties) > 0 {
		s.propNames = make([]string, 0, len(s.Properties))
		for name := range s.Properties {
			s.propNames = append(s.propNames, name)
		}
		sort.Strings(s.propNames)
	}
	s.oneOf = s.OneOf
	if g := exclusiveGroup(s.OneOf); g != nil {
		s.exclusive = append(s.exclusive, g)
		s.oneOf = nil
	}
	for _, sub := range s.AllOf {
		if g := exclusiveGroup(sub.OneOf); g != nil && sub.onlyOneOf() {
			s.exclusive = append(s.exclusive, g)
			continue
		}
		s.allOf = append(s.allOf, sub)
	}
	s.anyOf = s.AnyOf
	if s.IntOrString && typeAlternatives(s.AnyOf) {
		s.anyOf = nil
	}
	for _, r := range s.Validations {
		if strings.Contains(r.Rule, "duration(self)") {
			s.duration = true
		}
	}
	s.checks = checksFor(kind, path)
	s.crossChecks = crossChecksFor(kind, path)
	for _, name := range s.propNames {
		s.Properties[name].prepare(kind, join(path, name))
	}
	if s.Items != nil {
		s.Items.prepare(kind, path+"[]")
	}
	if s.AdditionalProperties != nil {
		s.AdditionalProperties.prepare(kind, path+"{}")
	}
	for _, sub := range s.oneOf {
		sub.prepare(kind, path)
	}
	for _, sub := range s.anyOf {
		sub.prepare(kind, path)
	}
	for _, sub := range s.allOf {
		sub.prepare(kind, path)
	}
	if s.Not != nil {
		s.Not.prepare(kind, path)
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// onlyOneOf reports whether s holds nothing but a oneOf.
func (s *schema) onlyOneOf() bool {
	c := *s
	c.OneOf = nil
	return c.isEmpty()
}

// isEmpty reports whether s constrains nothing.
func (s *schema) isEmpty() bool {
	return s.Type == "" && s.Format == "" && !s.Nullable && s.Properties == nil && s.Required == nil &&
		s.Items == nil && s.AdditionalProperties == nil && s.Enum == nil && s.Minimum == nil &&
		s.Maximum == nil && s.MinLength == nil && s.MaxLength == nil && s.MinItems == nil &&
		s.MaxItems == nil && s.MinProperties == nil && s.MaxProperties == nil && s.Pattern == "" &&
		s.OneOf == nil && s.AnyOf == nil && s.AllOf == nil && s.Not == nil && !s.IntOrString &&
		!s.PreserveUnknownFields && s.Validations == nil && s.ListType == "" && s.ListMapKeys == nil
}

// requiredOnly returns the single field a schema of the form {required: [x]}
// requires, or "".
func (s *schema) requiredOnly() string {
	if len(s.Required) != 1 {
		return ""
	}
	c := *s
	c.Required = nil
	if !c.isEmpty() {
		return ""
	}
	return s.Required[0]
}

// exclusiveGroup recognises the oneOf that protoc-gen-crd emits for a
// protobuf oneof,
//
//	oneOf: [{not: {anyOf: [{required: [a]}, {required: [b]}]}}, {required: [a]}, {required: [b]}]
//
// which means "at most one of a and b", and returns [a b]; nil otherwise.
func exclusiveGroup(alts []*schema) []string {
	if len(alts) < 2 || alts[0].Not == nil {
		return nil
	}
	none := alts[0]
	c := *none
	c.Not = nil
	if !c.isEmpty() {
		return nil
	}
	n := *none.Not
	anyOf := n.AnyOf
	n.AnyOf = nil
	if !n.isEmpty() || len(anyOf) != len(alts)-1 {
		return nil
	}
	group := make([]string, 0, len(anyOf))
	for i, a := range anyOf {
		name := a.requiredOnly()
		if name == "" || alts[i+1].requiredOnly() != name {
			return nil
		}
		group = append(group, name)
	}
	return group
}

// typeAlternatives reports whether alts is int-or-string's
// [{type: integer}, {type: string}].
func typeAlternatives(alts []*schema) bool {
	for _, a := range alts {
		c := *a
		c.Type = ""
		if !c.isEmpty() {
			return false
		}
	}
	return true
}

// describe names a schema type for messages.
func describe(typ string) string {
	switch typ {
	case "object":
		return "an object"
	case "array":
		return "a list"
	case "integer":
		return "an integer"
	case "":
		return "a value"
	default:
		return "a " + typ
	}
}

func (s *schema) String() string { return fmt.Sprintf("schema(%s)", s.path) }
