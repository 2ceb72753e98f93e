package policies

import (
	"cuelang.org/go/cue"
	"go.yaml.in/yaml/v3"
)

// walker follows a plan through one manifest and collects the problems it
// finds, asking CUE only where the plan cannot judge by itself.
type walker struct {
	ctx      *cue.Context
	s        scratch
	b        *budget
	path     []pathElem
	problems []problem
	tooLarge bool
}

// add records problems found at the current path; their own paths are
// relative to it.
func (w *walker) add(ps []problem, extra ...pathElem) {
	for _, p := range ps {
		full := make([]pathElem, 0, len(w.path)+len(extra)+len(p.path))
		full = append(full, w.path...)
		full = append(full, extra...)
		full = append(full, p.path...)
		p.path = full
		w.problems = append(w.problems, p)
	}
}

// isNull reports whether a value node is YAML null. A field whose value is
// null counts as absent, as it does for the Kubernetes API server.
func isNull(n *yaml.Node) bool {
	n = deref(n)
	if n == nil {
		return true
	}
	if n.Kind != yaml.ScalarNode {
		return false
	}
	k, _ := scalar(n)
	return k == kindNull
}

func (w *walker) walk(p *plan, n *yaml.Node) {
	if w.tooLarge {
		return
	}
	if n != nil && n.Kind == yaml.AliasNode {
		w.b.inAlias++
		defer func() { w.b.inAlias-- }()
	}
	if !w.b.spend() {
		w.tooLarge = true
		return
	}
	n = deref(n)
	if n == nil {
		return
	}
	switch p.kind {
	case planTop:
	case planForbidden:
		w.add(p.errs)
	case planStruct:
		w.walkStruct(p, n)
	case planList:
		w.walkList(p, n)
	case planUnion:
		dk := dataKind(n)
		for _, a := range p.alts {
			if a.kinds&dk != 0 {
				w.walk(a, n)
				return
			}
		}
	case planLeaf, planOpaque:
		if p.kind == planLeaf && p.kinds&dataKind(n) == 0 {
			return // a kind the constraint does not admit: MR900's concern
		}
		if n.Kind == yaml.ScalarNode {
			k, text := scalar(n)
			if p.check != nil && p.check(k, text) {
				return
			}
			w.scalarCUE(p, k, text)
			return
		}
		w.subtreeCUE(p, n)
	}
}

func (w *walker) walkStruct(p *plan, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := range p.fields {
		f := &p.fields[i]
		_, v, ok := lookup(n, f.name)
		if !ok || isNull(v) {
			if f.absent != nil {
				w.add(f.absent, pathElem{key: f.name})
			}
			continue
		}
		w.path = append(w.path, pathElem{key: f.name})
		w.walk(f.p, v)
		w.path = w.path[:len(w.path)-1]
	}
	if !p.closed && p.pattern == nil {
		return
	}
	for _, e := range entries(n) {
		if _, declared := p.byName[e.key]; declared || isNull(e.value) {
			continue
		}
		if p.pattern == nil {
			w.add([]problem{{code: probNotAllowed}}, pathElem{key: e.key})
			continue
		}
		w.path = append(w.path, pathElem{key: e.key})
		w.walk(p.pattern, e.value)
		w.path = w.path[:len(w.path)-1]
	}
}

func (w *walker) walkList(p *plan, n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		return
	}
	items := n.Content
	if len(items) < len(p.elems) || (p.tail == nil && len(items) > len(p.elems)) {
		w.add([]problem{{code: probLength, have: len(items), want: len(p.elems), exact: p.tail == nil}})
		return
	}
	for i, it := range items {
		ep := p.tail
		if i < len(p.elems) {
			ep = p.elems[i]
		}
		w.path = append(w.path, pathElem{index: i, isIndex: true})
		w.walk(ep, it)
		w.path = w.path[:len(w.path)-1]
	}
}

// scalarCUE asks CUE whether a scalar satisfies a constraint, through the
// plan's memo.
func (w *walker) scalarCUE(p *plan, k scalarKind, text string) {
	key := memoKey{kind: k, text: text}
	if ps, ok := p.memo.get(key); ok {
		w.add(ps)
		return
	}
	d := w.ctx.BuildExpr(scalarExpr(k, text))
	ps := w.s.problems(p.value, d, cue.Concrete(true))
	p.memo.put(key, ps)
	w.add(ps)
}

// subtreeCUE evaluates an opaque constraint against a whole subtree.
func (w *walker) subtreeCUE(p *plan, n *yaml.Node) {
	expr, err := toExpr(n, w.b)
	if err != nil {
		w.tooLarge = true
		return
	}
	d := w.ctx.BuildExpr(expr)
	w.add(w.s.problems(p.value, d, cue.Concrete(true)))
}
