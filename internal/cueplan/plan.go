package cueplan

import (
	"fmt"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
)

// Plan is the shape of a compiled constraint, derived once from its CUE
// value, that Walk follows through data.
type Plan struct {
	kind  planKind
	value cue.Value
	s     Scratch

	// kinds is what the constraint admits (IncompleteKind).
	kinds cue.Kind

	// planStruct
	fields  []field
	byName  map[string]int
	order   []string // the declared field names, for messages
	closed  bool     // undeclared fields are not allowed
	pattern *Plan    // constraint of undeclared fields ([string]: X), if any

	// planList
	elems []*Plan
	tail  *Plan // element constraint after elems; nil for a closed list

	// planLeaf and planOpaque with a scalar
	test *Test
	memo *memo

	// planUnion; msg is the message of an error("...") alternative.
	alts []*Plan
	msg  string

	// planForbidden
	errs []Problem
	err  error // CUE's error, for defects

	// regular is true for a field that must be present (name or name!):
	// if its value is an error, no data can satisfy the constraint.
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
	p    *Plan
	// absent lists the problems when the data lacks the field: none for an
	// optional field or one whose constraint is concrete (a default or an
	// open list), CodeRequired for name!, CUE's incomplete-value errors
	// otherwise.
	absent []Problem
}

// Limits on plan construction for recursive or huge constraints; past them
// a node becomes opaque, which is always correct, only slower.
const (
	maxPlanDepth = 48
	maxPlanNodes = 4096
)

type builder struct {
	nodes int
	s     Scratch
	// tests holds the Tests of referenced values, by reference.
	tests map[refKey]*Test
}

// refKey names a referenced value: its package's root and its path there.
type refKey struct {
	root token.Pos
	path string
}

// Compile derives the plan of constraint v; s evaluates what the plan asks
// of CUE.
func Compile(v cue.Value, s Scratch) *Plan {
	b := &builder{s: s, tests: map[refKey]*Test{}}
	return b.build(v, 0)
}

func (b *builder) build(v cue.Value, depth int) *Plan {
	b.nodes++
	p := &Plan{value: v, s: b.s, kinds: v.IncompleteKind(), memo: &memo{}}
	if err := v.Err(); err != nil {
		// An incomplete value, such as a validator that open data does not
		// satisfy yet ([...] & list.MinItems(1)), fails Err but passes
		// Validate: data may still complete it.
		if verr := b.s.Validate(v, cue.Value{}); verr != nil {
			p.kind = planForbidden
			p.errs = CUEProblems(verr)
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
		// defaults to, which changes nothing for data's list.
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
		p.test = b.compileTest(v, 0)
	default:
		if b.union(p, v, depth) {
			p.kind = planUnion
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

func (b *builder) buildStruct(p *Plan, v cue.Value, depth int) {
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
			f.absent = []Problem{{Code: CodeRequired}}
			f.p.regular = true
		case cue.OptionalConstraint:
		default:
			f.p.regular = true
			f.absent = b.s.Problems(fv, cue.Value{}, cue.Concrete(true))
		}
		for i := range f.absent {
			f.absent[i].Absent = true
		}
		p.byName[f.name] = len(p.fields)
		p.fields = append(p.fields, f)
		p.order = append(p.order, f.name)
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

func (b *builder) buildList(p *Plan, v cue.Value, depth int) {
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
// kinds, such as [...#Route] | string: the data's kind then selects the one
// alternative that can unify, and CUE would eliminate all others. An
// error("...") alternative gives the disjunction its message.
func (b *builder) union(p *Plan, v cue.Value, depth int) bool {
	op, args := v.Expr()
	if op != cue.OrOp || len(args) < 2 {
		return false
	}
	var seen cue.Kind
	alts := make([]*Plan, 0, len(args))
	msg := ""
	for _, a := range args {
		if m, ok := errorCall(a); ok {
			msg = m
			continue
		}
		k := a.IncompleteKind()
		if k == 0 || k&seen != 0 {
			return false
		}
		seen |= k
		alts = append(alts, b.build(a, depth+1))
	}
	if len(alts) < 2 {
		return false
	}
	p.alts, p.msg = alts, msg
	return true
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

// Opaque counts the nodes of p that CUE evaluates whole, for tests that a
// constraint is judged natively.
func (p *Plan) Opaque() int {
	n := 0
	p.each(func(q *Plan) {
		if q.kind == planOpaque || q.kind == planLeaf && q.test == nil {
			n++
		}
	})
	return n
}

// each calls fn on p and every plan below it.
func (p *Plan) each(fn func(*Plan)) {
	if p == nil {
		return
	}
	fn(p)
	for _, f := range p.fields {
		f.p.each(fn)
	}
	for _, e := range p.elems {
		e.each(fn)
	}
	for _, a := range p.alts {
		a.each(fn)
	}
	p.pattern.each(fn)
	p.tail.each(fn)
}

// Defects lists the errors of fields that must be present but can never be
// satisfied (timeout: string & 5), anywhere in the constraint, including
// list element and pattern constraints that CUE does not validate until
// data arrives. An optional field whose value is an error (fault?: _|_) is
// not a defect: it forbids the field.
func (p *Plan) Defects() []error {
	var out []error
	add := func(err error) {
		if err != nil {
			out = append(out, err)
		}
	}
	p.each(func(p *Plan) {
		switch {
		case p.kind == planForbidden && p.regular:
			add(p.err)
		case p.kind == planOpaque:
			// Element and pattern constraints of opaque values, which have
			// no plans of their own.
			for _, sel := range []cue.Selector{cue.AnyIndex, cue.AnyString} {
				if x := p.value.LookupPath(cue.MakePath(sel)); x.Exists() {
					add(innerDefect(p.s, x))
				}
			}
		}
		for _, x := range []*Plan{p.pattern, p.tail} {
			if x != nil && x.kind == planForbidden {
				add(innerDefect(p.s, x.value))
			}
		}
	})
	return out
}

// innerDefect returns the errors of an element or pattern constraint that
// come from inside it. An element constraint that is an error as a whole
// ([..._|_]) only forbids elements, but one whose field is an error
// ([...{timeout: string & 5}]) can never be met.
func innerDefect(s Scratch, v cue.Value) error {
	err := s.Validate(v, cue.Value{})
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

// memo remembers CUE's verdict on scalars, keyed by the scalar's kind and
// text. A constraint sees few distinct values at one place (modes,
// timeouts, weights), so after the first few almost every scalar check is a
// map lookup. It is bounded so that hostile input cannot grow it without
// limit.
type memo struct {
	mu sync.Mutex
	m  map[memoKey][]Problem
}

type memoKey struct {
	kind Kind
	text string
}

const (
	maxMemoEntries = 1024
	maxMemoText    = 256
)

func (m *memo) get(k memoKey) ([]Problem, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ps, ok := m.m[k]
	return ps, ok
}

func (m *memo) put(k memoKey, ps []Problem) {
	if len(k.text) > maxMemoText {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[memoKey][]Problem{}
	}
	if len(m.m) < maxMemoEntries {
		m.m[k] = ps
	}
}
