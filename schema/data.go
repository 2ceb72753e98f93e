package schema

import (
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/token"
)

// dataTree builds the Node tree of a group of CUE files (or an extracted YAML
// or JSON file) that hold nothing but data: fields with plain labels and
// literal values — no references, definitions, hidden fields, constraints,
// defaults, comprehensions, imports or embeddings. Such files need no CUE
// evaluation, which is most of the cost of loading intent; the tree is what
// evaluating them gives (a test holds the two to the same result). ok is
// false when any file holds more than data, or when files give one field two
// different values: then CUE evaluates the group and reports what it finds.
func dataTree(g []*source) (root *Node, ok bool) {
	root = &Node{Kind: Struct, Pos: Pos{File: g[0].path, Line: 1, Col: 1}}
	m := &merger{}
	for _, s := range g {
		for _, d := range s.file.Decls {
			switch d := d.(type) {
			case *ast.Package, *ast.CommentGroup:
			case *ast.Field:
				f, ok := m.field(d)
				if !ok || !m.merge(root, f) {
					return nil, false
				}
			default:
				return nil, false
			}
		}
	}
	return root, true
}

// dataField converts a field whose label is a plain name and whose value is
// literal data.
func (m *merger) field(f *ast.Field) (Field, bool) {
	if f.Constraint != token.ILLEGAL || len(f.Attrs) > 0 {
		return Field{}, false
	}
	var name string
	switch l := f.Label.(type) {
	case *ast.Ident:
		if strings.HasPrefix(l.Name, "#") || strings.HasPrefix(l.Name, "_") || strings.HasPrefix(l.Name, "$") {
			return Field{}, false
		}
		name = l.Name
	case *ast.BasicLit:
		if l.Kind != token.STRING || strings.HasPrefix(l.Value, "'") {
			return Field{}, false
		}
		s, err := literal.Unquote(l.Value)
		if err != nil {
			return Field{}, false
		}
		name = s
	default:
		return Field{}, false
	}
	v, ok := m.value(f.Value)
	if !ok {
		return Field{}, false
	}
	key := posOf(f.Label.Pos())
	// As in evaluated CUE, a scalar stands at its value and a struct or a
	// list at its field's label.
	if v.Kind == Struct || v.Kind == List {
		v.Pos = key
	}
	return Field{Name: name, KeyPos: key, Value: v}, true
}

func (m *merger) value(x ast.Expr) (*Node, bool) {
	switch x := x.(type) {
	case *ast.StructLit:
		n := &Node{Kind: Struct, Pos: posOf(x.Pos())}
		for _, d := range x.Elts {
			switch d := d.(type) {
			case *ast.CommentGroup:
			case *ast.Field:
				f, ok := m.field(d)
				if !ok || !m.merge(n, f) {
					return nil, false
				}
			default:
				return nil, false
			}
		}
		return n, true
	case *ast.ListLit:
		n := &Node{Kind: List, Pos: posOf(x.Pos())}
		for _, e := range x.Elts {
			en, ok := m.value(e)
			if !ok {
				return nil, false
			}
			n.Elems = append(n.Elems, en)
		}
		return n, true
	case *ast.BasicLit:
		n := &Node{Pos: posOf(x.Pos())}
		switch x.Kind {
		case token.STRING:
			if strings.HasPrefix(x.Value, "'") || strings.HasPrefix(x.Value, "#'") {
				return nil, false // bytes
			}
			s, err := literal.Unquote(x.Value)
			if err != nil {
				return nil, false
			}
			n.Kind, n.Str = String, s
		case token.INT:
			i, err := strconv.ParseInt(strings.ReplaceAll(x.Value, "_", ""), 0, 64)
			if err != nil {
				return nil, false // multipliers, huge numbers: leave them to CUE
			}
			n.Kind, n.Int, n.Num = Int, i, float64(i)
		case token.FLOAT:
			f, err := strconv.ParseFloat(strings.ReplaceAll(x.Value, "_", ""), 64)
			if err != nil {
				return nil, false
			}
			n.Kind, n.Num = Float, f
		case token.TRUE, token.FALSE:
			n.Kind, n.Bool = Bool, x.Kind == token.TRUE
		case token.NULL:
			n.Kind = Null
		default:
			return nil, false
		}
		return n, true
	}
	return nil, false
}

// merger builds the Node tree of plain data. It indexes the fields of
// large structs by name, so that merging a field costs the same in a struct
// of 100,000 rollouts as in one of ten: a search through the fields
// before made one file of many rollouts quadratic.
type merger struct {
	index map[*Node]map[string]int
}

// indexFrom is the number of fields from which a struct is indexed; a
// linear search is faster below it.
const indexFrom = 16

// find returns the index of the field named name in the struct n, or -1.
func (m *merger) find(n *Node, name string) int {
	if len(n.Fields) < indexFrom {
		for i := range n.Fields {
			if n.Fields[i].Name == name {
				return i
			}
		}
		return -1
	}
	ix, ok := m.index[n]
	if !ok {
		if m.index == nil {
			m.index = map[*Node]map[string]int{}
		}
		ix = make(map[string]int, len(n.Fields))
		for i, f := range n.Fields {
			ix[f.Name] = i
		}
		m.index[n] = ix
	}
	if i, ok := ix[name]; ok {
		return i
	}
	return -1
}

// merge adds f to the struct n as CUE unifies a field declared more than
// once: structs merge field by field, equal scalars agree. It reports false
// for anything else (two different values, lists), which CUE must judge.
func (m *merger) merge(n *Node, f Field) bool {
	if i := m.find(n, f.Name); i >= 0 {
		old := &n.Fields[i]
		a, b := old.Value, f.Value
		switch {
		case a.Kind == Struct && b.Kind == Struct:
			for _, bf := range b.Fields {
				if !m.merge(a, bf) {
					return false
				}
			}
			return true
		case a.Kind < Struct && a.Kind == b.Kind /* scalars */ && nodeView{}.Scalar(a) == nodeView{}.Scalar(b):
			return true
		}
		return false
	}
	if ix, ok := m.index[n]; ok {
		ix[f.Name] = len(n.Fields)
	}
	n.Fields = append(n.Fields, f)
	return true
}
