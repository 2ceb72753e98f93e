package diff

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzFiles diffs arbitrary YAML against arbitrary YAML and writes every
// format: no input may panic, a document compared with itself has no
// changes, and the output is the same twice.
func FuzzFiles(f *testing.F) {
	// Small seeds: the fuzzer minimises what it finds, and each run parses
	// both sides three times.
	f.Add([]byte(vs("bookinfo", "reviews", "canary", 90, 10, "jason")), []byte(vs("bookinfo", "reviews", "expand", 75, 25, "jason", "beta")))
	f.Add([]byte(vs("a", "r", "half", 50, 50, "x")+"---\n"+pa("a", "STRICT")), []byte(vs("a", "r", "rollback", 100, -1)+"---\n"+pa("a", "DISABLE")))
	data, err := os.ReadFile(filepath.Join(fixtures, "from", "hand", "frontend.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data, bytes.ReplaceAll(data, []byte("80"), []byte("60")))
	f.Add([]byte(head+"spec: {http: [{name: a}, {name: b}]}"), []byte(head+"spec: {http: [{name: b}, {name: a}, {name: c}]}"))
	f.Add([]byte("kind: List\nitems: [{kind: A, metadata: {name: x}}]"), []byte("a: &a [*a]"))
	f.Add([]byte("kind: X\n<<: {a: 1}\nb: &b {c: *b}"), []byte("--- !!binary aGk=\n...\n%YAML 1.1\n---\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		old := []File{{Path: "a.yaml", Content: a}}
		new := []File{{Path: "a.yaml", Content: b}}
		r, err := Files(old, new)
		if err != nil {
			return
		}
		var first bytes.Buffer
		for _, w := range []Writer{Text{}, Text{Color: true}, Markdown{}, Markdown{Limit: 500}, JSON{}} {
			if err := w.Write(&first, r); err != nil {
				t.Fatal(err)
			}
		}
		r2, err := Files(old, new)
		if err != nil {
			t.Fatalf("the second run failed: %v", err)
		}
		var second bytes.Buffer
		for _, w := range []Writer{Text{}, Text{Color: true}, Markdown{}, Markdown{Limit: 500}, JSON{}} {
			_ = w.Write(&second, r2)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatal("the output differs between two runs")
		}
		// The same bytes under another name are parsed apart from the first.
		self, err := Files(old, []File{{Path: "b.yaml", Content: a}})
		if err != nil {
			t.Fatalf("a parsed once, not twice: %v", err)
		}
		if !self.Empty() {
			var b bytes.Buffer
			_ = (Text{}).Write(&b, self)
			t.Fatalf("a document differs from itself:\n%s", b.String())
		}
		_ = (JSON{}).Write(io.Discard, self)
	})
}
