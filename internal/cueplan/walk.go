package cueplan

import (
	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
)

// View presents data of node type N to Walk: schema's evaluated intent
// (*schema.Node) and policies' manifests (*yaml.Node, aliases and merge
// keys resolved) are both walked through one.
type View[N any] interface {
	// Kind returns the kind of n.
	Kind(n N) Kind
	// Scalar returns the text of a scalar: a string's value, a number as a
	// CUE literal, true or false, null.
	Scalar(n N) string
	// Lookup returns the value of field name of struct n.
	Lookup(n N, name string) (N, bool)
	// Fields calls yield for every field of struct n, each name once, in
	// order, until yield returns false.
	Fields(n N, yield func(name string, v N) bool)
	// Items returns the elements of list n.
	Items(n N) []N
}

// Options say how a caller's users see data.
type Options struct {
	// ReportKinds reports a value of a kind the constraint does not admit
	// (CodeKind, or the Test that fails) and data that is not concrete
	// (CodeIncomplete). Without it such a value passes, left to another
	// check (MR900 for manifests).
	ReportKinds bool
	// Explain reports a scalar that fails a Test as CodeInvalid, in Go's
	// terms, instead of asking CUE for its message.
	Explain bool
	// NullIsAbsent treats a field whose value is null as absent, as the
	// Kubernetes API server does.
	NullIsAbsent bool
}

// Walk follows plan p through data n and returns the problems it finds,
// with paths relative to n. The data is bounded by whoever read it
// (manifest.Limits, the intent loader's limits).
func Walk[N any](p *Plan, view View[N], n N, opt Options) []Problem {
	w := &walker[N]{view: view, opt: opt}
	w.path = w.pathBuf[:0]
	w.walk(p, n)
	return w.problems
}

// Whole unifies constraint v with all of data n through CUE, for
// constraints without a plan.
func Whole[N any](v cue.Value, s Scratch, view View[N], n N, opt Options) []Problem {
	return s.Problems(v, v.Context().BuildExpr(Expr(view, n, opt)), cue.Concrete(true))
}

// Expr converts data n into CUE syntax as Walk sees it, leaving out the
// fields that opt treats as absent.
func Expr[N any](view View[N], n N, opt Options) ast.Expr {
	k := view.Kind(n)
	switch k {
	case Struct:
		s := &ast.StructLit{}
		view.Fields(n, func(name string, v N) bool {
			if kv := view.Kind(v); kv != Absent && !(opt.NullIsAbsent && kv == Null) {
				s.Elts = append(s.Elts, &ast.Field{Label: ast.NewString(name), Value: Expr(view, v, opt)})
			}
			return true
		})
		return s
	case List:
		l := &ast.ListLit{}
		for _, it := range view.Items(n) {
			l.Elts = append(l.Elts, Expr(view, it, opt))
		}
		return l
	case Absent, Null:
		return ast.NewNull()
	case Incomplete:
		return ast.NewIdent("_")
	}
	return ScalarExpr(k, view.Scalar(n))
}

type walker[N any] struct {
	view     View[N]
	opt      Options
	path     []PathElem
	problems []Problem
	// pathBuf holds the path of the usual manifest or intent, so that it
	// takes no allocation of its own.
	pathBuf [4]PathElem
}

// add records problems found at the current path; their own paths are
// relative to it.
func (w *walker[N]) add(ps []Problem, extra ...PathElem) {
	for _, p := range ps {
		full := make([]PathElem, 0, len(w.path)+len(extra)+len(p.Path))
		full = append(full, w.path...)
		full = append(full, extra...)
		full = append(full, p.Path...)
		p.Path = full
		w.problems = append(w.problems, p)
	}
}

func (w *walker[N]) absent(n N) bool {
	k := w.view.Kind(n)
	return k == Absent || w.opt.NullIsAbsent && k == Null
}

func (w *walker[N]) walk(p *Plan, n N) {
	k := w.view.Kind(n)
	switch {
	case k == Absent:
		return
	case k == Incomplete && w.opt.ReportKinds:
		w.add([]Problem{{Code: CodeIncomplete}})
		return
	}
	switch p.kind {
	case planTop:
	case planForbidden:
		w.add(p.errs)
	case planStruct:
		w.walkStruct(p, n, k)
	case planList:
		w.walkList(p, n, k)
	case planUnion:
		w.walkUnion(p, n, k)
	case planLeaf, planOpaque:
		if p.kind == planLeaf && p.kinds&k.cue() == 0 && !w.opt.ReportKinds {
			return // a kind the constraint does not admit: another check's concern
		}
		scalar := k != Struct && k != List
		text := ""
		if scalar {
			text = w.view.Scalar(n)
		}
		if p.test != nil && (scalar || w.opt.Explain) {
			failed, sure := p.test.Fail(k, text)
			switch {
			case sure && failed == nil:
				return
			case sure && w.opt.Explain:
				w.add([]Problem{{Code: CodeInvalid, Test: failed, Msg: failed.Msg}})
				return
			}
		}
		if !scalar {
			w.subtreeCUE(p, n)
			return
		}
		n := len(w.problems)
		w.scalarCUE(p, k, text)
		if w.opt.Explain && len(w.problems) > n && p.test != nil && p.test.Msg != "" {
			// The constraint's own message says it better than CUE.
			w.problems = w.problems[:n]
			w.add([]Problem{{Code: CodeInvalid, Test: p.test, Msg: p.test.Msg}})
		}
	}
}

