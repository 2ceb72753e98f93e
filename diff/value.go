package diff

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
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
		f, ok := parseFloat(v.text)
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

func parseFloat(s string) (float64, bool) {
	switch strings.ToLower(s) {
	case ".inf", "+.inf":
		return math.Inf(1), true
	case "-.inf":
		return math.Inf(-1), true
	case ".nan":
		return math.NaN(), true
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	return f, err == nil
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

// errTooLarge stops conversion of a document whose aliases expand beyond
// the budget: an alias bomb must not exhaust memory or time.
var errTooLarge = errors.New("aliases expand the document beyond the size meshroll diffs")

// converter turns yaml.v3 nodes into values within a node budget.
type converter struct {
	budget int
	// active holds the anchors being expanded, to refuse alias cycles.
	active map[*yaml.Node]bool
}

// newConverter allows a document the nodes its source could hold, many
// times over, and no more, so that alias expansion stays linear in the
// size of the input.
func newConverter(srcLen int) *converter {
	return &converter{budget: 8*srcLen + 10000, active: map[*yaml.Node]bool{}}
}

func (c *converter) convert(n *yaml.Node) (*value, error) {
	c.budget--
	if c.budget < 0 {
		return nil, errTooLarge
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0])
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("line %d: alias to an unknown anchor", n.Line)
		}
		if c.active[n.Alias] {
			return nil, fmt.Errorf("line %d: alias *%s refers to itself", n.Line, n.Value)
		}
		c.active[n.Alias] = true
		v, err := c.convert(n.Alias)
		delete(c.active, n.Alias)
		return v, err
	case yaml.SequenceNode:
		v := &value{kind: listKind, line: n.Line, vals: make([]*value, 0, len(n.Content))}
		for _, item := range n.Content {
			iv, err := c.convert(item)
			if err != nil {
				return nil, err
			}
			v.vals = append(v.vals, iv)
		}
		return v, nil
	case yaml.MappingNode:
		return c.mapping(n)
	case yaml.ScalarNode:
		// Custom tags and !!binary keep their tag, so that a change of tag
		// alone is a change.
		return &value{kind: scalarKind, tag: n.ShortTag(), text: n.Value, line: n.Line}, nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

// mapping converts a mapping, applying merge keys (<<) the way YAML 1.1
// and Kubernetes' YAML readers do: explicit keys win over merged ones, and
// earlier merged maps over later ones.
func (c *converter) mapping(n *yaml.Node) (*value, error) {
	type entry struct {
		key  string
		val  *value
		line int
	}
	explicit := make([]entry, 0, len(n.Content)/2)
	var merged []entry
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if kn.Kind == yaml.ScalarNode && kn.ShortTag() == "!!merge" {
			ms, err := c.mergeSources(vn)
			if err != nil {
				return nil, err
			}
			for _, m := range ms {
				for j, k := range m.keys {
					merged = append(merged, entry{k, m.vals[j], kn.Line})
				}
			}
			continue
		}
		key, err := c.keyText(kn)
		if err != nil {
			return nil, err
		}
		val, err := c.convert(vn)
		if err != nil {
			return nil, err
		}
		explicit = append(explicit, entry{key, val, kn.Line})
	}
	seen := make(map[string]int, len(explicit))
	for _, e := range explicit {
		if first, dup := seen[e.key]; dup {
			return nil, fmt.Errorf("line %d: mapping key %q already defined at line %d", e.line, e.key, first)
		}
		seen[e.key] = e.line
	}
	all := explicit
	for _, e := range merged {
		if _, ok := seen[e.key]; !ok {
			seen[e.key] = e.line
			all = append(all, e)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].key < all[j].key })
	v := &value{kind: mapKind, line: n.Line, keys: make([]string, len(all)), vals: make([]*value, len(all))}
	for i, e := range all {
		v.keys[i], v.vals[i] = e.key, e.val
	}
	return v, nil
}

// mergeSources returns the maps a merge key names: one map, or a list of
// them.
func (c *converter) mergeSources(n *yaml.Node) ([]*value, error) {
	v, err := c.convert(n)
	if err != nil {
		return nil, err
	}
	switch {
	case v != nil && v.kind == mapKind:
		return []*value{v}, nil
	case v != nil && v.kind == listKind:
		for _, item := range v.vals {
			if item == nil || item.kind != mapKind {
				return nil, fmt.Errorf("line %d: a merge key (<<) takes maps only", n.Line)
			}
		}
		return v.vals, nil
	}
	return nil, fmt.Errorf("line %d: a merge key (<<) takes a map or a list of maps", n.Line)
}

// keyText is a map key as a string: scalars by their text, anything else
// (rare complex keys) by its compact form.
func (c *converter) keyText(n *yaml.Node) (string, error) {
	if n.Kind == yaml.ScalarNode {
		return n.Value, nil
	}
	v, err := c.convert(n)
	if err != nil {
		return "", err
	}
	return flow(v, 200), nil
}
