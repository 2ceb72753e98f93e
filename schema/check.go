package schema

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

// Checker enforces the constraints of a CUE schema on a Node tree natively.
// It understands the subset of CUE that intent.cue is written in —
// definitions, closed structs with required and optional fields, pattern
// constraints [string]: T, open lists [...T], the kinds string, int, number
// and bool, literals, conjunctions, disjunctions, regular expression and
// numeric bounds, strings.MinRunes/MaxRunes, and error("message") as the last
// alternative of a disjunction — and Compile rejects anything else, so that
// the schema cannot drift out of what the checker enforces.
type Checker struct {
	defs map[string]expr
	// data holds concrete definitions such as #DefaultLadder as Nodes.
	data map[string]*Node
}

// Violation is a value that does not satisfy the schema.
type Violation struct {
	Path Path
	Pos  Pos
	// Msg completes a sentence whose subject is the field: "must be ...",
	// "is required", "is not a known field ...".
	Msg  string
	Kind ViolationKind
}

// ViolationKind tells what is wrong with a value.
type ViolationKind uint8

// The kinds of violation.
const (
	Invalid ViolationKind = iota // the value does not satisfy its constraint
	Unknown                      // the field is not in the schema
	Missing                      // a required field is absent
)

// Compile compiles the CUE schema src (a file of definitions) into a Checker.
func Compile(filename string, src []byte) (*Checker, error) {
	f, err := parser.ParseFile(filename, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	c := &Checker{defs: map[string]expr{}, data: map[string]*Node{}}
	imports := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.Package, *ast.CommentGroup, *ast.Attribute:
		case *ast.ImportDecl:
			for _, s := range d.Specs {
				p, _ := literal.Unquote(s.Path.Value)
				if p != "strings" {
					return nil, fmt.Errorf("%s: schema imports %q; only strings is supported", s.Pos(), p)
				}
				imports[p] = true
			}
		case *ast.Field:
			id, ok := d.Label.(*ast.Ident)
			if !ok || !strings.HasPrefix(id.Name, "#") {
				return nil, fmt.Errorf("%s: schema declarations must be definitions (#Name)", d.Pos())
			}
			if n, ok := literalData(d.Value, filename); ok {
				c.data[id.Name] = n
				continue
			}
			e, err := c.compile(d.Value)
			if err != nil {
				return nil, err
			}
			c.defs[id.Name] = e
		default:
			return nil, fmt.Errorf("%s: unsupported schema declaration %T", d.Pos(), d)
		}
	}
	// Every reference must resolve.
	for name, e := range c.defs {
		if err := c.resolve(e); err != nil {
			return nil, fmt.Errorf("in %s: %w", name, err)
		}
	}
	return c, nil
}

// Data returns a concrete definition of the schema, such as #DefaultLadder.
func (c *Checker) Data(name string) *Node { return c.data[name] }

// Check validates n against the definition def and returns every violation,
// sorted by position.
func (c *Checker) Check(def string, n *Node, at Path) []Violation {
	e, ok := c.defs[def]
	if !ok {
		return []Violation{{Path: at, Pos: n.Pos, Msg: "has no schema " + def}}
	}
	var vs []Violation
	c.check(e, n, at, &vs)
	sort.SliceStable(vs, func(i, j int) bool { return lessPos(vs[i].Pos, vs[j].Pos) })
	return vs
}

func lessPos(a, b Pos) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Col < b.Col
}

// expr is a compiled schema expression.
type expr interface{}

type (
	topExpr  struct{}
	kindExpr struct{ kind Kind } // Float stands for number: int or float
	litExpr  struct{ val *Node }
	refExpr  struct {
		name string
		pos  token.Pos
		to   *expr
	}
	conjExpr struct{ parts []expr }
	disjExpr struct {
		alts []expr
		msg  string // from error("...")
	}
	regexExpr struct {
		re     *regexp.Regexp
		negate bool
	}
	boundExpr struct {
		op    token.Token
		limit float64
	}
	runesExpr struct {
		min, max int
	}
	structExpr struct {
		fields  map[string]fieldExpr
		order   []string
		pattern expr // nil: closed
	}
	fieldExpr struct {
		optional bool
		t        expr
	}
	listExpr struct{ elem expr }
)

