package policies

import (
	"regexp"
	"strings"

	"cuelang.org/go/cue/literal"
	"github.com/meshroll/meshroll/internal/cueplan"
	"go.yaml.in/yaml/v3"
)

// maxAliasNodes bounds how many YAML nodes one evaluation of one policy may
// visit through aliases. Aliases let a small document expand into an
// enormous tree (the "billion laughs" attack); nodes outside aliases are
// bounded by the document's size already. Realistic manifests use few
// aliases or none; a whole-manifest CUE evaluation of the largest document
// this admits takes about a second per policy.
const maxAliasNodes = 10_000

// maxMergeDepth bounds nested merge keys (<<) and alias chains.
const maxMergeDepth = 32

// budget counts the YAML nodes one evaluation visits through aliases.
type budget struct {
	left     int
	exceeded bool
	// inAlias counts the aliases being expanded around the current node.
	inAlias int
}

func newBudget() *budget { return &budget{left: maxAliasNodes} }

// spend takes one node from the budget if it is reached through an alias,
// and reports whether the budget still holds.
func (b *budget) spend() bool {
	if b.inAlias == 0 {
		return !b.exceeded
	}
	if b.left <= 0 {
		b.exceeded = true
		return false
	}
	b.left--
	return true
}

// deref follows alias nodes to the node they stand for. It returns nil for a
// nil node or an alias chain that does not end (yaml.v3 does not produce one,
// but hand-built trees might).
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > maxMergeDepth {
			return nil
		}
		n = n.Alias
	}
	return n
}

// documentBody returns the mapping node of a document, accepting either the
// DocumentNode that yaml.v3 produces or its content node.
func documentBody(n *yaml.Node) *yaml.Node {
	n = deref(n)
	if n != nil && n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = deref(n.Content[0])
	}
	return n
}

// isMerge reports whether a mapping key is the YAML merge key "<<", using
// the same test as yaml.v3 and CUE's YAML decoder.
func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" &&
		(k.Tag == "" || k.Tag == "!" || k.ShortTag() == "!!merge")
}

// keyOf returns the label of a mapping key. Only scalar keys (directly or
// through an alias) have labels; other keys are ignored by policies, as
// Kubernetes objects never use them.
func keyOf(k *yaml.Node) (string, bool) {
	k = deref(k)
	if k == nil || k.Kind != yaml.ScalarNode {
		return "", false
	}
	return k.Value, true
}

// lookup finds the value of key in mapping m as policies see it: the first
// explicit occurrence wins (duplicate keys are the linter's MR900 concern),
// then merged mappings in the order YAML gives them precedence. It returns
// the key node (for positions) and the value node.
func lookup(m *yaml.Node, key string) (k, v *yaml.Node, ok bool) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil, false
	}
	hasMerge := false
	c := m.Content
	for i := 0; i+1 < len(c); i += 2 {
		if isMerge(c[i]) {
			hasMerge = true
			continue
		}
		if name, ok := keyOf(c[i]); ok && name == key {
			return c[i], c[i+1], true
		}
	}
	if !hasMerge {
		return nil, nil, false
	}
	// Merged mappings are few and small; entries handles their precedence
	// and cycles.
	for _, e := range entries(m) {
		if e.key == key {
			return e.kNode, e.value, true
		}
	}
	return nil, nil, false
}

// mergeSources lists the mappings a merge key's value brings in, in order of
// precedence.
func mergeSources(v *yaml.Node) []*yaml.Node {
	v = deref(v)
	if v == nil {
		return nil
	}
	switch v.Kind {
	case yaml.MappingNode:
		return []*yaml.Node{v}
	case yaml.SequenceNode:
		out := make([]*yaml.Node, 0, len(v.Content))
		for _, s := range v.Content {
			if s = deref(s); s != nil && s.Kind == yaml.MappingNode {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// entry is one field of a mapping as policies see it.
type entry struct {
	key   string
	kNode *yaml.Node
	value *yaml.Node
	// merged is set for an entry a merge key brings in: like an alias, a
	// merge repeats a mapping, so its values count against the budget.
	merged bool
}

// entries lists the fields of mapping m with the precedence of lookup: every
// label once, explicit keys in document order, then merged keys. Each
// merged mapping is visited once, so that merges through aliases cannot
// fan out exponentially.
func entries(m *yaml.Node) []entry {
	var out []entry
	seen := map[string]bool{}
	visited := map[*yaml.Node]bool{}
	collectEntries(m, seen, visited, &out, 0)
	return out
}

func collectEntries(m *yaml.Node, seen map[string]bool, visited map[*yaml.Node]bool, out *[]entry, depth int) {
	if m == nil || m.Kind != yaml.MappingNode || depth > maxMergeDepth || visited[m] {
		return
	}
	visited[m] = true
	c := m.Content
	hasMerge := false
	for i := 0; i+1 < len(c); i += 2 {
		if isMerge(c[i]) {
			hasMerge = true
			continue
		}
		name, ok := keyOf(c[i])
		if !ok || seen[name] {
			continue
		}
		seen[name] = true
		*out = append(*out, entry{key: name, kNode: c[i], value: c[i+1], merged: depth > 0})
	}
	if !hasMerge {
		return
	}
	for i := 0; i+1 < len(c); i += 2 {
		if isMerge(c[i]) {
			for _, src := range mergeSources(c[i+1]) {
				collectEntries(src, seen, visited, out, depth+1)
			}
		}
	}
}

// anyOctal matches YAML 1.1 octal-looking integers that yaml.v3 resolves as
// floats; CUE's own YAML decoder reads them as strings, and so do we.
var anyOctal = regexp.MustCompile(`^[-+]?0[0-9_]+$`)

// scalar classifies a scalar node the way CUE's YAML decoder does, returning
// its kind and its text: for numbers a valid CUE number literal, for
// everything else the scalar's value. Numbers that CUE would not accept are
// read as strings, so that evaluation never fails on the data itself.
func scalar(n *yaml.Node) (cueplan.Kind, string) {
	tag := n.ShortTag()
	if n.Style&yaml.TaggedStyle == 0 && tag == "!!float" && anyOctal.MatchString(n.Value) {
		return cueplan.String, n.Value
	}
	switch tag {
	case "!!null":
		return cueplan.Null, "null"
	case "!!bool":
		switch n.Value {
		case "true", "True", "TRUE":
			return cueplan.Bool, "true"
		}
		return cueplan.Bool, "false"
	case "!!int", "!!float":
		v := n.Value
		if len(v) > 1 && v[0] == '0' && v[1] >= '0' && v[1] <= '9' {
			v = "0o" + v[1:]
		}
		num := strings.TrimPrefix(strings.TrimPrefix(v, "-"), "+")
		var info literal.NumInfo
		if err := literal.ParseNum(num, &info); err != nil {
			return cueplan.String, n.Value
		}
		if strings.HasPrefix(v, "-") {
			num = "-" + num
		}
		if info.IsInt() {
			return cueplan.Int, num
		}
		return cueplan.Float, num
	}
	return cueplan.String, n.Value
}

// isNull reports whether a value node is YAML null (or an alias to
// nothing). A field whose value is null counts as absent, as it does for the
// Kubernetes API server.
func isNull(n *yaml.Node) bool {
	k := yamlView{}.Kind(n)
	return k == cueplan.Null || k == cueplan.Absent && deref(n) == nil
}
