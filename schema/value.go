package schema

import (
	"fmt"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"
	"github.com/meshroll/meshroll/internal/cueplan"
)

// Pos is a position in an intent file. The zero Pos is unknown.
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats p as file:line:col, dropping what is unknown.
func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// IsValid reports whether p names a file.
func (p Pos) IsValid() bool { return p.File != "" }

func posOf(p token.Pos) Pos {
	if !p.IsValid() {
		return Pos{}
	}
	pp := p.Position()
	return Pos{File: pp.Filename, Line: pp.Line, Col: pp.Column}
}

// Kind is the kind of a Node: the kinds of data internal/cueplan judges.
// Int and Float are both numbers; Int is whole. Incomplete is a value that
// is not concrete, such as string or >=1.
type Kind = cueplan.Kind

// The kinds of Node.
const (
	Null       = cueplan.Null
	Bool       = cueplan.Bool
	Int        = cueplan.Int
	Float      = cueplan.Float
	String     = cueplan.String
	Struct     = cueplan.Struct
	List       = cueplan.List
	Incomplete = cueplan.Incomplete
)

// Node is one evaluated intent value with its position: the data of the
// intent, decoupled from the CUE runtime, so that checking and decoding are
// plain Go. Fields keep the order of the source.
type Node struct {
	Kind   Kind
	Pos    Pos
	Str    string
	Num    float64
	Int    int64
	Bool   bool
	Fields []Field
	Elems  []*Node
}

// Field is one field of a struct Node.
type Field struct {
	Name string
	// KeyPos is the position of the field's label.
	KeyPos Pos
	Value  *Node
}

// Get returns the field named name, or nil.
func (n *Node) Get(name string) *Node {
	if n == nil {
		return nil
	}
	for i := range n.Fields {
		if n.Fields[i].Name == name {
			return n.Fields[i].Value
		}
	}
	return nil
}

// fromValue converts an evaluated CUE value into a Node tree. Hidden fields,
// definitions and optional fields are not data and are left out, as cue
// export does.
func fromValue(v cue.Value) *Node {
	// A value with a default stands for its default, as cue export has it
	// (timeout: *"10s" | string is "10s").
	if d, ok := v.Default(); ok {
		v = d
	}
	n := &Node{Pos: posOf(v.Pos())}
	kind := v.IncompleteKind()
	if kind == cue.BottomKind {
		// A struct or list with an error inside is bottom as a whole but
		// still has its fields, which the loader checks apart from the
		// ones at fault.
		if _, err := v.Fields(); err == nil {
			kind = cue.StructKind
		} else if _, err := v.List(); err == nil {
			kind = cue.ListKind
		}
	}
	switch kind {
	case cue.StructKind:
		n.Kind = Struct
		it, err := v.Fields()
		if err != nil {
			n.Kind = Incomplete
			return n
		}
		for it.Next() {
			fv := it.Value()
			n.Fields = append(n.Fields, Field{Name: it.Selector().Unquoted(), KeyPos: posOf(fv.Pos()), Value: fromValue(fv)})
		}
		return n
	case cue.ListKind:
		n.Kind = List
		it, err := v.List()
		if err != nil {
			n.Kind = Incomplete
			return n
		}
		for it.Next() {
			n.Elems = append(n.Elems, fromValue(it.Value()))
		}
		return n
	}
	// A scalar is reported at its value rather than at its field's label.
	if f, ok := v.Source().(*ast.Field); ok && f.Value != nil {
		if p := posOf(f.Value.Pos()); p.IsValid() {
			n.Pos = p
		}
	}
	if !v.IsConcrete() {
		n.Kind = Incomplete
		return n
	}
	switch v.Kind() {
	case cue.NullKind:
		n.Kind = Null
	case cue.BoolKind:
		n.Kind = Bool
		n.Bool, _ = v.Bool()
	case cue.StringKind:
		n.Kind = String
		n.Str, _ = v.String()
	case cue.IntKind:
		n.Kind = Int
		if i, err := v.Int64(); err == nil {
			n.Int = i
			n.Num = float64(i)
		} else {
			// A whole number too large for int64 is kept as a float so that
			// range checks still reject it.
			n.Kind = Float
			n.Num, _ = v.Float64()
		}
	case cue.FloatKind, cue.NumberKind:
		n.Kind = Float
		n.Num, _ = v.Float64()
	default:
		n.Kind = Incomplete
	}
	return n
}

// Path is a data path into an intent, such as rollouts.reviews.routes[0].to.
type Path []any

func (p Path) String() string {
	var b strings.Builder
	for _, e := range p {
		switch e := e.(type) {
		case int:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e))
			b.WriteByte(']')
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			if isIdent(e) {
				b.WriteString(e)
			} else {
				b.WriteString(strconv.Quote(e))
			}
		}
	}
	return b.String()
}

func (p Path) add(e any) Path {
	q := make(Path, len(p), len(p)+1)
	copy(q, p)
	return append(q, e)
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r == '$' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case i > 0 && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return true
}

// The accessors below are safe on a nil Node and on a Node of another kind,
// returning the zero value, so that intent that breaks the schema can still
// be decoded for the checks beyond it.

// S returns the string of a String node.
func (n *Node) S() string {
	if n == nil || n.Kind != String {
		return ""
	}
	return n.Str
}

// I returns the value of an Int node.
func (n *Node) I() int64 {
	if n == nil || n.Kind != Int {
		return 0
	}
	return n.Int
}

// F returns the value of a number node.
func (n *Node) F() float64 {
	if n == nil || (n.Kind != Int && n.Kind != Float) {
		return 0
	}
	return n.Num
}

// B returns the value of a Bool node.
func (n *Node) B() bool { return n != nil && n.Kind == Bool && n.Bool }

// List returns the elements of a List node.
func (n *Node) List() []*Node {
	if n == nil || n.Kind != List {
		return nil
	}
	return n.Elems
}

// Map returns the fields of a Struct node.
func (n *Node) Map() []Field {
	if n == nil || n.Kind != Struct {
		return nil
	}
	return n.Fields
}

// P returns the position of n.
func (n *Node) P() Pos {
	if n == nil {
		return Pos{}
	}
	return n.Pos
}
