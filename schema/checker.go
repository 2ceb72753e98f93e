package schema

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	"github.com/meshroll/meshroll/internal/cueplan"
)

// Checker enforces the constraints of the schema's #Intent on a Node tree.
// #Intent is compiled once by internal/cueplan, the one compiler that
// policies use for manifests too, into a plan that judges the intent's
// constraints in Go and asks CUE only what it cannot judge; the messages
// below phrase its findings in the intent's words.
type Checker struct {
	// intent is the plan of #Intent.
	intent *cueplan.Plan
	value  cue.Value
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

// Compile compiles the CUE schema src (a file of definitions, #Intent among
// them) into a Checker.
func Compile(filename string, src []byte) (*Checker, error) {
	ctx := cuecontext.New()
	v := ctx.CompileBytes(src, cue.Filename(filename))
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &Checker{intent: cueplan.Compile(v.LookupPath(cue.ParsePath("#Intent")), cueplan.NewScratch(ctx)), value: v}, nil
}

// Data returns a concrete definition of the schema, such as #DefaultLadder.
func (c *Checker) Data(name string) *Node { return fromValue(c.value.LookupPath(cue.ParsePath(name))) }

// checkOptions are how the intent is judged: a value of the wrong kind is
// as wrong as one out of range, and failures are phrased here.
var checkOptions = cueplan.Options{ReportKinds: true, Explain: true}

// Check validates n against #Intent and returns every violation, sorted by
// position.
func (c *Checker) Check(n *Node) []Violation {
	ps := cueplan.Walk(c.intent, cueplan.View[*Node](nodeView{}), n, checkOptions)
	var vs []Violation
	seen := map[string]bool{}
	for _, pr := range ps {
		v := violation(n, pr)
		if key := v.Path.String() + "\x00" + v.Msg; !seen[key] {
			seen[key] = true
			vs = append(vs, v)
		}
	}
	sort.SliceStable(vs, func(i, j int) bool { return lessPos(vs[i].Pos, vs[j].Pos) })
	return vs
}

// violation places a problem found under root and phrases it.
func violation(root *Node, pr cueplan.Problem) Violation {
	var path Path
	parent, value := (*Node)(nil), root
	exists := root // the deepest node of the path that exists
	for _, e := range pr.Path {
		parent = value
		if e.IsIndex {
			path = append(path, e.Index)
			if value = nil; parent != nil && e.Index < len(parent.List()) {
				value = parent.Elems[e.Index]
			}
		} else {
			path = append(path, e.Key)
			value = parent.Get(e.Key)
		}
		if value != nil {
			exists = value
		}
	}
	v := Violation{Path: path, Pos: exists.Pos}
	switch {
	case pr.Absent || pr.Code == cueplan.CodeRequired:
		v.Kind, v.Msg = Missing, "is required"
	case pr.Code == cueplan.CodeNotAllowed:
		name := pr.Path[len(pr.Path)-1].Key
		v.Kind, v.Msg = Unknown, "is not a known field"
		if s := suggest(name, pr.Known); s != "" {
			v.Msg += fmt.Sprintf("; did you mean %q?", s)
		} else {
			v.Msg += "; known fields are " + strings.Join(pr.Known, ", ")
		}
		for _, f := range parent.Map() {
			if f.Name == name && f.KeyPos.IsValid() {
				v.Pos = f.KeyPos
			}
		}
	case pr.Code == cueplan.CodeIncomplete:
		v.Msg = "is not a concrete value; give it one"
	case pr.Code == cueplan.CodeKind && pr.Kinds == cue.StructKind:
		v.Msg = "must be a struct, not " + describe(value)
	case pr.Code == cueplan.CodeKind:
		v.Msg = "must be a list, not " + describe(value)
	case pr.Code == cueplan.CodeInvalid && pr.Msg != "":
		v.Msg = pr.Msg + ", not " + describe(value)
	case pr.Code == cueplan.CodeInvalid:
		v.Msg = testMessage(pr.Test, value)
	case pr.Code == cueplan.CodeLength:
		v.Msg = fmt.Sprintf("has %d items; want %d", pr.Have, pr.Want)
	default:
		v.Msg = fmt.Sprintf(pr.Format, pr.Args...)
	}
	return v
}

// testMessage says why value fails the scalar test t.
func testMessage(t *cueplan.Test, value *Node) string {
	switch t.Op {
	case cueplan.TestKind:
		return "must be " + kindPhrase(t.Kinds) + ", not " + describe(value)
	case cueplan.TestLit:
		return "must be " + t.Text + ", not " + describe(value)
	case cueplan.TestNotEqual:
		return "must not be " + strconv.Quote(t.Text)
	case cueplan.TestRegex, cueplan.TestNotRegex:
		if value.Kind != String {
			return "must be a string, not " + describe(value)
		}
		return fmt.Sprintf("%s does not match %s", describe(value), t.Re)
	case cueplan.TestBound:
		if value.Kind != Int && value.Kind != Float {
			return "must be a number, not " + describe(value)
		}
		return fmt.Sprintf("must be %s %s, not %s", t.Bound, t.Text, describe(value))
	case cueplan.TestMinRunes, cueplan.TestMaxRunes:
		if value.Kind != String {
			return "must be a string, not " + describe(value)
		}
		if t.Op == cueplan.TestMaxRunes {
			return fmt.Sprintf("must be at most %d characters long", t.Runes)
		}
		return fmt.Sprintf("must be at least %d characters long", t.Runes)
	}
	// A disjunction of literals.
	lits := make([]string, len(t.Parts))
	for i, p := range t.Parts {
		lits[i] = p.Text
	}
	return "must be " + orList(lits) + ", not " + describe(value)
}

// nodeView presents a Node tree to cueplan.Walk.
type nodeView struct{}

func (nodeView) Kind(n *Node) cueplan.Kind {
	if n == nil {
		return cueplan.Absent
	}
	return n.Kind
}

func (nodeView) Scalar(n *Node) string {
	switch n.Kind {
	case String:
		return n.Str
	case Int:
		return strconv.FormatInt(n.Int, 10)
	case Float:
		s := strconv.FormatFloat(n.Num, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eIN") {
			s += ".0" // a float literal, as CUE reads it
		}
		return s
	case Bool:
		return strconv.FormatBool(n.Bool)
	}
	return "null"
}

func (nodeView) Lookup(n *Node, name string) (*Node, bool) {
	v := n.Get(name)
	return v, v != nil
}

func (nodeView) Fields(n *Node, yield func(string, *Node) bool) {
	for _, f := range n.Fields {
		if !yield(f.Name, f.Value) {
			return
		}
	}
}

func (nodeView) Items(n *Node) []*Node { return n.Elems }

func lessPos(a, b Pos) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Col < b.Col
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

func kindPhrase(k cue.Kind) string {
	switch k {
	case cue.StringKind:
		return "a string"
	case cue.IntKind:
		return "a whole number"
	case cue.FloatKind, cue.NumberKind:
		return "a number"
	case cue.BoolKind:
		return "true or false"
	}
	return k.String()
}

// describe renders a value for a message: scalars as written, others by kind.
func describe(n *Node) string {
	if n == nil {
		return "nothing"
	}
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
