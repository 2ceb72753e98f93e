package policies

import (
	"errors"

	"github.com/meshroll/meshroll/internal/cueplan"
	"go.yaml.in/yaml/v3"
)

// yamlView presents a manifest's YAML nodes to cueplan.Walk as policies see
// them: aliases and merge keys resolved (see lookup and entries), null
// absent, and every node reached through an alias counted against one
// evaluation's budget.
type yamlView struct {
	b *budget
}

func newView() cueplan.View[*yaml.Node] { return yamlView{b: newBudget()} }

// errTooLarge reports a document whose aliases and merge keys expand to more
// than maxAliasNodes values.
var errTooLarge = errors.New("document too large to evaluate: its aliases and merge keys expand to more than 10000 values")

// walkOptions are how policies see manifests: a value of a kind the
// constraint does not admit is MR900's concern, null is absent, and
// failures are phrased from CUE's messages (see reason).
var walkOptions = cueplan.Options{NullIsAbsent: true}

func (v yamlView) Kind(n *yaml.Node) cueplan.Kind {
	n = deref(n)
	if n == nil {
		return cueplan.Absent
	}
	switch n.Kind {
	case yaml.MappingNode:
		return cueplan.Struct
	case yaml.SequenceNode:
		return cueplan.List
	case yaml.ScalarNode:
		k, _ := scalar(n)
		return k
	}
	return cueplan.Absent
}

func (v yamlView) Scalar(n *yaml.Node) string {
	_, text := scalar(deref(n))
	return text
}

func (v yamlView) Lookup(n *yaml.Node, name string) (*yaml.Node, bool) {
	_, val, ok := lookup(deref(n), name)
	return val, ok
}

// Fields lists a mapping's entries; like an alias, a merge repeats a
// mapping, so the values it brings in count against the budget.
func (v yamlView) Fields(n *yaml.Node, yield func(string, *yaml.Node) bool) {
	for _, e := range entries(deref(n)) {
		if e.merged {
			v.b.inAlias++
		}
		more := yield(e.key, e.value)
		if e.merged {
			v.b.inAlias--
		}
		if !more {
			return
		}
	}
}

func (v yamlView) Items(n *yaml.Node) []*yaml.Node { return deref(n).Content }

func (v yamlView) Enter(n *yaml.Node) bool {
	alias := n != nil && n.Kind == yaml.AliasNode
	if alias {
		v.b.inAlias++
	}
	if !v.b.spend() {
		if alias {
			v.b.inAlias--
		}
		return false
	}
	return true
}

func (v yamlView) Leave(n *yaml.Node) {
	if n != nil && n.Kind == yaml.AliasNode {
		v.b.inAlias--
	}
}