func (c *Checker) compile(x ast.Expr) (expr, error) {
	switch x := x.(type) {
	case *ast.ParenExpr:
		return c.compile(x.X)
	case *ast.Ident:
		switch x.Name {
		case "_":
			return topExpr{}, nil
		case "string":
			return kindExpr{String}, nil
		case "int":
			return kindExpr{Int}, nil
		case "number", "float":
			return kindExpr{Float}, nil
		case "bool":
			return kindExpr{Bool}, nil
		case "null":
			return litExpr{&Node{Kind: Null}}, nil
		}
		if strings.HasPrefix(x.Name, "#") {
			return &refExpr{name: x.Name, pos: x.Pos()}, nil
		}
		return nil, fmt.Errorf("%s: unsupported identifier %s", x.Pos(), x.Name)
	case *ast.BasicLit:
		n, ok := literalData(x, "")
		if !ok {
			return nil, fmt.Errorf("%s: unsupported literal %s", x.Pos(), x.Value)
		}
		return litExpr{n}, nil
	case *ast.BinaryExpr:
		l, err := c.compile(x.X)
		if err != nil {
			return nil, err
		}
		switch x.Op {
		case token.AND:
			r, err := c.compile(x.Y)
			if err != nil {
				return nil, err
			}
			return conjExpr{append(flattenConj(l), flattenConj(r)...)}, nil
		case token.OR:
			if msg, ok := errorCall(x.Y); ok {
				d := disjExpr{alts: flattenDisj(l), msg: msg}
				return d, nil
			}
			r, err := c.compile(x.Y)
			if err != nil {
				return nil, err
			}
			return disjExpr{alts: append(flattenDisj(l), flattenDisj(r)...)}, nil
		}
		return nil, fmt.Errorf("%s: unsupported operator %s", x.Pos(), x.Op)
	case *ast.UnaryExpr:
		lit, ok := x.X.(*ast.BasicLit)
		if !ok {
			return nil, fmt.Errorf("%s: unsupported operand of %s", x.Pos(), x.Op)
		}
		switch x.Op {
		case token.MAT, token.NMAT:
			s, err := literal.Unquote(lit.Value)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", x.Pos(), err)
			}
			re, err := regexp.Compile(s)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", x.Pos(), err)
			}
			return regexExpr{re: re, negate: x.Op == token.NMAT}, nil
		case token.GEQ, token.LEQ, token.GTR, token.LSS:
			f, err := strconv.ParseFloat(strings.ReplaceAll(lit.Value, "_", ""), 64)
			if err != nil {
				return nil, fmt.Errorf("%s: unsupported bound %s", x.Pos(), lit.Value)
			}
			return boundExpr{op: x.Op, limit: f}, nil
		}
		return nil, fmt.Errorf("%s: unsupported operator %s", x.Pos(), x.Op)
	case *ast.CallExpr:
		sel, ok := x.Fun.(*ast.SelectorExpr)
		if !ok || len(x.Args) != 1 {
			return nil, fmt.Errorf("%s: unsupported call", x.Pos())
		}
		pkg, _ := sel.X.(*ast.Ident)
		lit, _ := x.Args[0].(*ast.BasicLit)
		if pkg == nil || pkg.Name != "strings" || lit == nil || lit.Kind != token.INT {
			return nil, fmt.Errorf("%s: unsupported call", x.Pos())
		}
		n, err := strconv.Atoi(lit.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", x.Pos(), err)
		}
		switch sel.Sel.(*ast.Ident).Name {
		case "MaxRunes":
			return runesExpr{min: -1, max: n}, nil
		case "MinRunes":
			return runesExpr{min: n, max: -1}, nil
		}
		return nil, fmt.Errorf("%s: unsupported call", x.Pos())
	case *ast.StructLit:
		s := structExpr{fields: map[string]fieldExpr{}}
		for _, d := range x.Elts {
			switch d := d.(type) {
			case *ast.CommentGroup, *ast.Attribute:
				continue
			case *ast.Field:
				t, err := c.compile(d.Value)
				if err != nil {
					return nil, err
				}
				switch l := d.Label.(type) {
				case *ast.Ident, *ast.BasicLit:
					name, _, err := ast.LabelName(l)
					if err != nil {
						return nil, fmt.Errorf("%s: %v", d.Pos(), err)
					}
					if d.Constraint == token.NOT {
						return nil, fmt.Errorf("%s: required fields (!) are not supported; write name: T", d.Pos())
					}
					s.fields[name] = fieldExpr{optional: d.Constraint == token.OPTION, t: t}
					s.order = append(s.order, name)
				case *ast.ListLit:
					if len(l.Elts) != 1 {
						return nil, fmt.Errorf("%s: unsupported pattern", d.Pos())
					}
					if id, ok := l.Elts[0].(*ast.Ident); !ok || id.Name != "string" {
						return nil, fmt.Errorf("%s: only [string]: T patterns are supported", d.Pos())
					}
					s.pattern = t
				default:
					return nil, fmt.Errorf("%s: unsupported label", d.Pos())
				}
			default:
				return nil, fmt.Errorf("%s: unsupported struct element %T", d.Pos(), d)
			}
		}
		return s, nil
	case *ast.ListLit:
		if len(x.Elts) == 1 {
			if el, ok := x.Elts[0].(*ast.Ellipsis); ok && el.Type != nil {
				t, err := c.compile(el.Type)
				if err != nil {
					return nil, err
				}
				return listExpr{elem: t}, nil
			}
		}
		return nil, fmt.Errorf("%s: only open lists [...T] are supported as types", x.Pos())
	}
	return nil, fmt.Errorf("%s: unsupported schema expression %T", x.Pos(), x)
}

