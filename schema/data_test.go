package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshroll/meshroll/internal/bound"
)

// render writes a tree canonically — fields sorted, positions of scalars and
// field labels — so that two trees compare as text.
func canonical(n *Node, b *strings.Builder, indent string) {
	switch n.Kind {
	case Struct:
		fields := slices.Clone(n.Fields)
		slices.SortFunc(fields, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
		b.WriteString("{\n")
		for _, f := range fields {
			fmt.Fprintf(b, "%s%q: ", indent+"  ", f.Name)
			canonical(f.Value, b, indent+"  ")
		}
		b.WriteString(indent + "}\n")
	case List:
		b.WriteString("[\n")
		for _, e := range n.Elems {
			b.WriteString(indent + "  ")
			canonical(e, b, indent+"  ")
		}
		b.WriteString(indent + "]\n")
	default:
		fmt.Fprintf(b, "%s %q %d %g %v @%s\n", n.Kind, n.Str, n.Int, n.Num, n.Bool, n.Pos)
	}
}

func canonicalString(n *Node) string {
	var b strings.Builder
	canonical(n, &b, "")
	return b.String()
}

// bothWays builds the tree of the files at paths through the data path and
// through CUE. ok is false when the data path does not apply.
func bothWays(t testing.TB, paths []string) (data, evaluated string, ok bool) {
	t.Helper()
	return sourcesBothWays(t, paths, readAll(paths))
}

// sourcesBothWays is bothWays over sources already parsed.
func sourcesBothWays(t testing.TB, paths []string, srcs []*source) (data, evaluated string, ok bool) {
	t.Helper()
	for _, s := range srcs {
		if len(s.err) > 0 {
			return "", "", false
		}
	}
	groups := group(srcs)
	if len(groups) != 1 {
		t.Fatalf("%v: %d groups, want 1", paths, len(groups))
	}
	dt, ok := dataTree(groups[0])
	if !ok {
		return "", "", false
	}
	// Evaluated in-process, through the encoding of the bounded child's
	// result, so that the encoding is held to the data path too.
	trees, errs := evaluateAll(groups, bound.Limits{})
	et := trees[0]
	if et == nil {
		t.Fatalf("%v: the data path accepts what CUE rejects: %v", paths, errs[0])
	}
	return canonicalString(dt), canonicalString(et), true
}

// TestDataTreeMatchesCUE holds the data path to CUE's evaluation on every
// fixture and on generated-style files spread over a package.
func TestDataTreeMatchesCUE(t *testing.T) {
	var cases [][]string
	for _, pattern := range []string{"../fixtures/intents/*/*", "../fixtures/bad/*"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			cases = append(cases, []string{f})
		}
	}
	pkgDir, _ := filepath.Glob("../fixtures/intents/bookinfo/*.cue")
	cases = append(cases, pkgDir)
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases = append(cases, []string{
		write("a.cue", "package p\n\nrollouts: a: {namespace: \"x\", stable: subset: \"v1\"}\nrollouts: a: phase: \"start\"\n"),
		write("b.cue", "package p\n\n// b adds to a.\nrollouts: a: {namespace: \"x\", canary: {subset: \"v2\", labels: {\"app.kubernetes.io/v\": \"2\"}}}\nrollouts: b: stable: host: \"other\"\n"),
	})
	cases = append(cases, []string{write("nums.cue", "x: {i: 1_000, h: 0x1F, f: 1.5, e: 1e3, n: null, t: true, s: \"\"\"\n\tmulti\n\tline\n\t\"\"\", r: #\"raw\\\"#, l: [1, 2.0, \"three\", {a: []}]}\n")})
	compared := 0
	for _, paths := range cases {
		data, evaluated, ok := bothWays(t, paths)
		if !ok {
			continue
		}
		compared++
		if data != evaluated {
			t.Errorf("%v: data path and CUE differ\ndata:\n%s\ncue:\n%s", paths, data, evaluated)
		}
	}
	if compared < 10 {
		t.Fatalf("the data path applied to only %d cases", compared)
	}
}

// TestDataTreeDefersToCUE lists what the data path must leave to CUE.
func TestDataTreeDefersToCUE(t *testing.T) {
	dir := t.TempDir()
	for i, src := range []string{
		"rollouts: a: stable: subset: _v\n_v: \"v1\"",
		"#R: {stable: subset: \"v1\"}\nrollouts: a: #R",
		"rollouts: a: stable: subset: *\"v1\" | \"v2\"",
		"rollouts: a: stable: subset: \"v1\"\nrollouts: a: stable: subset: \"v2\"",
		"rollouts: a: phases: [{name: \"a\", canaryWeight: 0}]\nrollouts: a: phases: [{name: \"a\", canaryWeight: 0}]",
		"rollouts: [string]: namespace: \"x\"\nrollouts: a: stable: subset: \"v1\"",
		"rollouts: a: {stable: subset: \"v1\", hold?: \"1h\"}",
		"import \"strings\"\nrollouts: a: stable: subset: strings.ToLower(\"V1\")",
		"rollouts: a: {let v = \"v1\", stable: subset: v}",
		"rollouts: {for n in [\"a\"] {(n): stable: subset: \"v1\"}}",
		"x: 1Ki",
		"x: 'bytes'",
		"x: \"\\(1+1)\"",
		"x: [...int]",
	} {
		p := filepath.Join(dir, fmt.Sprintf("c%d.cue", i))
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		srcs := readAll([]string{p})
		if len(srcs[0].err) > 0 {
			t.Fatalf("%q does not parse: %v", src, srcs[0].err)
		}
		if _, ok := dataTree(srcs); ok {
			t.Errorf("the data path took %q, which needs CUE", src)
		}
	}
}

// FuzzDataTreeMatchesCUE compares the two paths on arbitrary CUE sources.
func FuzzDataTreeMatchesCUE(f *testing.F) {
	for _, seed := range seedFiles(f, "*.cue") {
		f.Add(seed)
	}
	f.Add([]byte("a: b: 1\na: c: [1, {d: \"e\"}]\na: b: 1"))
	f.Fuzz(func(t *testing.T, src []byte) {
		// In memory: a fuzz target that writes a file per input waits on the disk.
		data, evaluated, ok := sourcesBothWays(t, []string{"f.cue"}, []*source{parseData("f.cue", src)})
		if ok && data != evaluated {
			t.Fatalf("data path and CUE differ on %q\ndata:\n%s\ncue:\n%s", src, data, evaluated)
		}
	})
}
