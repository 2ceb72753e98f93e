package policies

import (
	"fmt"
	"regexp"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/errors"
	"go.yaml.in/yaml/v3"
)

// A plan is the shape of a compiled constraint, derived once from its CUE
// value, that the walker follows through a manifest. It lets the engine check
// a manifest in microseconds instead of building a CUE value for it: CUE is
// asked only about the scalars and subtrees the plan cannot judge itself, and
// those answers are memoized.
//
// Plans are built only for policy packages that safe() accepts, where no
// constraint refers to a field whose value the manifest could change. There
// CUE evaluation is compositional: the errors of unifying a struct with data
// are the errors of unifying each field with the data's field, plus
// closedness errors. The differential tests check this against whole-value
// CUE evaluation.
type plan struct {
	kind  planKind
	value cue.Value

	// kinds is what the constraint admits (IncompleteKind); a manifest value
	// of another kind is left to MR900, see Violation.
	kinds cue.Kind

	// planStruct
	fields  []field
	byName  map[string]int
	closed  bool  // undeclared fields are not allowed
	pattern *plan // constraint of undeclared fields ([string]: X), if any

	// planList
	elems []*plan
	tail  *plan // element constraint after elems; nil for a closed list

	// planLeaf and planOpaque with a scalar
	check leafCheck
	memo  *memo

	// planUnion
	alts []*plan

	// planForbidden
	errs []problem
	err  error // CUE's error, for defects

	// regular is true for a field that must be present (name or name!):
	// if its value is an error, no manifest can satisfy the constraint.
	regular bool
}

type planKind uint8

const (
	planTop       planKind = iota // anything is fine (_)
	planStruct                    // an open or closed struct
	planList                      // a list with fixed elements and maybe a tail
	planLeaf                      // a scalar constraint
	planUnion                     // a disjunction whose alternatives admit disjoint kinds
	planForbidden                 // an error value: any data here is a violation
	planOpaque                    // anything else: CUE evaluates the subtree
)

// field is one declared field of a struct plan.
type field struct {
	name string
	p    *plan
	// absent lists the problems when the manifest lacks the field: none for
	// an optional field or one whose constraint is concrete (a default or
	// an open list), "required" for name!, CUE's incomplete-value errors
	// otherwise.
	absent []problem
}

// leafCheck is a native test that a scalar satisfies a constraint. It may
// answer false when unsure: the memoized CUE check then decides.
type leafCheck func(k scalarKind, text string) bool

// planLimits bound plan construction for recursive or huge constraints; past
// them a node becomes planOpaque, which is always correct, only slower.
const (
	maxPlanDepth = 48
	maxPlanNodes = 4096
)

type planBuilder struct {
	nodes int
	s     scratch
}

// buildPlan derives the plan of a constraint value.
func buildPlan(v cue.Value, s scratch) *plan {
	b := &planBuilder{s: s}
	return b.build(v, 0)
}

func (b *planBuilder) build(v cue.Value, depth int) *plan {
	b.nodes++
	p := &plan{value: v, kinds: v.IncompleteKind(), memo: &memo{}}
	if err := v.Err(); err != nil {
		// An incomplete value, such as a validator that open data does not
		// satisfy yet ([...] & list.MinItems(1)), fails Err but passes
		// Validate: data may still complete it.
		if verr := b.s.validate(v, cue.Value{}); verr != nil {
			p.kind = planForbidden
			p.errs = cueProblems(verr)
			p.err = verr
		} else {
			p.kind = planOpaque
		}
		return p
	}
	if depth > maxPlanDepth || b.nodes > maxPlanNodes {
		p.kind = planOpaque
		return p
	}
	if d, hasDefault := v.Default(); hasDefault && !(p.kinds == cue.ListKind && isEmptyList(d)) {
		// A default may select one disjunct over others that the plan
		// cannot see (Expr reports NoOp for *"A" | string). The one
		// exception is the empty list that every open list ([...T])
		// defaults to, which changes nothing for a manifest's list.
		if p.kinds&^scalarKinds == 0 {
			p.kind = planLeaf
		} else {
			p.kind = planOpaque
		}
		return p
	}
	switch {
	case p.kinds == cue.TopKind && fmt.Sprint(v) == "_":
		p.kind = planTop
	case p.kinds == cue.StructKind && plainShape(v, 0):
		b.buildStruct(p, v, depth)
	case p.kinds == cue.ListKind && plainShape(v, 0):
		b.buildList(p, v, depth)
	case p.kinds != 0 && p.kinds&^scalarKinds == 0:
		p.kind = planLeaf
		p.check = nativeCheck(v, 0)
	default:
		if alts, ok := b.union(v, depth); ok {
			p.kind = planUnion
			p.alts = alts
			return p
		}
		p.kind = planOpaque
	}
	return p
}

// isEmptyList reports whether v is the concrete empty list.
func isEmptyList(v cue.Value) bool {
	if v.Kind() != cue.ListKind {
		return false
	}
	n, err := v.Len().Int64()
	return err == nil && n == 0
}

