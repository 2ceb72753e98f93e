package policies

import (
	"strings"

	"cuelang.org/go/cue/ast"
)

// safe reports whether the constraints of a policy package are independent
// of the manifests they judge: no reference in the package resolves to a
// field that a manifest could supply or change. Only then may the engine
// split a constraint into a plan and evaluate it piece by piece; otherwise
// it evaluates each manifest as a whole (slower, always correct).
//
// References are safe when they resolve to an import, a predeclared
// identifier (string, int, len, ...), a top-level field of the package
// (manifests are unified with constraints, never with the package root), or a
// definition or hidden field (a manifest has neither: its keys become
// quoted, regular labels). A reference to a regular field inside a struct is
// not: once the struct is unified with a manifest, the reference sees the
// manifest's value. Comprehensions, let clauses, aliases, self and pattern
// constraints other than [string] and [_] are rejected outright, which is
// conservative but keeps this check simple.
func safe(files []*ast.File) bool {
	s := &safety{ok: true}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d.(type) {
			case *ast.Package, *ast.ImportDecl, *ast.Attribute, *ast.CommentGroup:
				continue
			}
			s.walk(d)
		}
	}
	return s.ok
}

type safety struct {
	ok bool
}

func (s *safety) walk(n ast.Node) {
	if n == nil || !s.ok {
		return
	}
	ast.Walk(n, s.before, nil)
}

func (s *safety) before(n ast.Node) bool {
	if !s.ok {
		return false
	}
	switch x := n.(type) {
	case *ast.Field:
		if x.Alias != nil {
			s.ok = false
			return false
		}
		switch l := x.Label.(type) {
		case *ast.Ident, *ast.BasicLit:
		case *ast.ListLit:
			if len(l.Elts) != 1 || !anyLabel(l.Elts[0]) {
				s.ok = false
				return false
			}
		default:
			// Dynamic labels ((expr): and "\(x)":) and label aliases.
			s.walk(l)
		}
		s.walk(x.Value)
		return false
	case *ast.SelectorExpr:
		s.walk(x.X)
		return false
	case *ast.Ident:
		if !safeIdent(x) {
			s.ok = false
		}
		return false
	case *ast.Alias, *ast.LetClause, *ast.Comprehension, *ast.ForClause, *ast.IfClause:
		s.ok = false
		return false
	case *ast.Attribute:
		return false
	}
	return true
}

// anyLabel reports whether a pattern constraint's label matches every field:
// [string] or [_].
func anyLabel(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && (id.Name == "string" || id.Name == "_") && (id.Node == nil || id.IsPredeclared())
}

func safeIdent(id *ast.Ident) bool {
	name := id.Name
	if name == "self" || name == "__self" {
		return false
	}
	if id.Node == nil || id.IsPredeclared() {
		// Predeclared, or a top-level field of another file of the package.
		return true
	}
	if _, ok := id.Node.(*ast.ImportSpec); ok {
		return true
	}
	if _, ok := id.Scope.(*ast.File); ok {
		return true
	}
	return len(name) > 1 && (strings.HasPrefix(name, "#") || strings.HasPrefix(name, "_"))
}
