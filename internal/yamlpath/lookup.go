package yamlpath

import (
	"strconv"

	"go.yaml.in/yaml/v3"
)

// maxAliasHops bounds how many aliases Lookup follows for one step, so that a
// cycle or a chain of aliases cannot make it loop.
const maxAliasHops = 64

// Lookup walks p from n and returns the deepest node it reached, the key node
// of the last map step it took (nil when that step was a list index or no
// step was taken), and how many elements of p it matched. When matched is
// len(p), node is the node at p. Aliases are followed and merge keys (<<)
// are searched after a mapping's own keys, as a YAML decoder does.
func Lookup(n *yaml.Node, p Path) (node, key *yaml.Node, matched int) {
	node = deref(n)
	if node != nil && node.Kind == yaml.DocumentNode && len(node.Content) == 1 {
		node = deref(node.Content[0])
	}
	for i, e := range p {
		if node == nil {
			return nil, key, i
		}
		var next, nextKey *yaml.Node
		if e.IsIndex {
			if node.Kind == yaml.SequenceNode && e.Index < len(node.Content) {
				next = node.Content[e.Index]
			}
		} else if node.Kind == yaml.MappingNode {
			nextKey, next = lookupKey(node, e.Key, 0)
		}
		if next == nil {
			return node, key, i
		}
		node, key = deref(next), nextKey
	}
	return node, key, len(p)
}

// lookupKey finds key k in mapping m, then in the mappings m merges.
func lookupKey(m *yaml.Node, k string, depth int) (key, value *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn := m.Content[i]
		if kn.Kind == yaml.ScalarNode && kn.Value == k && kn.Tag != "!!merge" {
			return kn, m.Content[i+1]
		}
	}
	if depth > maxAliasHops {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn := m.Content[i]
		if kn.Kind != yaml.ScalarNode || kn.Tag != "!!merge" {
			continue
		}
		v := deref(m.Content[i+1])
		var sources []*yaml.Node
		switch {
		case v == nil:
		case v.Kind == yaml.MappingNode:
			sources = []*yaml.Node{v}
		case v.Kind == yaml.SequenceNode:
			for _, s := range v.Content {
				if s = deref(s); s != nil && s.Kind == yaml.MappingNode {
					sources = append(sources, s)
				}
			}
		}
		for _, s := range sources {
			if kk, vv := lookupKey(s, k, depth+1); vv != nil {
				return kk, vv
			}
		}
	}
	return nil, nil
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxAliasHops; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// Position returns the line and column (1-based) that best stand for the
// value at p under n: the value itself when it is a scalar found in full, the
// key of the field when the value is a map or a list (its first line is the
// key's), and for a path that does not exist in full, the deepest ancestor
// that does. ok reports whether p was found in full.
func Position(n *yaml.Node, p Path) (line, column int, ok bool) {
	node, key, matched := Lookup(n, p)
	if node == nil {
		return 1, 1, false
	}
	at := node
	if key != nil && node.Kind != yaml.ScalarNode {
		at = key
	}
	if at.Line == 0 {
		return 1, 1, matched == len(p)
	}
	return at.Line, at.Column, matched == len(p)
}

// Find parses path and returns the node at it, or nil when the path is
// malformed or does not exist in full.
func Find(n *yaml.Node, path string) *yaml.Node {
	p, err := Parse(path)
	if err != nil {
		return nil
	}
	node, _, matched := Lookup(n, p)
	if matched != len(p) {
		return nil
	}
	return node
}

// Index returns the path element for list index i.
func Index(i int) string { return "[" + strconv.Itoa(i) + "]" }