func (w *walker[N]) walkStruct(p *Plan, n N, k Kind) {
	if k != Struct {
		if w.opt.ReportKinds {
			w.add([]Problem{{Code: CodeKind, Kinds: cue.StructKind}})
		}
		return
	}
	for i := range p.fields {
		f := &p.fields[i]
		v, ok := w.view.Lookup(n, f.name)
		if !ok || w.absent(v) {
			if f.absent != nil {
				w.add(f.absent, PathElem{Key: f.name})
			}
			continue
		}
		w.path = append(w.path, PathElem{Key: f.name})
		w.walk(f.p, v)
		w.path = w.path[:len(w.path)-1]
	}
	if !p.closed && p.pattern == nil {
		return
	}
	w.view.Fields(n, func(name string, v N) bool {
		if _, declared := p.byName[name]; declared || w.absent(v) {
			return true
		}
		if p.pattern == nil {
			w.add([]Problem{{Code: CodeNotAllowed, Known: p.order}}, PathElem{Key: name})
			return true
		}
		w.path = append(w.path, PathElem{Key: name})
		w.walk(p.pattern, v)
		w.path = w.path[:len(w.path)-1]
		return true
	})
}

func (w *walker[N]) walkList(p *Plan, n N, k Kind) {
	if k != List {
		if w.opt.ReportKinds {
			w.add([]Problem{{Code: CodeKind, Kinds: cue.ListKind}})
		}
		return
	}
	items := w.view.Items(n)
	if len(items) < len(p.elems) || (p.tail == nil && len(items) > len(p.elems)) {
		w.add([]Problem{{Code: CodeLength, Have: len(items), Want: len(p.elems), Exact: p.tail == nil}})
		return
	}
	for i, it := range items {
		ep := p.tail
		if i < len(p.elems) {
			ep = p.elems[i]
		}
		w.path = append(w.path, PathElem{Index: i, IsIndex: true})
		w.walk(ep, it)
		w.path = w.path[:len(w.path)-1]
	}
}

// walkUnion walks the one alternative of a union that admits the data's
// kind. With an error("...") alternative, any failure is that message: for
// an explained walk in Go's terms, else in CUE's, which reports every
// alternative.
func (w *walker[N]) walkUnion(p *Plan, n N, k Kind) {
	if p.msg != "" && !w.opt.Explain {
		if k == Struct || k == List {
			w.subtreeCUE(p, n)
		} else {
			w.scalarCUE(p, k, w.view.Scalar(n))
		}
		return
	}
	var alt *Plan
	for _, a := range p.alts {
		if a.kinds&k.cue() != 0 {
			alt = a
			break
		}
	}
	switch {
	case alt == nil && !w.opt.ReportKinds:
		return // a kind the constraint does not admit: another check's concern
	case alt == nil && p.msg != "":
		w.add([]Problem{{Code: CodeInvalid, Msg: p.msg}})
		return
	case alt == nil:
		alt = p.alts[0]
	}
	before := len(w.problems)
	w.walk(alt, n)
	if p.msg != "" && len(w.problems) > before {
		w.problems = w.problems[:before]
		w.add([]Problem{{Code: CodeInvalid, Msg: p.msg}})
	}
}

// scalarCUE asks CUE whether a scalar satisfies a constraint, through the
// plan's memo.
func (w *walker[N]) scalarCUE(p *Plan, k Kind, text string) {
	key := memoKey{kind: k, text: text}
	if ps, ok := p.memo.get(key); ok {
		w.add(ps)
		return
	}
	d := p.value.Context().BuildExpr(ScalarExpr(k, text))
	ps := p.s.Problems(p.value, d, cue.Concrete(true))
	p.memo.put(key, ps)
	w.add(ps)
}

// subtreeCUE evaluates an opaque constraint against a whole subtree.
func (w *walker[N]) subtreeCUE(p *Plan, n N) {
	d := p.value.Context().BuildExpr(Expr(w.view, n, w.opt))
	w.add(p.s.Problems(p.value, d, cue.Concrete(true)))
}
