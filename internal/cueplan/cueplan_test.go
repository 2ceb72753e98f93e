package cueplan

import (
	"slices"
	"strconv"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
)

// mapView presents Go values decoded from JSON (maps, slices, strings,
// float64 numbers, bools, nil) to Walk.
type mapView struct{}

func (mapView) Kind(n any) Kind {
	switch n.(type) {
	case nil:
		return Null
	case bool:
		return Bool
	case int:
		return Int
	case float64:
		return Float
	case string:
		return String
	case map[string]any:
		return Struct
	case []any:
		return List
	}
	return Absent
}

func (v mapView) Scalar(n any) string {
	switch x := n.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return "null"
}

func (mapView) Lookup(n any, name string) (any, bool) {
	v, ok := n.(map[string]any)[name]
	return v, ok
}

func (mapView) Fields(n any, yield func(string, any) bool) {
	// Sorted, so that problems come in a fixed order.
	m := n.(map[string]any)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !yield(k, m[k]) {
			return
		}
	}
}

func (mapView) Items(n any) []any { return n.([]any) }

const schema = `
import "strings"
#Name: string & =~"^[a-z]+$" & strings.MaxRunes(5) | error("must be a short name")
#S: {
	name:    #Name
	weight?: int & >=0 & <=100
	mode?:   "A" | "B"
	tags?: [...string]
	opt?:  string | [...string] | error("must be a string or strings")
}
`

func compile(t *testing.T, def string) *Plan {
	t.Helper()
	ctx := cuecontext.New()
	v := ctx.CompileString(schema)
	if v.Err() != nil {
		t.Fatal(v.Err())
	}
	p := Compile(v.LookupPath(cue.ParsePath(def)), NewScratch(ctx))
	if n := p.Opaque(); n != 0 {
		t.Fatalf("%d opaque nodes", n)
	}
	return p
}

// TestWalkExplains checks the problems an explained walk reports, each the
// finding a person would expect, at its path.
func TestWalkExplains(t *testing.T) {
	p := compile(t, "#S")
	opt := Options{ReportKinds: true, Explain: true}
	tests := []struct {
		name string
		data map[string]any
		want []string // path: code and detail
	}{
		{"valid", map[string]any{"name": "abc", "weight": 10, "mode": "A", "tags": []any{"x"}, "opt": []any{"a"}}, nil},
		{"missing", map[string]any{}, []string{"name: required"}},
		{"message", map[string]any{"name": "ABC"}, []string{"name: must be a short name"}},
		{"bound", map[string]any{"name": "a", "weight": 101}, []string{"weight: <= 100"}},
		{"kind", map[string]any{"name": "a", "weight": "x"}, []string{"weight: kind"}},
		{"literals", map[string]any{"name": "a", "mode": "C"}, []string{"mode: one of"}},
		{"unknown", map[string]any{"name": "a", "wieght": 1}, []string{"wieght: not allowed"}},
		{"list", map[string]any{"name": "a", "tags": "x"}, []string{"tags: list"}},
		{"element", map[string]any{"name": "a", "tags": []any{"x", 1}}, []string{"tags[1]: kind"}},
		{"union", map[string]any{"name": "a", "opt": []any{1}}, []string{"opt: must be a string or strings"}},
		{"union kind", map[string]any{"name": "a", "opt": true}, []string{"opt: must be a string or strings"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := Walk(p, View[any](mapView{}), any(tt.data), opt)
			var got []string
			for _, pr := range ps {
				got = append(got, describe(pr))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("got %q, want %q", got[i], tt.want[i])
				}
			}
		})
	}
}

func describe(pr Problem) string {
	path := ""
	for _, e := range pr.Path {
		if e.IsIndex {
			path += "[" + strconv.Itoa(e.Index) + "]"
		} else {
			if path != "" {
				path += "."
			}
			path += e.Key
		}
	}
	switch {
	case pr.Absent || pr.Code == CodeRequired:
		return path + ": required"
	case pr.Code == CodeNotAllowed:
		return path + ": not allowed"
	case pr.Code == CodeKind && pr.Kinds == cue.ListKind:
		return path + ": list"
	case pr.Code == CodeInvalid && pr.Msg != "":
		return path + ": " + pr.Msg
	case pr.Code == CodeInvalid && pr.Test.Op == TestKind:
		return path + ": kind"
	case pr.Code == CodeInvalid && pr.Test.Op == TestBound:
		return path + ": " + pr.Test.Bound + " " + pr.Test.Text
	case pr.Code == CodeInvalid && pr.Test.Op == TestOr:
		return path + ": one of"
	}
	return path + ": ?"
}

// TestWalkLeavesKinds checks that without ReportKinds a value of another
// kind passes, and that a failing test is left to CUE, whose message the
// problem carries.
func TestWalkLeavesKinds(t *testing.T) {
	p := compile(t, "#S")
	ps := Walk(p, View[any](mapView{}), any(map[string]any{"name": "a", "weight": "x", "tags": "y"}), Options{})
	if len(ps) != 0 {
		t.Errorf("got %+v, want nothing", ps)
	}
	ps = Walk(p, View[any](mapView{}), any(map[string]any{"name": "a", "weight": 101}), Options{})
	if len(ps) != 1 || ps[0].Code != CodeCUE || ps[0].Format == "" {
		t.Errorf("got %+v, want CUE's problem", ps)
	}
}

// TestExactFloat checks which number literals float64 orders exactly.
func TestExactFloat(t *testing.T) {
	tests := []struct {
		text string
		want float64
		ok   bool
	}{
		{"100", 100, true},
		{"-0.5", -0.5, true},
		{"2147483647", 2147483647, true},
		{"1e400", 0, true}, // +Inf, which orders exactly
		{"123456789012345", 123456789012345, true},
		{"1234567890123456", 0, false},
		{"0.1000000000000000001", 0, false},
		{"0x10", 0, false},
		{"1_000", 0, false},
		{"abc", 0, false},
	}
	for _, tt := range tests {
		got, ok := exactFloat(tt.text)
		if ok != tt.ok || ok && tt.want != 0 && got != tt.want {
			t.Errorf("exactFloat(%q) = %v, %v; want %v, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}

// TestReferencesCompiledApart checks that references to the fields of two
// definitions, one built on the other, keep their own constraints although
// the compiled tests of referenced values are shared.
func TestReferencesCompiledApart(t *testing.T) {
	ctx := cuecontext.New()
	v := ctx.CompileString(`
#A: {x: string}
#B: #A & {x: =~"^a"}
#S: {p: #A.x, q: #B.x}
`)
	p := Compile(v.LookupPath(cue.ParsePath("#S")), NewScratch(ctx))
	ps := Walk(p, View[any](mapView{}), any(map[string]any{"p": "b", "q": "b"}), Options{ReportKinds: true, Explain: true})
	if len(ps) != 1 || ps[0].Path[0].Key != "q" {
		t.Errorf("got %+v, want one problem at q", ps)
	}
}
