package cueplan

import (
	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"
)

// Kind is the kind of a data value as a View presents it.
type Kind uint8

// The kinds of data. Absent is a value that is not there at all (a broken
// alias), which the walk passes by.
const (
	Absent Kind = iota
	Null
	Bool
	Int
	Float
	String
	Struct
	List
	Incomplete // a value that is not concrete, such as string or >=1
)

// cue returns the CUE kind of k.
func (k Kind) cue() cue.Kind {
	switch k {
	case Null:
		return cue.NullKind
	case Bool:
		return cue.BoolKind
	case Int:
		return cue.IntKind
	case Float:
		return cue.FloatKind
	case String:
		return cue.StringKind
	case Struct:
		return cue.StructKind
	case List:
		return cue.ListKind
	}
	return cue.BottomKind
}

// String names the kind as CUE's messages do.
func (k Kind) String() string {
	switch k {
	case Incomplete:
		return "incomplete value"
	case Absent:
		return "absent"
	}
	return k.cue().String()
}

// scalarKinds are the kinds a scalar can have (bytes never occurs in data
// but may appear in a constraint).
const scalarKinds = cue.StringKind | cue.IntKind | cue.FloatKind | cue.BoolKind | cue.NullKind | cue.BytesKind

// ScalarExpr is the CUE literal of a scalar of kind k with text text (a
// number as a CUE literal, a string's value, true or false).
func ScalarExpr(k Kind, text string) ast.Expr {
	switch k {
	case Null:
		return ast.NewNull()
	case Bool:
		return ast.NewBool(text == "true")
	case Int, Float:
		tok := token.INT
		if k == Float {
			tok = token.FLOAT
		}
		if len(text) > 0 && text[0] == '-' {
			return &ast.UnaryExpr{Op: token.SUB, X: &ast.BasicLit{Kind: tok, Value: text[1:]}}
		}
		return &ast.BasicLit{Kind: tok, Value: text}
	}
	return ast.NewString(text)
}