// errorCall reports whether x is error("msg") and returns msg.
func errorCall(x ast.Expr) (string, bool) {
	call, ok := x.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return "", false
	}
	if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "error" {
		return "", false
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := literal.Unquote(lit.Value)
	return s, err == nil
}

func flattenConj(e expr) []expr {
	if c, ok := e.(conjExpr); ok {
		return c.parts
	}
	return []expr{e}
}

func flattenDisj(e expr) []expr {
	if d, ok := e.(disjExpr); ok && d.msg == "" {
		return d.alts
	}
	return []expr{e}
}

func (c *Checker) resolve(e expr) error {
	switch e := e.(type) {
	case *refExpr:
		t, ok := c.defs[e.name]
		if !ok {
			return fmt.Errorf("%s: undefined %s", e.pos, e.name)
		}
		e.to = &t
	case conjExpr:
		for _, p := range e.parts {
			if err := c.resolve(p); err != nil {
				return err
			}
		}
	case disjExpr:
		for _, p := range e.alts {
			if err := c.resolve(p); err != nil {
				return err
			}
		}
	case structExpr:
		for _, f := range e.fields {
			if err := c.resolve(f.t); err != nil {
				return err
			}
		}
		if e.pattern != nil {
			return c.resolve(e.pattern)
		}
	case listExpr:
		return c.resolve(e.elem)
	}
	return nil
}

// literalData converts a concrete CUE literal (scalars, lists and structs of
// them) into a Node.
func literalData(x ast.Expr, file string) (*Node, bool) {
	pos := func(p token.Pos) Pos {
		pp := posOf(p)
		if file != "" {
			pp.File = file
		}
		return pp
	}
	switch x := x.(type) {
	case *ast.BasicLit:
		switch x.Kind {
		case token.STRING:
			s, err := literal.Unquote(x.Value)
			if err != nil {
				return nil, false
			}
			return &Node{Kind: String, Str: s, Pos: pos(x.Pos())}, true
		case token.INT:
			var ni literal.NumInfo
			if literal.ParseNum(x.Value, &ni) != nil {
				return nil, false
			}
			i, err := strconv.ParseInt(strings.ReplaceAll(x.Value, "_", ""), 0, 64)
			if err != nil {
				return nil, false
			}
			return &Node{Kind: Int, Int: i, Num: float64(i), Pos: pos(x.Pos())}, true
		case token.FLOAT:
			f, err := strconv.ParseFloat(strings.ReplaceAll(x.Value, "_", ""), 64)
			if err != nil {
				return nil, false
			}
			return &Node{Kind: Float, Num: f, Pos: pos(x.Pos())}, true
		case token.TRUE, token.FALSE:
			return &Node{Kind: Bool, Bool: x.Kind == token.TRUE, Pos: pos(x.Pos())}, true
		case token.NULL:
			return &Node{Kind: Null, Pos: pos(x.Pos())}, true
		}
	case *ast.Ident:
		switch x.Name {
		case "true", "false":
			return &Node{Kind: Bool, Bool: x.Name == "true", Pos: pos(x.Pos())}, true
		case "null":
			return &Node{Kind: Null, Pos: pos(x.Pos())}, true
		}
	case *ast.ListLit:
		n := &Node{Kind: List, Pos: pos(x.Pos())}
		for _, e := range x.Elts {
			en, ok := literalData(e, file)
			if !ok {
				return nil, false
			}
			n.Elems = append(n.Elems, en)
		}
		return n, true
	case *ast.StructLit:
		n := &Node{Kind: Struct, Pos: pos(x.Pos())}
		for _, d := range x.Elts {
			f, ok := d.(*ast.Field)
			if !ok || f.Constraint != token.ILLEGAL {
				return nil, false
			}
			name, _, err := ast.LabelName(f.Label)
			if err != nil || strings.HasPrefix(name, "#") || strings.HasPrefix(name, "_") {
				return nil, false
			}
			v, ok := literalData(f.Value, file)
			if !ok {
				return nil, false
			}
			n.Fields = append(n.Fields, Field{Name: name, Value: v})
		}
		return n, true
	}
	return nil, false
}

