package schema

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"

	"github.com/meshroll/meshroll/internal/bound"
	"github.com/meshroll/meshroll/internal/cueplan"
)

// evalJob evaluates groups of intent files with CUE in a bounded child
// process: CUE's evaluator cannot be stopped, and a few hundred bytes of
// CUE can ask it for gigabytes or hours. The input is the groups' files
// (gob); the output is, for each group, its Node tree or its Errors (wire).
// Each group is announced before it is evaluated, so that a limit names its
// first file.
var evalJob = bound.Register("schema/evaluate", func(input []byte, progress bound.Progress) ([]byte, error) {
	var groups [][]File
	if err := gob.NewDecoder(bytes.NewReader(input)).Decode(&groups); err != nil {
		return nil, fmt.Errorf("reading the intent to evaluate: %w", err)
	}
	w := newWireWriter()
	for _, g := range groups {
		progress(g[0].Path)
		srcs := make([]*source, len(g))
		for i, f := range g {
			srcs[i] = parseData(f.Path, f.Data)
		}
		root, errs := evaluate(srcs)
		if root != nil {
			w.buf = append(w.buf, 1)
			w.node(root)
		} else {
			w.buf = append(w.buf, 0)
		}
		w.errors(errs)
	}
	return w.buf, nil
})

// evaluateAll evaluates groups of intent files under the limits, returning
// for each its tree (nil when nothing of it can be checked) and its errors. Past a limit every group gets
// the error, at the first file of the group that crossed it.
func evaluateAll(groups [][]*source, lim bound.Limits) ([]*Node, []Errors) {
	trees := make([]*Node, len(groups))
	errs := make([]Errors, len(groups))
	files := make([][]File, len(groups))
	for i, g := range groups {
		for _, s := range g {
			files[i] = append(files[i], File{Path: s.path, Data: s.data})
		}
	}
	fail := func(err error) ([]*Node, []Errors) {
		var ee *bound.ExceededError
		if errors.As(err, &ee) {
			subject := ee.Subject
			if subject == "" {
				subject = groups[0][0].path
			}
			errs[0] = Errors{{Pos: Pos{File: subject}, Msg: fmt.Sprintf("%s; meshroll stopped it (if this intent is honest, raise %s in .meshroll.yaml)", ee.Reason(), ee.Setting())}}
			return make([]*Node, len(groups)), errs
		}
		errs[0] = Errors{{Pos: Pos{File: groups[0][0].path}, Msg: "evaluating the intent: " + err.Error()}}
		return make([]*Node, len(groups)), errs
	}
	var in bytes.Buffer
	if err := gob.NewEncoder(&in).Encode(files); err != nil {
		return fail(err)
	}
	out, err := evalJob.Run(in.Bytes(), lim)
	if err != nil {
		return fail(err)
	}
	r := &wireReader{buf: out}
	for i := range groups {
		if r.byte() == 1 {
			trees[i] = r.node()
		}
		errs[i] = r.errors()
	}
	if r.err != nil || len(r.buf) > 0 {
		return fail(errWire)
	}
	return trees, errs
}

// evaluate evaluates a group of parsed files with CUE and returns its Node
// tree, or its errors.
func evaluate(g []*source) (root *Node, errs Errors) {
	defer func() {
		// CUE is a large evaluator fed with arbitrary input: should it
		// panic, the file is reported rather than the evaluation lost.
		if r := recover(); r != nil {
			root, errs = nil, Errors{{Pos: Pos{File: g[0].path}, Msg: fmt.Sprintf("CUE failed on this file (%v)", r)}}
		}
	}()
	for _, s := range g {
		if len(s.err) > 0 {
			return nil, s.err
		}
	}
	ctx := cuecontext.New()
	var v cue.Value
	if len(g) == 1 && g[0].pkg == "" {
		v = ctx.BuildFile(g[0].file)
	} else {
		inst := build.NewContext().NewInstance(filepath.Dir(g[0].path), nil)
		for _, s := range g {
			if err := inst.AddSyntax(s.file); err != nil {
				return nil, cueErrors(err)
			}
		}
		v = ctx.BuildInstance(inst)
	}
	// Validate collects every error of the tree; Err alone gives the
	// first, and one of two conflicts would go unreported.
	err := v.Validate()
	if err == nil {
		err = v.Err()
	}
	var bad [][]string
	if err != nil {
		errs = placeErrors(err, v, g)
		for _, e := range cueerrors.Errors(err) {
			if len(e.Path()) == 0 {
				return nil, errs // nothing else can be told apart
			}
			bad = append(bad, e.Path())
		}
	}
	root = fromValue(v)
	if root.Kind != Struct {
		if len(errs) > 0 {
			return nil, errs
		}
		return nil, Errors{{Pos: Pos{File: g[0].path}, Msg: fmt.Sprintf("must hold a struct with rollouts, not %s", describe(root))}}
	}
	if root.Pos.File == "" {
		root.Pos = Pos{File: g[0].path, Line: 1, Col: 1}
	}
	// The rest of the intent is still checked, so that one run reports
	// every problem, as it does for YAML: only the rollouts (or other
	// top-level fields) that CUE found at fault are left out.
	for _, p := range bad {
		prune(root, p)
	}
	return root, errs
}

// prune removes from the evaluated tree the rollout, or else the top-level
// field, at the start of path.
func prune(root *Node, path []string) {
	name, _ := strconv.Unquote(path[0])
	if name == "" {
		name = path[0]
	}
	if name == "rollouts" && len(path) > 1 {
		if rs := root.Get("rollouts"); rs != nil && rs.Kind == Struct {
			root = rs
			if name, _ = strconv.Unquote(path[1]); name == "" {
				name = path[1]
			}
		}
	}
	root.Fields = slices.DeleteFunc(root.Fields, func(f Field) bool { return f.Name == name })
}

// placeErrors converts CUE errors, placing those CUE gives no position (a
// structural cycle, for one) at the field their path names: in the
// evaluated value, else in the files' syntax, else at the group's first
// file.
func placeErrors(err error, v cue.Value, g []*source) Errors {
	var out Errors
	for _, e := range cueerrors.Errors(err) {
		es := cueErrors(e)
		path := e.Path()
		for i := range es {
			if es[i].Pos.IsValid() {
				continue
			}
			es[i].Pos = locatePath(v, g, path)
		}
		out = append(out, es...)
	}
	return out
}

// locatePath finds the position of the field at path.
func locatePath(v cue.Value, g []*source, path []string) Pos {
	if len(path) > 0 {
		if p := posOf(cueplan.LookupPath(v, path).Pos()); p.IsValid() {
			return p
		}
		for _, s := range g {
			if p := fieldPos(s.file.Decls, path); p.IsValid() {
				return p
			}
		}
	}
	return Pos{File: g[0].path, Line: 1, Col: 1}
}

// fieldPos finds the label of the field at path in declarations, following
// struct literals.
func fieldPos(decls []ast.Decl, path []string) Pos {
	for _, d := range decls {
		f, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		name, _, err := ast.LabelName(f.Label)
		if err != nil || (name != path[0] && strconv.Quote(name) != path[0]) {
			continue
		}
		if len(path) == 1 {
			return posOf(f.Label.Pos())
		}
		if st, ok := f.Value.(*ast.StructLit); ok {
			if p := fieldPos(st.Elts, path[1:]); p.IsValid() {
				return p
			}
		}
	}
	return Pos{}
}
