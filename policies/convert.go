package policies

import (
	"errors"

	"cuelang.org/go/cue/ast"
	"github.com/meshroll/meshroll/internal/cueplan"
	"go.yaml.in/yaml/v3"
)

// errTooLarge reports a document whose aliases and merge keys expand to more
// than maxAliasNodes values, or that contains itself and so expands without
// end.
var errTooLarge = errors.New("document too large to evaluate: its aliases and merge keys expand to more than 10000 values")

// toExpr converts a YAML node into a CUE expression with the field
// precedence of entries, so that CUE sees exactly the data that the rest of
// the engine walks: non-scalar mapping keys are dropped (see keyOf) and so
// are fields whose value is null (see isNull).
func toExpr(n *yaml.Node, b *budget) (ast.Expr, error) {
	if n != nil && n.Kind == yaml.AliasNode {
		b.inAlias++
		defer func() { b.inAlias-- }()
	}
	if !b.spend() {
		return nil, errTooLarge
	}
	n = deref(n)
	if n == nil {
		return ast.NewNull(), nil
	}
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		// A collection inside itself — through an alias to its own anchor,
		// or a merge key that brings in a mapping holding the merge —
		// expands forever: stop at once rather than at the end of the
		// budget, which only counts what aliases bring in.
		if b.expanding[n] {
			b.exceeded = true
			return nil, errTooLarge
		}
		if b.expanding == nil {
			b.expanding = map[*yaml.Node]bool{}
		}
		b.expanding[n] = true
		defer delete(b.expanding, n)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return ast.NewNull(), nil
		}
		return toExpr(n.Content[0], b)
	case yaml.MappingNode:
		es := entries(n)
		s := &ast.StructLit{Elts: make([]ast.Decl, 0, len(es))}
		for _, e := range es {
			if isNull(e.value) {
				continue // null is absent, as for the Kubernetes API server
			}
			if e.merged {
				b.inAlias++
			}
			v, err := toExpr(e.value, b)
			if e.merged {
				b.inAlias--
			}
			if err != nil {
				return nil, err
			}
			s.Elts = append(s.Elts, &ast.Field{Label: ast.NewString(e.key), Value: v})
		}
		return s, nil
	case yaml.SequenceNode:
		l := &ast.ListLit{Elts: make([]ast.Expr, 0, len(n.Content))}
		for _, c := range n.Content {
			v, err := toExpr(c, b)
			if err != nil {
				return nil, err
			}
			l.Elts = append(l.Elts, v)
		}
		return l, nil
	case yaml.ScalarNode:
		return cueplan.ScalarExpr(scalar(n)), nil
	}
	return ast.NewNull(), nil
}