// scalarKinds are the kinds a YAML scalar can decode to (bytes never occurs
// but may appear in a constraint).
const scalarKinds = cue.StringKind | cue.IntKind | cue.FloatKind | cue.BoolKind | cue.NullKind | cue.BytesKind

func (b *planBuilder) buildStruct(p *plan, v cue.Value, depth int) {
	p.kind = planStruct
	p.byName = map[string]int{}
	it, err := v.Fields(cue.Optional(true))
	if err != nil {
		p.kind = planOpaque
		return
	}
	for it.Next() {
		sel := it.Selector()
		if sel.LabelType() != cue.StringLabel {
			continue
		}
		fv := it.Value()
		f := field{name: sel.Unquoted(), p: b.build(fv, depth+1)}
		switch it.FieldType() &^ cue.StringLabel {
		case cue.RequiredConstraint:
			f.absent = []problem{{code: probRequired}}
			f.p.regular = true
		case cue.OptionalConstraint:
		default:
			f.p.regular = true
			f.absent = b.s.problems(fv, cue.Value{}, cue.Concrete(true))
		}
		p.byName[f.name] = len(p.fields)
		p.fields = append(p.fields, f)
	}
	if pat := v.LookupPath(cue.MakePath(cue.AnyString)); pat.Exists() {
		p.pattern = b.build(pat, depth+1)
		if p.pattern.kind == planTop {
			p.pattern = nil // [string]: _, or the ... of an open definition
		}
	} else {
		p.closed = v.IsClosed()
	}
}

func (b *planBuilder) buildList(p *plan, v cue.Value, depth int) {
	p.kind = planList
	it, err := v.List()
	if err != nil {
		p.kind = planOpaque
		return
	}
	for it.Next() {
		p.elems = append(p.elems, b.build(it.Value(), depth+1))
	}
	if tail := v.LookupPath(cue.MakePath(cue.AnyIndex)); tail.Exists() {
		p.tail = b.build(tail, depth+1)
	}
}

// union accepts a disjunction whose alternatives admit pairwise disjoint
// kinds, such as [...#Route] | string: the manifest's kind then selects the
// one alternative that can unify, and CUE would eliminate all others.
func (b *planBuilder) union(v cue.Value, depth int) ([]*plan, bool) {
	op, args := v.Expr()
	if op != cue.OrOp || len(args) < 2 {
		return nil, false
	}
	var seen cue.Kind
	alts := make([]*plan, 0, len(args))
	for _, a := range args {
		k := a.IncompleteKind()
		if k == 0 || k&seen != 0 {
			return nil, false
		}
		seen |= k
		alts = append(alts, b.build(a, depth+1))
	}
	return alts, true
}

// plainShape reports whether a struct or list value is nothing but its
// fields or elements: a literal, a conjunction of literals, or a reference
// to one. Validators such as struct.MinFields or list.MinItems make a value
// opaque, because the fields alone do not tell whether it holds.
func plainShape(v cue.Value, depth int) bool {
	if depth > 8 {
		return false
	}
	op, args := v.Expr()
	switch op {
	case cue.NoOp:
		return true
	case cue.AndOp:
		for _, a := range args {
			if !plainShape(a, depth+1) {
				return false
			}
		}
		return true
	case cue.SelectorOp, cue.IndexOp:
		root, path := v.ReferencePath()
		if !root.Exists() {
			return false
		}
		return plainShape(root.LookupPath(path), depth+1)
	}
	return false
}