// check validates n against e, appending violations to vs. It reports
// whether n satisfies e.
func (c *Checker) check(e expr, n *Node, at Path, vs *[]Violation) bool {
	fail := func(msg string) bool {
		*vs = append(*vs, Violation{Path: at, Pos: n.Pos, Msg: msg})
		return false
	}
	if n.Kind == Incomplete {
		return fail("is not a concrete value; give it one")
	}
	switch e := e.(type) {
	case topExpr:
		return true
	case *refExpr:
		return c.check(*e.to, n, at, vs)
	case kindExpr:
		switch {
		case e.kind == n.Kind, e.kind == Float && n.Kind == Int:
			return true
		}
		return fail("must be " + kindPhrase(e.kind) + ", not " + describe(n))
	case litExpr:
		if equalScalar(e.val, n) {
			return true
		}
		return fail("must be " + literalText(e.val) + ", not " + describe(n))
	case regexExpr:
		if n.Kind != String {
			return fail("must be a string, not " + describe(n))
		}
		if e.re.MatchString(n.Str) != e.negate {
			return true
		}
		return fail(fmt.Sprintf("%s does not match %s", describe(n), e.re))
	case boundExpr:
		if n.Kind != Int && n.Kind != Float {
			return fail("must be a number, not " + describe(n))
		}
		ok := false
		switch e.op {
		case token.GEQ:
			ok = n.Num >= e.limit
		case token.LEQ:
			ok = n.Num <= e.limit
		case token.GTR:
			ok = n.Num > e.limit
		case token.LSS:
			ok = n.Num < e.limit
		}
		if ok {
			return true
		}
		return fail(fmt.Sprintf("must be %s %s, not %s", e.op, formatNum(e.limit), describe(n)))
	case runesExpr:
		if n.Kind != String {
			return fail("must be a string, not " + describe(n))
		}
		r := utf8.RuneCountInString(n.Str)
		if e.max >= 0 && r > e.max {
			return fail(fmt.Sprintf("must be at most %d characters long", e.max))
		}
		if e.min >= 0 && r < e.min {
			return fail(fmt.Sprintf("must be at least %d characters long", e.min))
		}
		return true
	case conjExpr:
		// A conjunction reports only its first failing part: the later parts
		// would mostly repeat it (a number that is not a string fails every
		// string constraint).
		for _, p := range e.parts {
			var sub []Violation
			if !c.check(p, n, at, &sub) {
				*vs = append(*vs, sub...)
				return false
			}
		}
		return true
	case disjExpr:
		var first []Violation
		for i, a := range e.alts {
			var sub []Violation
			if c.check(a, n, at, &sub) {
				return true
			}
			if i == 0 {
				first = sub
			}
		}
		if e.msg != "" {
			return fail(e.msg + ", not " + describe(n))
		}
		if lits, ok := literalAlts(e.alts); ok {
			return fail("must be " + lits + ", not " + describe(n))
		}
		*vs = append(*vs, first...)
		return false
	case structExpr:
		if n.Kind != Struct {
			return fail("must be a struct, not " + describe(n))
		}
		ok := true
		for _, f := range n.Fields {
			fe, known := e.fields[f.Name]
			switch {
			case known:
				if !c.check(fe.t, f.Value, at.add(f.Name), vs) {
					ok = false
				}
			case e.pattern != nil:
				if !c.check(e.pattern, f.Value, at.add(f.Name), vs) {
					ok = false
				}
			default:
				msg := "is not a known field"
				if s := suggest(f.Name, e.order); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				} else {
					msg += "; known fields are " + strings.Join(e.order, ", ")
				}
				p := f.KeyPos
				if !p.IsValid() {
					p = f.Value.Pos
				}
				*vs = append(*vs, Violation{Path: at.add(f.Name), Pos: p, Msg: msg, Kind: Unknown})
				ok = false
			}
		}
		for _, name := range e.order {
			fe := e.fields[name]
			if fe.optional || n.Get(name) != nil {
				continue
			}
			// As in CUE, an absent field whose type is a struct or a list
			// stands as an empty one: only what that lacks is an error.
			if empty := c.emptyValue(fe.t, n.Pos); empty != nil {
				if !c.check(fe.t, empty, at.add(name), vs) {
					ok = false
				}
				continue
			}
			*vs = append(*vs, Violation{Path: at.add(name), Pos: n.Pos, Msg: "is required", Kind: Missing})
			ok = false
		}
		return ok
	case listExpr:
		if n.Kind != List {
			return fail("must be a list, not " + describe(n))
		}
		ok := true
		for i, el := range n.Elems {
			if !c.check(e.elem, el, at.add(i), vs) {
				ok = false
			}
		}
		return ok
	}
	return fail(fmt.Sprintf("cannot be checked (%T)", e))
}

