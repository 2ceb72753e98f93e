package yamlfast

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
)

// same compares two node trees on everything but comments.
func same(a, b *yaml.Node, path string) error {
	if a.Kind != b.Kind || a.Style != b.Style || a.Tag != b.Tag || a.Value != b.Value || a.Anchor != b.Anchor ||
		a.Line != b.Line || a.Column != b.Column || len(a.Content) != len(b.Content) {
		return fmt.Errorf("%s: fast {kind %v style %v tag %q value %q at %d:%d, %d children} yaml.v3 {kind %v style %v tag %q value %q at %d:%d, %d children}",
			path, a.Kind, a.Style, a.Tag, a.Value, a.Line, a.Column, len(a.Content), b.Kind, b.Style, b.Tag, b.Value, b.Line, b.Column, len(b.Content))
	}
	for i := range a.Content {
		if err := same(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", path, i)); err != nil {
			return err
		}
	}
	return nil
}

// scratch is reused by every check, so that ParseScratch is held to
// yaml.v3 on memory that earlier documents left behind.
var (
	scratchMu sync.Mutex
	scratch   Scratch
)

// check parses doc both ways: when Parse takes it, yaml.v3 must give the
// same tree, and ParseScratch must too.
func check(t *testing.T, doc []byte) bool {
	t.Helper()
	fast, ok := Parse(doc)
	if !ok {
		return false
	}
	var ref yaml.Node
	if err := yaml.Unmarshal(doc, &ref); err != nil {
		t.Fatalf("Parse took a document yaml.v3 rejects (%v):\n%s", err, doc)
	}
	if err := same(fast, &ref, "doc"); err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	scratchMu.Lock()
	defer scratchMu.Unlock()
	reused, ok := ParseScratch(doc, &scratch)
	if !ok {
		t.Fatalf("ParseScratch declined what Parse took:\n%s", doc)
	}
	if err := same(reused, &ref, "doc"); err != nil {
		t.Fatalf("ParseScratch: %v\n%s", err, doc)
	}
	return true
}

// documents splits a file at --- lines, as the linter does.
func documents(data []byte) [][]byte {
	var out [][]byte
	for i, d := range bytes.Split(data, []byte("\n---\n")) {
		if i > 0 {
			d = append([]byte("---\n"), d...)
		}
		out = append(out, d)
	}
	return out
}

// TestAgreesWithYAMLv3 compares on every YAML document of the repository
// and of Istio's conformance set, and on a rendered tree.
func TestAgreesWithYAMLv3(t *testing.T) {
	var files []string
	// The repository holds Istio's conformance set too, under testdata.
	for _, root := range []string{"../.."} {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
				return filepath.SkipDir
			}
			if strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".txtar") {
				files = append(files, p)
			}
			return nil
		})
	}
	taken, total := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// txtar sections are split by their headers: each is a document
		// source too.
		var chunks [][]byte
		if strings.HasSuffix(f, ".txtar") {
			for _, part := range bytes.Split(data, []byte("\n-- ")) {
				if i := bytes.Index(part, []byte(" --\n")); i >= 0 {
					chunks = append(chunks, documents(part[i+4:])...)
				}
			}
		} else {
			chunks = documents(data)
		}
		for _, doc := range chunks {
			total++
			if check(t, doc) {
				taken++
			}
		}
	}
	if taken < 200 {
		t.Fatalf("Parse took only %d of %d documents: the fast path does not cover rendered manifests", taken, total)
	}
	t.Logf("Parse took %d of %d documents", taken, total)
}

func TestCases(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		take bool
	}{
		{"a: 1\nb: two\n", true},
		{"a:\n  b: c\n  d:\n  - e\n  - f: g\n    h: i\n", true},
		{"a:\n- x\n- 'y''s'\n- \"z\\n\"\n", true},
		{"list:\n  - name: a # comment\n    value: \"#not a comment\"\n", true},
		{"a: yes\nb: 010\nc: 0x1F\nd: 1e3\ne: .inf\nf: ~\ng: null\nh: \"\"\ni: 2026-01-02\n", true},
		{"# head\nkind: X\n\n# mid\nspec: {}\n", false},
		{"---\na: 1\n", true},
		{"# c\n--- # start\na: 1\n", true},
		{"---\n---\na: 1\n", false},
		{"a: 1\n...\n", false},
		{"a: [1, 2]\n", false},
		{"a: |\n  text\n", false},
		{"a: &x 1\nb: *x\n", false},
		{"a: !!str 1\n", false},
		{"a:\n", false},
		{"a: b\n  c\n", false},
		{"a:\tb\n", false},
		{"a: ü\n", false},
		{"<<: {a: 1}\n", false},
		{"? a\n: b\n", false},
		{"- - a\n", false},
		{"plain\n", false},
		{"a: 'multi\n  line'\n", false},
		{"a: b: c\n", false},
		{"  a: 1\n", false},
		{strings.Repeat("k", 1100) + ": 0\n", false},
		{"#\x1a\n- a\n", false},
		{"0: <<\n", false},
		{"0 \" #\": 00\n", false},
		{"a: b 'c' # d\n", true},
		{"a:'b' # c\n", false},
		{"a: 1\n# \x7f\n", false},
		{"- " + strings.Repeat("k", 1100) + ": 0\n", false},
	} {
		got := check(t, []byte(tc.doc))
		if got != tc.take {
			t.Errorf("Parse(%q) took it: %v, want %v", tc.doc, got, tc.take)
		}
	}
}

func FuzzAgreesWithYAMLv3(f *testing.F) {
	f.Add([]byte("a: 1\nb:\n  - c: d\n    e: 'f'\n"))
	f.Add([]byte("spec:\n  http:\n  - name: x # c\n    route:\n    - destination: {host: a}\n"))
	f.Add([]byte("a: \"\\\"q\\\" # x\"\nb: '#'\n"))
	f.Add([]byte("# c\n--- # x\nkind: A\nspec:\n  - a\n"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		if len(doc) > 4096 {
			return
		}
		fast, ok := Parse(doc)
		if !ok {
			return
		}
		var ref yaml.Node
		if err := yaml.Unmarshal(doc, &ref); err != nil {
			t.Fatalf("Parse took a document yaml.v3 rejects (%v): %q", err, doc)
		}
		if err := same(fast, &ref, "doc"); err != nil {
			t.Fatalf("%v\n%q", err, doc)
		}
	})
}
