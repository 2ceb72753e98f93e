package cueplan

import (
	"fmt"
	"regexp"
	"strconv"
	"unicode/utf8"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
)

// Test is a scalar constraint that Go judges without CUE: a kind, a
// literal, !=, =~, !~, a numeric bound, strings.MinRunes or
// strings.MaxRunes, or a conjunction or disjunction of tests.
type Test struct {
	Op TestOp
	// Kinds is what TestKind admits (cue.NumberKind for number).
	Kinds cue.Kind
	// Kind and Text are the literal of TestLit, and the string of
	// TestNotEqual; Text is a number's CUE literal.
	Kind Kind
	Text string
	// Re is the expression of TestRegex and TestNotRegex.
	Re *regexp.Regexp
	// Bound is the operator of TestBound (<, <=, >, >=), Limit its limit.
	Bound string
	Limit float64
	// Runes is the limit of TestMinRunes and TestMaxRunes.
	Runes int
	// Parts are the operands of TestAnd and TestOr.
	Parts []*Test
	// Msg is the message of a TestOr's error("...") alternative.
	Msg string
}

// TestOp is the operation of a Test.
type TestOp uint8

// The operations of tests.
const (
	TestKind TestOp = iota
	TestLit
	TestNotEqual
	TestRegex
	TestNotRegex
	TestBound
	TestMinRunes
	TestMaxRunes
	TestAnd
	TestOr
)

// compileTest returns the Test of a scalar constraint, or nil when it has
// parts Go does not judge (a default, a builtin other than the two above,
// an error alternative that is not error("...")).
func (b *builder) compileTest(v cue.Value, depth int) *Test {
	if depth > 8 {
		return nil
	}
	if _, hasDefault := v.Default(); hasDefault {
		return nil
	}
	if k := map[cue.Kind]Kind{cue.StringKind: String, cue.BoolKind: Bool, cue.NullKind: Null, cue.IntKind: Int, cue.FloatKind: Float}[v.Kind()]; v.IsConcrete() && k != Absent {
		text, err := v.String()
		if err != nil {
			text = fmt.Sprint(v) // true, null, a number's literal
		}
		return &Test{Op: TestLit, Kind: k, Text: text}
	}
	if root, path := v.ReferencePath(); root.Exists() {
		// A definition (#Name) stands for many fields: compile it once.
		key := refKey{root.Pos(), path.String()}
		if t, ok := b.tests[key]; ok && key.root.IsValid() {
			return t
		}
		t := b.compileTest(root.LookupPath(path), depth+1)
		b.tests[key] = t
		return t
	}
	op, args := v.Expr()
	switch op {
	case cue.NoOp:
		kinds := map[string]cue.Kind{
			"string": cue.StringKind, "int": cue.IntKind, "float": cue.FloatKind,
			"number": cue.NumberKind, "bool": cue.BoolKind, "null": cue.NullKind,
		}
		if k, ok := kinds[typeName(v)]; ok && k == v.IncompleteKind() {
			return &Test{Op: TestKind, Kinds: k}
		}
	case cue.AndOp, cue.OrOp:
		t := &Test{Op: TestAnd}
		if op == cue.OrOp {
			t.Op = TestOr
		}
		for _, a := range args {
			if op == cue.OrOp {
				if msg, ok := errorCall(a); ok {
					t.Msg = msg
					continue
				}
			}
			p := b.compileTest(a, depth+1)
			if p == nil {
				return nil
			}
			t.Parts = append(t.Parts, p)
		}
		if len(t.Parts) == 0 {
			return nil
		}
		return t
	case cue.NotEqualOp, cue.RegexMatchOp, cue.NotRegexMatchOp:
		if len(args) != 1 || args[0].Kind() != cue.StringKind {
			return nil
		}
		s, _ := args[0].String()
		if op == cue.NotEqualOp {
			return &Test{Op: TestNotEqual, Kind: String, Text: s}
		}
		re, err := regexp.Compile(s)
		if err != nil {
			return nil
		}
		if op == cue.RegexMatchOp {
			return &Test{Op: TestRegex, Re: re}
		}
		return &Test{Op: TestNotRegex, Re: re}
	case cue.LessThanOp, cue.LessThanEqualOp, cue.GreaterThanOp, cue.GreaterThanEqualOp:
		if len(args) != 1 || args[0].Kind()&cue.NumberKind == 0 {
			return nil
		}
		text := fmt.Sprint(args[0])
		f, ok := exactFloat(text)
		if !ok {
			return nil
		}
		return &Test{Op: TestBound, Bound: op.String(), Limit: f, Text: text}
	case cue.CallOp:
		if len(args) != 2 || args[1].Kind() != cue.IntKind {
			return nil
		}
		n, err := args[1].Int64()
		if err != nil || n < 0 || n > 1<<31 {
			return nil
		}
		switch fmt.Sprint(args[0]) {
		case "strings.MinRunes":
			return &Test{Op: TestMinRunes, Runes: int(n)}
		case "strings.MaxRunes":
			return &Test{Op: TestMaxRunes, Runes: int(n)}
		}
	}
	return nil
}

