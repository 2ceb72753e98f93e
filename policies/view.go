package policies

import (
	"github.com/meshroll/meshroll/internal/cueplan"
	"go.yaml.in/yaml/v3"
)

// yamlView presents a manifest's YAML nodes to cueplan.Walk as policies see
// them: plain trees (package manifest resolved their aliases and merge
// keys), null absent.
type yamlView struct{}

func newView() cueplan.View[*yaml.Node] { return yamlView{} }

// walkOptions are how policies see manifests: a value of a kind the
// constraint does not admit is MR900's concern, null is absent, and
// failures are phrased from CUE's messages (see reason).
var walkOptions = cueplan.Options{NullIsAbsent: true}

func (yamlView) Kind(n *yaml.Node) cueplan.Kind {
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

func (yamlView) Scalar(n *yaml.Node) string {
	_, text := scalar(n)
	return text
}

func (yamlView) Lookup(n *yaml.Node, name string) (*yaml.Node, bool) {
	_, val, ok := lookup(n, name)
	return val, ok
}

// Fields lists a mapping's fields with scalar keys, the only ones
// Kubernetes objects have.
func (yamlView) Fields(n *yaml.Node, yield func(string, *yaml.Node) bool) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && !yield(k.Value, n.Content[i+1]) {
			return
		}
	}
}

func (yamlView) Items(n *yaml.Node) []*yaml.Node { return n.Content }
