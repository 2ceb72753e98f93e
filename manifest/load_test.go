package manifest

import (
	"fmt"
	"github.com/meshroll/meshroll/internal/rawfile"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const vsDoc = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: %s
spec:
  hosts: [%s]
  http:
  - name: default
    route:
    - destination: {host: %s}
`

func vs(name string) string { return fmt.Sprintf(vsDoc, name, name, name) }

func ids(m *Manifests) []string {
	var out []string
	for _, r := range m.Resources {
		out = append(out, fmt.Sprintf("%s@%s#%d", r.ID(), filepath.Base(r.File), r.Doc))
	}
	return out
}

// TestLoadSymlinks checks the path policy of package input as lint applies
// it: a symbolic link to a directory is followed (monorepos link shared
// manifests), a loop is an error, and so is a directory with nothing to lint.
func TestLoadSymlinks(t *testing.T) {
	dir := writeFiles(t, map[string]string{"real/a.yaml": vs("a"), "empty/notes.md": "no manifests"})
	if err := os.Symlink(filepath.Join(dir, "real"), filepath.Join(dir, "linked")); err != nil {
		t.Fatal(err)
	}
	m, err := Load([]string{filepath.Join(dir, "linked")}, LoadOptions{})
	if err != nil || len(m.Resources) != 1 {
		t.Fatalf("a symbolic link to a directory: %v, %v", err, m)
	}
	if err := os.Symlink(dir, filepath.Join(dir, "real", "loop")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load([]string{dir}, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "loop") {
		t.Errorf("a loop: error %v", err)
	}
	if _, err := Load([]string{filepath.Join(dir, "empty")}, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "no manifests in") {
		t.Errorf("nothing to lint: error %v", err)
	}
}

func TestLoadDirectory(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"b.yaml":              vs("b"),
		"a.yml":               "# comment only\n---\n" + vs("a") + "---\n" + vs("a2"),
		"sub/c.json":          `{"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"hosts": ["c"]}}`,
		"sub/readme.md":       vs("ignored"),
		".hidden/d.yaml":      vs("hidden"),
		"k/kustomization.yml": "resources: [e.yaml]\n",
		"k/e.yaml":            vs("e"),
		"k/unlisted.yaml":     vs("unlisted"),
	})
	if err := os.Symlink(filepath.Join(dir, "b.yaml"), filepath.Join(dir, "sub", "link.yaml")); err != nil {
		t.Fatal(err)
	}
	m, err := Load([]string{dir, filepath.Join(dir, "b.yaml")}, LoadOptions{Namespace: "team"})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(ids(m), " ")
	// The link to b.yaml is the same file: it is read once.
	want := "VirtualService/team/a@a.yml#0 VirtualService/team/a2@a.yml#1 VirtualService/team/b@b.yaml#0 " +
		"VirtualService/team/e@e.yaml#0 VirtualService/shop/c@c.json#0"
	if got != want {
		t.Errorf("resources =\n%s\nwant\n%s", got, want)
	}
	if len(m.Files) != 4 {
		t.Errorf("files = %v, want 4, each once", m.Files)
	}
	if p := m.Resources[1].Position("spec.hosts[0]"); p.Line != 19 || p.Column != 11 {
		t.Errorf("position of a2's host = %v, want line 19 col 11", p)
	}
}

func TestLoadStdin(t *testing.T) {
	m, err := Load([]string{"-"}, LoadOptions{Stdin: strings.NewReader(vs("s"))})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Resources) != 1 || m.Resources[0].File != StdinName || m.Resources[0].Namespace != "default" {
		t.Errorf("resources = %v", ids(m))
	}
	if _, err := Load([]string{"-", "-"}, LoadOptions{Stdin: strings.NewReader("")}); err == nil {
		t.Error("reading standard input twice: no error")
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load([]string{"does/not/exist.yaml"}, LoadOptions{}); err == nil {
		t.Error("missing file: no error")
	}
	if _, err := Load(nil, LoadOptions{}); err == nil {
		t.Error("no paths: no error")
	}
}