// emptyValue returns the value CUE gives a required field of type e that is
// absent: an empty struct or list, or nil when the type has no concrete
// value of its own.
func (c *Checker) emptyValue(e expr, pos Pos) *Node {
	switch e := e.(type) {
	case *refExpr:
		return c.emptyValue(*e.to, pos)
	case structExpr:
		return &Node{Kind: Struct, Pos: pos}
	case listExpr:
		return &Node{Kind: List, Pos: pos}
	case conjExpr:
		for _, p := range e.parts {
			if n := c.emptyValue(p, pos); n != nil {
				return n
			}
		}
	}
	return nil
}

func literalAlts(alts []expr) (string, bool) {
	var s []string
	for _, a := range alts {
		l, ok := a.(litExpr)
		if !ok {
			return "", false
		}
		s = append(s, literalText(l.val))
	}
	return orList(s), true
}

// orList joins items as "a, b or c".
func orList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

func equalScalar(a, b *Node) bool {
	switch a.Kind {
	case String:
		return b.Kind == String && a.Str == b.Str
	case Int, Float:
		return (b.Kind == Int || b.Kind == Float) && a.Num == b.Num && a.Kind == b.Kind
	case Bool:
		return b.Kind == Bool && a.Bool == b.Bool
	case Null:
		return b.Kind == Null
	}
	return false
}

func literalText(n *Node) string {
	switch n.Kind {
	case String:
		return n.Str
	case Int, Float:
		return formatNum(n.Num)
	case Bool:
		return strconv.FormatBool(n.Bool)
	}
	return n.Kind.String()
}

func kindPhrase(k Kind) string {
	switch k {
	case String:
		return "a string"
	case Int:
		return "a whole number"
	case Float:
		return "a number"
	case Bool:
		return "true or false"
	}
	return k.String()
}

// describe renders a value for a message: scalars as written, others by kind.
func describe(n *Node) string {
	switch n.Kind {
	case String:
		s := n.Str
		if utf8.RuneCountInString(s) > 40 {
			s = string([]rune(s)[:40]) + "…"
		}
		return strconv.Quote(s)
	case Int, Float:
		return formatNum(n.Num)
	case Bool:
		return strconv.FormatBool(n.Bool)
	case Null:
		return "null"
	case Struct:
		return "a struct"
	case List:
		return "a list"
	}
	return "an incomplete value"
}

func formatNum(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// suggest returns the candidate closest to name when it is close enough to
// be a likely typo.
func suggest(name string, candidates []string) string {
	best, bestD := "", 3
	if len(name) <= 4 {
		bestD = 2
	}
	for _, c := range candidates {
		d := editDistance(strings.ToLower(name), strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// d is the optimal-string-alignment distance matrix: insertions,
	// deletions, substitutions and transpositions of neighbours cost one.
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