// nativeCheck returns a Go test for the common scalar constraints (types,
// literals, !=, =~, !~ and their conjunctions and disjunctions), or nil.
// Numbers are left to CUE, whose arithmetic is exact.
func nativeCheck(v cue.Value, depth int) leafCheck {
	if depth > 8 {
		return nil
	}
	if _, hasDefault := v.Default(); hasDefault {
		return nil
	}
	if v.IsConcrete() {
		switch v.Kind() {
		case cue.StringKind:
			s, _ := v.String()
			return func(k scalarKind, text string) bool { return k == kindString && text == s }
		case cue.BoolKind:
			b, _ := v.Bool()
			want := "false"
			if b {
				want = "true"
			}
			return func(k scalarKind, text string) bool { return k == kindBool && text == want }
		case cue.NullKind:
			return func(k scalarKind, _ string) bool { return k == kindNull }
		}
		return nil
	}
	op, args := v.Expr()
	switch op {
	case cue.NoOp:
		switch fmt.Sprint(v) {
		case "string":
			return func(k scalarKind, _ string) bool { return k == kindString }
		case "int":
			return func(k scalarKind, _ string) bool { return k == kindInt }
		case "float":
			return func(k scalarKind, _ string) bool { return k == kindFloat }
		case "number":
			return func(k scalarKind, _ string) bool { return k == kindInt || k == kindFloat }
		case "bool":
			return func(k scalarKind, _ string) bool { return k == kindBool }
		case "null":
			return func(k scalarKind, _ string) bool { return k == kindNull }
		}
	case cue.SelectorOp:
		root, path := v.ReferencePath()
		if root.Exists() {
			return nativeCheck(root.LookupPath(path), depth+1)
		}
	case cue.AndOp, cue.OrOp:
		checks := make([]leafCheck, 0, len(args))
		for _, a := range args {
			c := nativeCheck(a, depth+1)
			if c == nil {
				return nil
			}
			checks = append(checks, c)
		}
		if op == cue.AndOp {
			return func(k scalarKind, text string) bool {
				for _, c := range checks {
					if !c(k, text) {
						return false
					}
				}
				return true
			}
		}
		return func(k scalarKind, text string) bool {
			for _, c := range checks {
				if c(k, text) {
					return true
				}
			}
			return false
		}
	case cue.NotEqualOp, cue.RegexMatchOp, cue.NotRegexMatchOp:
		if len(args) != 1 || args[0].Kind() != cue.StringKind {
			return nil
		}
		s, _ := args[0].String()
		switch op {
		case cue.NotEqualOp:
			return func(k scalarKind, text string) bool { return k == kindString && text != s }
		default:
			re, err := regexp.Compile(s)
			if err != nil {
				return nil
			}
			want := op == cue.RegexMatchOp
			return func(k scalarKind, text string) bool { return k == kindString && re.MatchString(text) == want }
		}
	}
	return nil
}

// memo remembers CUE's verdict on scalars, keyed by the scalar's kind and
// text. A policy sees few distinct values at one place (modes, timeouts,
// weights), so after the first manifest almost every scalar check is a map
// lookup. It is bounded so that hostile input cannot grow it without limit.
type memo struct {
	mu sync.Mutex
	m  map[memoKey][]problem
}

type memoKey struct {
	kind scalarKind
	text string
}

const (
	maxMemoEntries = 1024
	maxMemoText    = 256
)

func (m *memo) get(k memoKey) ([]problem, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ps, ok := m.m[k]
	return ps, ok
}

func (m *memo) put(k memoKey, ps []problem) {
	if len(k.text) > maxMemoText {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[memoKey][]problem{}
	}
	if len(m.m) < maxMemoEntries {
		m.m[k] = ps
	}
}

// dataKind is the CUE kind of a YAML node.
func dataKind(n *yaml.Node) cue.Kind {
	switch n.Kind {
	case yaml.MappingNode:
		return cue.StructKind
	case yaml.SequenceNode:
		return cue.ListKind
	case yaml.ScalarNode:
		switch k, _ := scalar(n); k {
		case kindInt:
			return cue.IntKind
		case kindFloat:
			return cue.FloatKind
		case kindBool:
			return cue.BoolKind
		case kindNull:
			return cue.NullKind
		}
		return cue.StringKind
	}
	return cue.BottomKind
}

// defects lists the errors of fields that must be present but can never be
// satisfied (timeout: string & 5), anywhere in the constraint, including
// list element and pattern constraints that CUE does not validate until
// data arrives. An optional field whose value is an error (fault?: _|_) is
// not a defect: it forbids the field.
func (p *plan) defects(s scratch) []error {
	var out []error
	add := func(err error) {
		if err != nil {
			out = append(out, err)
		}
	}
	var walk func(p *plan)
	walk = func(p *plan) {
		if p == nil {
			return
		}
		switch {
		case p.kind == planForbidden && p.regular:
			add(p.err)
		case p.kind == planOpaque:
			// Element and pattern constraints of opaque values, which have
			// no plans of their own.
			for _, sel := range []cue.Selector{cue.AnyIndex, cue.AnyString} {
				if x := p.value.LookupPath(cue.MakePath(sel)); x.Exists() {
					add(innerDefect(s, x))
				}
			}
		}
		for _, f := range p.fields {
			walk(f.p)
		}
		for _, e := range p.elems {
			walk(e)
		}
		for _, a := range p.alts {
			walk(a)
		}
		for _, x := range []*plan{p.pattern, p.tail} {
			if x != nil && x.kind == planForbidden {
				add(innerDefect(s, x.value))
			}
			walk(x)
		}
	}
	walk(p)
	return out
}

// innerDefect returns the errors of an element or pattern constraint that
// come from inside it. An element constraint that is an error as a whole
// ([..._|_]) only forbids elements, but one whose field is an error
// ([...{timeout: string & 5}]) can never be met.
func innerDefect(s scratch, v cue.Value) error {
	err := s.validate(v, cue.Value{})
	if err == nil {
		return nil
	}
	// A value that is an error keeps the error CUE found when evaluating
	// it, with a path in the policy package rather than under the scratch
	// field.
	base := len(v.Path().Selectors())
	for _, e := range errors.Errors(err) {
		path := e.Path()
		if len(path) > 0 && path[0] == slotLabel && len(path) > 1 || len(path) > base {
			return err
		}
	}
	return nil
}
