package manifest

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// This file is the one place where meshroll reads YAML's references. The
// guard bounds a document as it is parsed (depth, values counting aliases at
// every use, values repeated through aliases, duplicate keys, cycles); then
// resolve replaces its aliases and merge keys.
//
// Every tree the package hands out — Resource.Node, the tree Inspect sees —
// is resolved: its aliases are replaced by the values they name and its
// merge keys (<<) by the entries they merge, once, here. Readers downstream
// (the decoder into Istio's types, Istio's validation, policies, positions,
// diff) see plain maps, lists and scalars, and none of them handles YAML's
// references on its own.
//
// An alias becomes the anchored node itself, shared rather than copied, so a
// resolved tree is as large as the text it came from and a position found
// through an alias is where the value is written. The guard has already
// bounded what the references expand to (Limits.Nodes and Limits.Depth) and
// refused cycles, so walking the shared nodes costs at most that.

// ResolveYAML bounds and resolves a tree yaml.v3 parsed elsewhere, such as a
// kustomization or a patch, under the default Limits, so that it reads like
// the trees Load hands out. It fails, at a line, where Load would report the
// document invalid.
func ResolveYAML(root *yaml.Node) error {
	g := guard{lim: DefaultLimits()}
	if _, err := g.walk(root, 0); err != nil {
		return fmt.Errorf("line %d: %w", g.errLine, err)
	}
	if g.refs {
		if at, err := resolve(root); err != nil {
			return fmt.Errorf("line %d: %w", at.Line, err)
		}
	}
	return nil
}

// resolve replaces the aliases and merge keys of root, a tree the guard
// accepted. It returns an error, at its node, only for a merge key whose
// value is not a map or a list of maps, which YAML does not define.
func resolve(root *yaml.Node) (at *yaml.Node, err error) {
	r := resolver{done: map[*yaml.Node]bool{}}
	r.node(root)
	return r.at, r.err
}

type resolver struct {
	done map[*yaml.Node]bool // mappings already resolved, which aliases share
	at   *yaml.Node          // the merge key of err
	err  error
}

func target(n *yaml.Node) *yaml.Node {
	// The guard refused cycles, so every alias chain ends.
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func (r *resolver) node(n *yaml.Node) {
	if r.err != nil || r.done[n] {
		return
	}
	r.done[n] = true
	for i, c := range n.Content {
		if c.Kind == yaml.AliasNode {
			c = target(c)
			n.Content[i] = c
		}
		r.node(c)
	}
	if n.Kind == yaml.MappingNode {
		r.merge(n)
	}
}

// isMerge reports whether a mapping key is the merge key: a plain <<, as
// yaml.v3 resolves it (a quoted "<<" is an ordinary key).
func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

// merge replaces the merge keys of mapping n by the entries they bring, as
// YAML 1.1 and Kubernetes' readers do: the mapping's own keys win over
// merged ones, and earlier merged maps over later ones. The merged entries
// keep their nodes, so their positions are where they are written.
func (r *resolver) merge(n *yaml.Node) {
	var sources []*yaml.Node
	own := make([]*yaml.Node, 0, len(n.Content))
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !isMerge(k) {
			own = append(own, k, v)
			continue
		}
		switch v.Kind {
		case yaml.MappingNode:
			sources = append(sources, v)
		case yaml.SequenceNode:
			for _, s := range v.Content {
				if s.Kind != yaml.MappingNode {
					r.at, r.err = k, fmt.Errorf("a merge key (<<) takes a map or a list of maps")
					return
				}
				sources = append(sources, s)
			}
		default:
			r.at, r.err = k, fmt.Errorf("a merge key (<<) takes a map or a list of maps")
			return
		}
	}
	if sources == nil {
		return
	}
	seen := make(map[string]bool, len(own)/2)
	for i := 0; i < len(own); i += 2 {
		seen[own[i].Value] = true
	}
	for _, s := range sources {
		// s is resolved already: its own merge keys are gone.
		for i := 0; i+1 < len(s.Content); i += 2 {
			if k := s.Content[i]; !seen[k.Value] {
				seen[k.Value] = true
				own = append(own, k, s.Content[i+1])
			}
		}
	}
	n.Content = own
}

// expansion is the size and height of a value with its aliases expanded.
type expansion struct {
	nodes, height int
	done          bool
}

// guard checks one document against the depth and expansion limits, and
// moves its line numbers from the chunk to the file.
type guard struct {
	lim     Limits
	offset  int
	anchors map[*yaml.Node]expansion
	nodes   int
	aliased int // values repeated through aliases so far
	errLine int
	refs    bool // the document has aliases or merge keys, for resolve
}

func (g *guard) walk(n *yaml.Node, depth int) (expansion, error) {
	n.Line += g.offset
	if depth > g.lim.Depth {
		g.errLine = n.Line
		return expansion{}, fmt.Errorf("document nests deeper than %d levels", g.lim.Depth)
	}
	if n.Anchor != "" {
		if g.anchors == nil {
			g.anchors = map[*yaml.Node]expansion{}
		}
		g.anchors[n] = expansion{} // in progress: an alias to it now is a cycle
	}
	e := expansion{nodes: 1, height: 1}
	if n.Kind == yaml.AliasNode {
		g.refs = true
		a, ok := g.anchors[n.Alias]
		if !ok || !a.done {
			g.errLine = n.Line
			return expansion{}, fmt.Errorf("alias *%s refers to a value that contains it", n.Value)
		}
		if g.aliased += a.nodes; g.aliased > g.lim.AliasValues {
			g.errLine = n.Line
			return expansion{}, fmt.Errorf("document repeats more than %d values through aliases: write the values out", g.lim.AliasValues)
		}
		e = a
	}
	if n.Kind == yaml.MappingNode {
		if err := g.duplicateKeys(n); err != nil {
			return expansion{}, err
		}
		if len(n.Content) == 2 && isMerge(n.Content[0]) {
			g.refs = true // duplicateKeys looks at larger mappings only
		}
	}
	for _, c := range n.Content {
		ce, err := g.walk(c, depth+1)
		if err != nil {
			return expansion{}, err
		}
		e.nodes += ce.nodes
		e.height = max(e.height, ce.height+1)
		if e.nodes > g.lim.Nodes || depth+e.height > g.lim.Depth {
			g.errLine = n.Line
			break
		}
	}
	if e.nodes > g.lim.Nodes {
		g.errLine = n.Line
		return expansion{}, fmt.Errorf("document expands to more than %d values through aliases", g.lim.Nodes)
	}
	if depth+e.height > g.lim.Depth {
		g.errLine = n.Line
		return expansion{}, fmt.Errorf("document nests deeper than %d levels through aliases", g.lim.Depth)
	}
	if n.Anchor != "" {
		e.done = true
		g.anchors[n] = e
	}
	return e, nil
}

// duplicateKeys fails on a mapping that repeats a key: YAML forbids it, and
// kubectl and the API server disagree on which value wins. Lines are not yet
// moved to the file when it runs, hence the offset.
func (g *guard) duplicateKeys(n *yaml.Node) error {
	if len(n.Content) <= 2 {
		return nil
	}
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
			g.refs = true
			continue
		}
		if line, dup := seen[k.Value]; dup {
			g.errLine = k.Line + g.offset
			return fmt.Errorf("key %q is already defined on line %d: remove one of them", truncateKey(k.Value), line)
		}
		seen[k.Value] = k.Line + g.offset
	}
	return nil
}

func truncateKey(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
