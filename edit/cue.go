package edit

import (
	"bytes"
	"fmt"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

// Intent paths read from CUE syntax.
const (
	fieldRollouts = "rollouts"
	fieldPhase    = "phase"
	fieldSince    = "since"
	fieldReason   = "reason"
)

// cueFile is one parsed file of a CUE instance.
type cueFile struct {
	path string
	src  []byte
	ast  *ast.File
}

// link is one field on the way from a file's top level to a rollout: the
// field and the struct holding it (nil: the file's top level).
type link struct {
	field *ast.Field
	in    *ast.StructLit
}

// rolloutStruct is a struct whose fields are the rollout's fields: the value
// of `rollouts: NAME:`, a conjunct of it, or an embedding in it.
type rolloutStruct struct {
	file  *cueFile
	lit   *ast.StructLit
	chain []link // rollouts, then NAME
}

// occurrence is a declaration of a rollout field (phase or since).
type occurrence struct {
	field *ast.Field
	rs    *rolloutStruct
}

// cueWalker finds the declarations of one rollout in the syntax of a CUE
// instance: `rollouts: NAME: {...}`, `rollouts: {NAME: {...}}`, chains such
// as `rollouts: NAME: phase: "x"`, quoted labels, conjunctions with structs
// (`#Base & {...}`) and embedded structs, in any file of the instance.
// Comprehensions, pattern constraints and references are not followed; what
// they contribute is caught when the edit is proved by loading it.
type cueWalker struct {
	name    string
	structs []*rolloutStruct
	decls   [][]link // each `rollouts: NAME:` chain
	// declFiles holds the file of each chain in decls.
	declFiles []*cueFile
	fields    map[string][]occurrence
	// removing holds the fields the edit removes, which are no place to
	// insert beside.
	removing map[string]bool
}

func (w *cueWalker) file(f *cueFile) { w.elts(f, f.ast.Decls, nil, nil) }

func (w *cueWalker) elts(f *cueFile, elts []ast.Decl, in *ast.StructLit, chain []link) {
	var rs *rolloutStruct
	if len(chain) == 2 {
		rs = &rolloutStruct{file: f, lit: in, chain: chain}
		w.structs = append(w.structs, rs)
	}
	for _, d := range elts {
		switch d := d.(type) {
		case *ast.Field:
			name, ok := fieldName(d)
			if !ok {
				continue
			}
			next := append(append([]link(nil), chain...), link{field: d, in: in})
			switch {
			case len(chain) == 0 && name == fieldRollouts:
				w.value(f, d.Value, next)
			case len(chain) == 1 && name == w.name:
				w.decls = append(w.decls, next)
				w.declFiles = append(w.declFiles, f)
				w.value(f, d.Value, next)
			case len(chain) == 2 && (name == fieldPhase || name == fieldSince || name == fieldReason):
				w.fields[name] = append(w.fields[name], occurrence{field: d, rs: rs})
			}
		case *ast.EmbedDecl:
			w.value(f, d.Expr, chain)
		}
	}
}

func (w *cueWalker) value(f *cueFile, x ast.Expr, chain []link) {
	switch x := x.(type) {
	case *ast.StructLit:
		w.elts(f, x.Elts, x, chain)
	case *ast.BinaryExpr:
		if x.Op == token.AND {
			w.value(f, x.X, chain)
			w.value(f, x.Y, chain)
		}
	case *ast.ParenExpr:
		w.value(f, x.X, chain)
	}
}

// fieldName returns the name of a regular field with a constant label.
// Optional and required fields are constraints, not values, and are skipped.
func fieldName(f *ast.Field) (string, bool) {
	if f.Constraint != token.ILLEGAL {
		return "", false
	}
	name, _, err := ast.LabelName(f.Label)
	return name, err == nil
}

// editCUE computes the edits that set fields in the rollout called name,
// declared in files (one CUE instance), and remove the fields named in
// remove. set holds phase and since, in that order, then perhaps reason,
// with their new values.
func editCUE(files []*cueFile, name string, set []setting, remove []string) (map[string][]splice, error) {
	w := &cueWalker{name: name, fields: map[string][]occurrence{}, removing: map[string]bool{}}
	for _, k := range remove {
		w.removing[k] = true
	}
	for _, f := range files {
		w.file(f)
	}
	if len(w.decls) == 0 {
		return nil, fmt.Errorf("rollout %s is not declared as `rollouts: %s: {...}` in %s; meshroll edits only such declarations (not comprehensions or patterns)", name, name, fileList(files))
	}
	out := map[string][]splice{}
	var missing []setting
	for _, s := range set {
		occs := w.fields[s.key]
		if len(occs) == 0 {
			missing = append(missing, s)
			continue
		}
		for _, o := range occs {
			lit, err := stringLit(o.field.Value)
			if err != nil {
				return nil, fmt.Errorf("%s: rollout %s: %s is %s, not a string literal; meshroll edits only `%s: \"...\"`: change it by hand", position(o.rs.file, o.field.Value.Pos()), name, s.key, err, s.key)
			}
			at := lit.ValuePos.Offset()
			end := at + len(lit.Value)
			if at < 0 || end > len(o.rs.file.src) || string(o.rs.file.src[at:end]) != lit.Value {
				return nil, fmt.Errorf("%s: cannot find the %s literal in the file", position(o.rs.file, lit.ValuePos), s.key)
			}
			out[o.rs.file.path] = append(out[o.rs.file.path], splice{at: at, end: end, text: literal.String.Quote(s.value), field: s.key})
		}
	}
	for _, key := range remove {
		for _, o := range w.fields[key] {
			if _, err := stringLit(o.field.Value); err != nil {
				return nil, fmt.Errorf("%s: rollout %s: %s is %s, not a string literal; meshroll removes only `%s: \"...\"`: change it by hand", position(o.rs.file, o.field.Value.Pos()), name, key, err, key)
			}
			sp, err := o.removal()
			if err != nil {
				return nil, err
			}
			out[o.rs.file.path] = append(out[o.rs.file.path], sp)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	t, err := w.target(missing[0].key)
	if err != nil {
		return nil, err
	}
	sp, err := t.insert(missing)
	if err != nil {
		return nil, err
	}
	out[t.file.path] = append(out[t.file.path], sp...)
	return out, nil
}

// stringLit returns x if it is a string literal, or an error describing what
// it is instead.
func stringLit(x ast.Expr) (*ast.BasicLit, error) {
	switch x := x.(type) {
	case *ast.BasicLit:
		if x.Kind == token.STRING && !strings.HasPrefix(strings.TrimLeft(x.Value, "#"), "'") {
			return x, nil
		}
		return nil, fmt.Errorf("the literal %s", x.Value)
	case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr:
		return nil, fmt.Errorf("a reference")
	case *ast.UnaryExpr:
		if x.Op == token.MUL {
			return nil, fmt.Errorf("a default")
		}
	case *ast.BinaryExpr:
		switch x.Op {
		case token.OR:
			if hasDefault(x) {
				return nil, fmt.Errorf("a default")
			}
			return nil, fmt.Errorf("a disjunction")
		case token.AND:
			return nil, fmt.Errorf("a unification")
		}
	case *ast.ParenExpr:
		return stringLit(x.X)
	case *ast.Interpolation:
		return nil, fmt.Errorf("an interpolation")
	case *ast.CallExpr:
		return nil, fmt.Errorf("a call")
	}
	return nil, fmt.Errorf("an expression")
}

func hasDefault(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.UnaryExpr:
		return x.Op == token.MUL
	case *ast.BinaryExpr:
		return x.Op == token.OR && (hasDefault(x.X) || hasDefault(x.Y))
	case *ast.ParenExpr:
		return hasDefault(x.X)
	}
	return false
}

// cueTarget is where missing fields are inserted: after element after of
// the struct in (nil: the file's top level), each field under the labels.
type cueTarget struct {
	file   *cueFile
	in     *ast.StructLit
	after  ast.Decl // nil: first in an empty struct
	labels []string
}

// target chooses where to insert the missing field key: beside the rollout's
// other state fields when it has one (since, else phase, else reason), so
// that phase, since and reason stay together; else at the end of the
// rollout's largest braced struct; else after its last `rollouts: NAME:`
// chain in its first file, as a chain of its own.
func (w *cueWalker) target(key string) (cueTarget, error) {
	for _, other := range []string{fieldSince, fieldPhase, fieldReason} {
		occs := w.fields[other]
		if other == key || len(occs) == 0 || w.removing[other] {
			continue
		}
		o := occs[0]
		if braced(o.rs.lit) {
			return cueTarget{file: o.rs.file, in: o.rs.lit, after: o.field}, nil
		}
		return climb(o.rs.file, o.rs.chain), nil
	}
	var best *rolloutStruct
	for _, rs := range w.structs {
		if braced(rs.lit) && (best == nil || len(rs.lit.Elts) > len(best.lit.Elts)) {
			best = rs
		}
	}
	if best != nil {
		t := cueTarget{file: best.file, in: best.lit}
		if n := len(best.lit.Elts); n > 0 {
			t.after = best.lit.Elts[n-1]
		}
		return t, nil
	}
	// The last declaration in the first file, which is the rollout's own.
	if len(w.decls) > 0 {
		first := w.declFiles[0]
		last := 0
		for i, f := range w.declFiles {
			if f == first {
				last = i
			}
		}
		return climb(first, w.decls[last]), nil
	}
	return cueTarget{}, fmt.Errorf("rollout %s has no struct meshroll can add %s to", w.name, key)
}

// removal returns the splice that removes the field of o: the field itself
// in a braced struct, or the whole `rollouts: NAME: field: value` chain that
// holds it otherwise.
func (o occurrence) removal() (splice, error) {
	f := o.rs.file
	var decl ast.Node = o.field
	if !braced(o.rs.lit) {
		decl = o.rs.chain[0].field
		if braced(o.rs.chain[1].in) {
			decl = o.rs.chain[1].field
		}
	}
	at, end := decl.Pos().Offset(), decl.End().Offset()
	if at < 0 || end < at || end > len(f.src) {
		return splice{}, fmt.Errorf("%s: cannot find where the field ends", position(f, decl.Pos()))
	}
	return removeMember(f.src, at, end, "//"), nil
}

// removeMember returns the splice that removes the member src[at:end] of a
// struct, mapping or object, with its separator: the whole line when the
// member stands alone on it (a trailing comma and comment go with it), else
// the member with the comma after it, or the one before it when it is the
// last. comment is the syntax's comment marker ("" for JSON).
func removeMember(src []byte, at, end int, comment string) splice {
	after := skipBlanks(src, end)
	comma := after < len(src) && src[after] == ','
	if comma {
		after = skipBlanks(src, after+1)
	}
	// JSON allows no trailing comma: its last member takes the comma
	// before it, below. CUE and YAML flow mappings allow one.
	if _, alone := leading(src, at); alone && (comma || comment != "") && (after >= len(src) || isBreak(src[after]) || comment != "" && bytes.HasPrefix(src[after:], []byte(comment))) {
		ls, le := lineStart(src, at), lineEnd(src, after)
		return splice{at: ls, end: le + len(breakAt(src, le))}
	}
	i := skipBlanks(src, end)
	if i < len(src) && src[i] == ',' {
		// The next member moves up to where this one started.
		j := i + 1
		for j < len(src) && (src[j] == ' ' || src[j] == '\t' || isBreak(src[j])) {
			j++
		}
		if _, alone := leading(src, at); alone {
			// The member starts its line but shares it: keep the
			// indentation, drop up to the next member.
			return splice{at: at, end: j}
		}
		return splice{at: at, end: skipBlanks(src, i+1)}
	}
	// The last member: take the comma before it.
	j := at
	for j > 0 && (src[j-1] == ' ' || src[j-1] == '\t' || isBreak(src[j-1])) {
		j--
	}
	if j > 0 && src[j-1] == ',' {
		return splice{at: j - 1, end: end}
	}
	return splice{at: at, end: end}
}

// braced reports whether s is written with braces; `a: b: c` holds structs
// without them, which take one field only.
func braced(s *ast.StructLit) bool { return s != nil && s.Lbrace.IsValid() }

// climb returns the target beside the chain `rollouts: NAME:` in the nearest
// braced struct (or the file) holding it.
func climb(f *cueFile, chain []link) cueTarget {
	if braced(chain[1].in) {
		return cueTarget{file: f, in: chain[1].in, after: chain[1].field, labels: []string{labelText(f, chain[1].field)}}
	}
	return cueTarget{file: f, in: chain[0].in, after: chain[0].field, labels: []string{labelText(f, chain[0].field), labelText(f, chain[1].field)}}
}

// labelText returns a field's label as written, without an alias.
func labelText(f *cueFile, fl *ast.Field) string {
	var l ast.Node = fl.Label
	if a, ok := l.(*ast.Alias); ok {
		l = a.Expr
	}
	at, end := l.Pos().Offset(), l.End().Offset()
	if at < 0 || end > len(f.src) || at > end {
		name, _, _ := ast.LabelName(fl.Label)
		return literal.Label.Quote(name)
	}
	return string(f.src[at:end])
}

// insert returns the splices that add the fields after t.after: on lines of
// their own, indented as their siblings, when t.after ends its line; else on
// its line, separated by commas.
func (t cueTarget) insert(set []setting) ([]splice, error) {
	src := t.file.src
	// A field added beside quoted labels is quoted too.
	quote := func(k string) string { return k }
	if f, ok := t.after.(*ast.Field); ok && len(t.labels) == 0 {
		if _, ok := f.Label.(*ast.BasicLit); ok {
			quote = literal.Label.Quote
		}
	}
	texts := make([]string, len(set))
	for i, s := range set {
		texts[i] = strings.Join(append(append([]string(nil), t.labels...), quote(s.key)), ": ") + ": " + literal.String.Quote(s.value)
	}
	if t.after == nil {
		at := t.in.Lbrace.Offset() + 1
		if at <= 0 || at > len(src) {
			return nil, fmt.Errorf("%s: cannot find the struct's opening brace", position(t.file, t.in.Lbrace))
		}
		return []splice{{at: at, end: at, text: strings.Join(texts, ", ")}}, nil
	}
	end := t.after.End().Offset()
	if start := t.after.Pos().Offset(); start < 0 || end < start || end > len(src) {
		return nil, fmt.Errorf("%s: cannot find where the field ends", position(t.file, t.after.Pos()))
	}
	rest := skipBlanks(src, end)
	if rest < len(src) && src[rest] == ',' {
		rest++
	}
	if !restIsBlank(src, rest, "//") {
		return []splice{{at: end, end: end, text: ", " + strings.Join(texts, ", ")}}, nil
	}
	indent := t.indent()
	lines := make([]string, len(texts))
	for i, s := range texts {
		lines[i] = indent + s
	}
	return []splice{linesAfter(src, end, lines)}, nil
}

// indent returns the indentation of the target's fields: that of t.after, or
// of a sibling that starts its line, or one tab more than the opening brace.
func (t cueTarget) indent() string {
	src := t.file.src
	if s, ok := leading(src, t.after.Pos().Offset()); ok {
		return s
	}
	var elts []ast.Decl
	if t.in != nil {
		elts = t.in.Elts
	} else {
		elts = t.file.ast.Decls
	}
	for _, e := range elts {
		if s, ok := leading(src, e.Pos().Offset()); e.Pos().IsValid() && ok {
			return s
		}
	}
	if t.in == nil {
		return ""
	}
	ls := lineStart(src, t.in.Lbrace.Offset())
	return string(src[ls:skipBlanks(src, ls)]) + "\t"
}

// cueFormatted returns edited formatted by cue fmt when that changes only
// the lines holding the edit and the original was formatted: an inserted
// field then lines up with its neighbours as cue fmt would have it, and a
// repository that checks formatting stays clean.
func cueFormatted(old, edited []byte, spans [][2]int) []byte {
	if f, err := format.Source(old); err != nil || !bytes.Equal(f, old) {
		return edited
	}
	f, err := format.Source(edited)
	if err != nil || bytes.Equal(f, edited) {
		return edited
	}
	a, b := bytes.SplitAfter(edited, []byte("\n")), bytes.SplitAfter(f, []byte("\n"))
	if len(a) != len(b) {
		return edited
	}
	touched := map[int]bool{}
	for _, sp := range spans {
		first := bytes.Count(edited[:sp[0]], []byte("\n"))
		last := bytes.Count(edited[:max(sp[1]-1, sp[0])], []byte("\n"))
		for l := first; l <= last; l++ {
			touched[l] = true
		}
	}
	for i := range a {
		if !touched[i] && !bytes.Equal(a[i], b[i]) {
			return edited
		}
	}
	return f
}

func position(f *cueFile, p token.Pos) string {
	if !p.IsValid() {
		return f.path
	}
	pp := p.Position()
	return fmt.Sprintf("%s:%d:%d", f.path, pp.Line, pp.Column)
}

func fileList(files []*cueFile) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.path
	}
	return strings.Join(names, ", ")
}

// parseCUE parses one CUE file with its comments.
func parseCUE(path string, src []byte) (*cueFile, error) {
	f, err := parser.ParseFile(path, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	return &cueFile{path: path, src: src, ast: f}, nil
}