// typeName returns the text of a value with no operator: a predeclared
// identifier such as string or int, read from its source where it has one
// (printing the value costs more than the rest of compiling it).
func typeName(v cue.Value) string {
	x := v.Source()
	if f, ok := x.(*ast.Field); ok {
		x = f.Value
	}
	if id, ok := x.(*ast.Ident); ok && id.Node == nil && id.Scope == nil {
		return id.Name
	}
	return fmt.Sprint(v)
}

// errorCall reports whether v is error("msg") and returns msg.
func errorCall(v cue.Value) (string, bool) {
	if v.IncompleteKind() != cue.BottomKind {
		return "", false
	}
	op, args := v.Expr()
	if op != cue.CallOp || len(args) != 2 || fmt.Sprint(args[0]) != "error" || args[1].Kind() != cue.StringKind {
		return "", false
	}
	s, err := args[1].String()
	return s, err == nil
}

// exactFloat parses a CUE number literal for comparison in float64, and
// reports whether float64 orders it exactly: infinities and decimals of at
// most 15 significant digits, which float64 keeps apart. CUE's own
// arithmetic, which is exact, judges the others.
func exactFloat(text string) (float64, bool) {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && f == 0 {
		return 0, false
	}
	digits, leading := 0, true
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == 'e' || c == 'E':
			i = len(text)
		case c >= '0' && c <= '9':
			if c != '0' || !leading {
				leading = false
				digits++
			}
		case c == '.' || c == '-' || c == '+':
		case c == 'I' || c == 'n' || c == 'f':
			// +Inf: infinities order exactly.
		default:
			return 0, false // 0x, 0o, 1_000, NaN: leave them to CUE
		}
	}
	return f, digits <= 15
}

// Fail judges a scalar of kind k with text text (a number as a CUE literal).
// It returns the test that fails (nil if the scalar passes) and whether it
// is sure; when it is not, CUE decides.
func (t *Test) Fail(k Kind, text string) (failed *Test, sure bool) {
	switch t.Op {
	case TestKind:
		if t.Kinds&k.cue() != 0 {
			return nil, true
		}
		return t, true
	case TestLit:
		switch {
		case k == t.Kind && text == t.Text:
			return nil, true
		case (k == Int || k == Float) && (t.Kind == Int || t.Kind == Float):
			return nil, false // 1.0 and 1.00, 0x10 and 16: CUE knows
		}
		return t, true
	case TestNotEqual:
		if k == String && text != t.Text {
			return nil, true
		}
		return t, true
	case TestRegex, TestNotRegex:
		if k == String && t.Re.MatchString(text) == (t.Op == TestRegex) {
			return nil, true
		}
		return t, true
	case TestBound:
		if k != Int && k != Float {
			return t, true
		}
		f, ok := exactFloat(text)
		if !ok {
			return nil, false
		}
		var pass bool
		switch t.Bound {
		case "<":
			pass = f < t.Limit
		case "<=":
			pass = f <= t.Limit
		case ">":
			pass = f > t.Limit
		case ">=":
			pass = f >= t.Limit
		}
		if pass {
			return nil, true
		}
		return t, true
	case TestMinRunes, TestMaxRunes:
		if k != String {
			return t, true
		}
		n := utf8.RuneCountInString(text)
		if t.Op == TestMinRunes && n < t.Runes || t.Op == TestMaxRunes && n > t.Runes {
			return t, true
		}
		return nil, true
	case TestAnd:
		// A conjunction fails with its first failing part: the later parts
		// would mostly repeat it (a number that is not a string fails every
		// string constraint).
		unsure := false
		for _, p := range t.Parts {
			f, sure := p.Fail(k, text)
			if !sure {
				unsure = true
				continue
			}
			if f != nil {
				return f, true
			}
		}
		return nil, !unsure
	case TestOr:
		var first *Test
		unsure := false
		for i, p := range t.Parts {
			f, sure := p.Fail(k, text)
			switch {
			case !sure:
				unsure = true
			case f == nil:
				return nil, true
			case i == 0:
				first = f
			}
		}
		if unsure {
			return nil, false
		}
		if t.Msg != "" || t.literals() {
			return t, true
		}
		return first, true
	}
	return nil, false
}

// literals reports whether every part of t is a literal, so that a failure
// of t reads best as the list of values it admits.
func (t *Test) literals() bool {
	for _, p := range t.Parts {
		if p.Op != TestLit {
			return false
		}
	}
	return len(t.Parts) > 0
}