func TestSplitDocuments(t *testing.T) {
	tests := []struct {
		in   string
		want []int // start lines
	}{
		{"a: 1\n", []int{1}},
		{"---\na: 1\n", []int{1}},
		{"# c\n---\na: 1\n---\nb: 2\n", []int{1, 4}},
		{"%YAML 1.2\n---\na: 1\n", []int{1}},
		{"a: 1\n...\n---\nb: 2\n", []int{1, 3}},
		{"a: |\n  ---x\n  text\n---\nb: 2", []int{1, 4}},
		{"a: 1\n--- # c\nb: 2\n---\n", []int{1, 2, 4}},
		{"--- {a: 1}\n--- {b: 2}\n", []int{1, 2}},
		{"a: '---'\n----\n", []int{1}},
		{"---\n---\na: 1\n", []int{1, 2}},
		{"---\n# only a comment\n---\n", []int{1, 3}},
	}
	for _, tt := range tests {
		var got []int
		for _, c := range splitDocuments([]byte(tt.in)) {
			got = append(got, c.line)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("splitDocuments(%q) starts = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestHostileInput feeds what an attacker, or an accident, could put in a
// repository. Each must become MR900 diagnostics, quickly and without
// panicking, and leave the good document next to it linted.
func TestHostileInput(t *testing.T) {
	var bomb strings.Builder
	bomb.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 12; i++ {
		fmt.Fprintf(&bomb, "a%d: &a%d [*a%[3]d, *a%[3]d, *a%[3]d, *a%[3]d, *a%[3]d, *a%[3]d, *a%[3]d, *a%[3]d, *a%[3]d, *a%[3]d]\n", i, i, i-1)
	}
	// A merge-key bomb: each level merges the one before ten times.
	var merges strings.Builder
	merges.WriteString("m0: &m0 {a: [x, x, x, x, x, x, x, x, x, x]}\n")
	for i := 1; i < 8; i++ {
		fmt.Fprintf(&merges, "m%d: &m%d {", i, i)
		for k := range 10 {
			fmt.Fprintf(&merges, "k%d: {<<: *m%d}, ", k, i-1)
		}
		merges.WriteString("z: 1}\n")
	}
	tests := []struct {
		name string
		doc  string
		want string
		lim  Limits
	}{
		{"billion laughs", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n" + indent(bomb.String()), "repeats more than 10000 values through aliases", Limits{}},
		{"merge keys", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n" + indent(merges.String()), "repeats more than 10000 values through aliases", Limits{}},
		{"billion laughs, aliases allowed", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n" + indent(bomb.String()), "expands to more than", Limits{AliasValues: 1 << 40}},
		{"deep nesting", "apiVersion: v1\nkind: ConfigMap\ndata: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000), "nests deeper than", Limits{}},
		{"deep block nesting", deepBlock(300), "nests deeper than", Limits{}},
		{"deep through aliases", "x: &x " + strings.Repeat("[", 150) + strings.Repeat("]", 150) + "\ny: " + strings.Repeat("[", 100) + "*x" + strings.Repeat("]", 100), "nests deeper than", Limits{}},
		{"huge document", "apiVersion: v1\nkind: ConfigMap\ndata: {a: \"" + strings.Repeat("x", 17<<20) + "\"}", "larger than", Limits{}},
		{"binary", "\x7fELF\x02\x01\x01\x00\x00\x00", "binary", Limits{}},
		{"invalid UTF-8", "apiVersion: v1\nkind: \xff\xfe\xfd\n", "not UTF-8", Limits{}},
		{"tabs", "a:\n\tb: 1\n", "YAML does not parse", Limits{}},
		{"unknown anchor", "a: *nope\n", "YAML does not parse", Limits{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.doc + "\n---\n" + vs("survivor")
			m := Parse("hostile.yaml", []byte(data), LoadOptions{Limits: tt.lim})
			found := false
			for _, d := range m.Problems {
				found = found || (d.Kind == Invalid && strings.Contains(d.Message, tt.want))
			}
			if !found {
				t.Errorf("problems = %v, want an invalid document, %q", m.Problems, tt.want)
			}
			if tt.name == "binary" || tt.name == "invalid UTF-8" {
				return // the whole file is refused
			}
			if len(m.Resources) == 0 || m.Resources[len(m.Resources)-1].Name != "survivor" {
				t.Errorf("the next document was not loaded: %v", ids(m))
			}
		})
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ") + "\n"
}

func deepBlock(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%sk:\n", strings.Repeat(" ", i))
	}
	return b.String()
}

func TestEmptyDocuments(t *testing.T) {
	m := Parse("e.yaml", []byte("---\n---\n# nothing\n---\n~\n---\n"+vs("a")+"---\n"+strings.Repeat("---\n", 100000)), LoadOptions{})
	if len(m.Resources) != 1 || m.Resources[0].Doc != 0 || len(m.Problems) != 0 {
		t.Errorf("resources = %v, problems = %v", ids(m), m.Problems)
	}
}

func TestAliasCycleGuard(t *testing.T) {
	m := Parse("cycle.yaml", []byte("a: &a [*a]\n"), LoadOptions{})
	if len(m.Problems) != 1 || !strings.Contains(m.Problems[0].Message, "contains it") {
		t.Errorf("problems = %v", m.Problems)
	}
}

func TestFileLimit(t *testing.T) {
	m := Parse("big.yaml", []byte(vs("a")), LoadOptions{Limits: Limits{FileBytes: 10}})
	if len(m.Problems) != 1 || !strings.Contains(m.Problems[0].Message, "larger than 10 bytes") || len(m.Resources) != 0 {
		t.Errorf("problems = %v", m.Problems)
	}
}

func TestUTF16(t *testing.T) {
	s := vs("wide")
	data := []byte{0xFF, 0xFE}
	for _, r := range s {
		data = append(data, byte(r), 0)
	}
	m := Parse("wide.yaml", data, LoadOptions{})
	if len(m.Resources) != 1 || m.Resources[0].Name != "wide" {
		t.Errorf("UTF-16 file: %v %v", ids(m), m.Problems)
	}
}

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("../fixtures/lint/*/*.yaml")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("a: &a [*a, *a]\n---\nb: *a"))
	f.Add([]byte("--- |\n  x\n...\n%YAML 1.2\n---\n[1, 2"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := Parse("fuzz.yaml", data, LoadOptions{Limits: Limits{FileBytes: 1 << 20, Nodes: 1 << 14}})
		for _, p := range m.Problems {
			if p.Line < 1 || p.Column < 1 {
				t.Fatalf("problem without a position: %v", p)
			}
		}
		for _, r := range m.Resources {
			if pos := r.Position("spec"); pos.Line < 1 || pos.Column < 1 {
				t.Fatalf("%s without a position: %v", r.ID(), pos)
			}
		}
	})
}

// TestUnreadableFileIsAFinding makes one file of a directory unreadable: it
// is an MR902 finding, and the others are linted.
func TestUnreadableFileIsAFinding(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.yaml": vs("a"), "b.yaml": vs("b")})
	// chmod 0 would not stop root: fail the open instead.
	openFile = func(p string) (io.ReadCloser, int64, error) {
		if filepath.Base(p) == "b.yaml" {
			return nil, 0, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}
		}
		return rawfile.Open(p)
	}
	defer func() { openFile = rawfile.Open }()
	m, err := Load([]string{dir}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Resources) != 1 || len(m.Problems) != 1 || m.Problems[0].Kind != Unreadable ||
		!strings.Contains(m.Problems[0].Message, "permission denied") {
		t.Errorf("resources %v, problems %v", ids(m), m.Problems)
	}
}
