package diff

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/meshroll/meshroll/internal/yamlfast"
)

// kind is the shape of a value.
type kind uint8

const (
	scalarKind kind = iota
	mapKind
	listKind
)

// value is a YAML node reduced to what a Kubernetes API server sees: maps
// with sorted keys (key order, comments, styles and anchors gone), lists,
// and scalars with a canonical form, so that two values are equal when
// they mean the same.
type value struct {
	kind kind
	keys []string // mapKind: sorted
	vals []*value // mapKind: parallel to keys; listKind: the items
	// tag is the scalar's resolved YAML tag (!!str, !!int, ...).
	tag string
	// text is the scalar as written, without quotes.
	text string
	line int
}

// get returns the value at key k of a map, or nil.
func (v *value) get(k string) *value {
	if v == nil || v.kind != mapKind {
		return nil
	}
	i := sort.SearchStrings(v.keys, k)
	if i < len(v.keys) && v.keys[i] == k {
		return v.vals[i]
	}
	return nil
}

// str returns the text of a scalar that is a string, a number or a bool,
// and "" for anything else.
func (v *value) str() string {
	if v == nil || v.kind != scalarKind || v.tag == "!!null" {
		return ""
	}
	return v.text
}

// at follows keys from v; nil when any is missing.
func (v *value) at(keys ...string) *value {
	for _, k := range keys {
		v = v.get(k)
	}
	return v
}

// class and canon give the equivalence of scalars: numbers written 100 and
// 100.0 are one number, True and true one bool, ~ and null one null, and a
// plain timestamp the string Kubernetes reads it as.
func (v *value) class() string {
	switch v.tag {
	case "!!int", "!!float":
		return "num"
	case "!!timestamp":
		return "!!str"
	}
	return v.tag
}

func (v *value) canon() string {
	switch v.tag {
	case "!!int":
		if n, err := strconv.ParseInt(strings.ReplaceAll(v.text, "_", ""), 0, 64); err == nil {
			return strconv.FormatInt(n, 10)
		}
		return v.text
	case "!!float":
		f, ok := yamlfast.Number(v.text)
		if !ok {
			return v.text
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<62 {
			return strconv.FormatInt(int64(f), 10)
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	case "!!bool":
		return strings.ToLower(v.text)
	case "!!null":
		return ""
	}
	return v.text
}

// sameScalar reports whether two scalars mean the same.
func sameScalar(a, b *value) bool {
	if a.tag == b.tag && a.text == b.text {
		return true
	}
	return a.class() == b.class() && a.canon() == b.canon()
}

// equal reports whether a and b mean the same, deeply.
func equal(a, b *value) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil || a.kind != b.kind {
		return false
	}
	switch a.kind {
	case scalarKind:
		return sameScalar(a, b)
	case mapKind:
		if len(a.keys) != len(b.keys) {
			return false
		}
		for i := range a.keys {
			if a.keys[i] != b.keys[i] || !equal(a.vals[i], b.vals[i]) {
				return false
			}
		}
		return true
	}
	if len(a.vals) != len(b.vals) {
		return false
	}
	for i := range a.vals {
		if !equal(a.vals[i], b.vals[i]) {
			return false
		}
	}
	return true
}

// convert reduces a resolved tree (package manifest resolves aliases and
// merge keys, and bounds what they expand to) to a value. Duplicate keys
// never reach it: the manifest reader refuses them.
func convert(n *yaml.Node) *value {
	switch n.Kind {
	case yaml.SequenceNode:
		v := &value{kind: listKind, line: n.Line, vals: make([]*value, len(n.Content))}
		for i, item := range n.Content {
			v.vals[i] = convert(item)
		}
		return v
	case yaml.MappingNode:
		type entry struct {
			key string
			val *value
		}
		all := make([]entry, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			all = append(all, entry{keyText(n.Content[i]), convert(n.Content[i+1])})
		}
		sort.SliceStable(all, func(i, j int) bool { return all[i].key < all[j].key })
		v := &value{kind: mapKind, line: n.Line, keys: make([]string, len(all)), vals: make([]*value, len(all))}
		for i, e := range all {
			v.keys[i], v.vals[i] = e.key, e.val
		}
		return v
	}
	// Custom tags and !!binary keep their tag, so that a change of tag alone
	// is a change.
	return &value{kind: scalarKind, tag: n.ShortTag(), text: n.Value, line: n.Line}
}

// keyText is a map key as a string: scalars by their text, anything else
// (rare complex keys) by its compact form.
func keyText(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return flow(convert(n), 200)
}
