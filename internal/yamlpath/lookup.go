package yamlpath

import (
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Lookup walks p from n and returns the deepest node it reached, the key node
// of the last map step it took (nil when that step was a list index or no
// step was taken), and how many elements of p it matched. When matched is
// len(p), node is the node at p. n is a plain tree: package manifest hands
// out trees whose aliases and merge keys are resolved, and an alias met in
// another tree (the configuration) is where the path ends.
func Lookup(n *yaml.Node, p Path) (node, key *yaml.Node, matched int) {
	node = n
	if node != nil && node.Kind == yaml.DocumentNode && len(node.Content) == 1 {
		node = node.Content[0]
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
			for j := 0; j+1 < len(node.Content); j += 2 {
				if k := node.Content[j]; k.Kind == yaml.ScalarNode && k.Value == e.Key {
					nextKey, next = k, node.Content[j+1]
					break
				}
			}
		}
		if next == nil {
			return node, key, i
		}
		node, key = next, nextKey
	}
	return node, key, len(p)
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
