package diff

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func resourceLines(r *Result) []string {
	var out []string
	for _, res := range r.Resources {
		out = append(out, res.Line())
	}
	return out
}

func TestResources(t *testing.T) {
	gw := func(apiVersion, mode string) string {
		return "apiVersion: " + apiVersion + "\nkind: Gateway\nmetadata: {name: edge, namespace: web}\nspec: {mode: " + mode + "}\n"
	}
	tests := []struct {
		name     string
		old, new map[string]string
		want     []string
	}{{
		name: "kinds of different API groups are different resources",
		old:  map[string]string{"a.yaml": gw("networking.istio.io/v1", "a") + "---\n" + gw("gateway.networking.k8s.io/v1", "a")},
		new:  map[string]string{"a.yaml": gw("networking.istio.io/v1beta1", "a") + "---\n" + gw("gateway.networking.k8s.io/v1", "b")},
		want: []string{"~ Gateway/web/edge", "~ Gateway/web/edge"},
	}, {
		name: "lists stand for their items",
		old:  map[string]string{"l.yaml": "apiVersion: v1\nkind: List\nitems:\n- " + strings.ReplaceAll(pa("a", "STRICT"), "\n", "\n  ")},
		new:  map[string]string{"p.yaml": pa("a", "PERMISSIVE")},
		want: []string{"~ PeerAuthentication/a/default (moved from l.yaml)"},
	}, {
		name: "objects without a name are told apart by file",
		old: map[string]string{
			"a/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [x.yaml]\n",
			"b/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [y.yaml]\n",
		},
		new: map[string]string{
			"a/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [x.yaml, z.yaml]\n",
			"b/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [y.yaml]\n",
			"c/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n",
		},
		want: []string{"~ Kustomization (a/kustomization.yaml)", "+ Kustomization (c/kustomization.yaml)"},
	}, {
		name: "documents that are not objects are skipped",
		old:  map[string]string{"values.yaml": "replicas: 3\n---\n# only a comment\n---\n- a list\n"},
		new:  map[string]string{"values.yaml": "replicas: 4\n"},
		want: nil,
	}, {
		name: "a cluster-scoped object",
		old:  map[string]string{},
		new:  map[string]string{"ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"},
		want: []string{"+ Namespace/shop"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := resourceLines(result(t, tt.old, tt.new))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestFilesErrors(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 'b', 'a'; i <= 'j'; i, prev = i+1, i {
		bomb += string(i) + ": &" + string(i) + " [" + strings.Repeat("*"+string(prev)+", ", 9) + "*" + string(prev) + "]\n"
	}
	tests := []struct {
		name, content, want string
	}{
		{"syntax", "kind: X\n  bad: [\n", "bad.yaml:2:1: YAML does not parse"},
		{"duplicate keys", "kind: X\nmetadata: {name: a}\nkind: Y\n", `bad.yaml:3:1: key "kind" is already defined on line 1`},
		{"alias bomb", "kind: X\n" + bomb, "bad.yaml:5:1: document repeats more than 10000 values through aliases"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Files(nil, []File{{Path: "bad.yaml", Content: []byte(tt.content)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	write := func(p, content string) {
		t.Helper()
		p = filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b/vs.yaml", "kind: A\n")
	write("a.yml", "kind: B\n")
	write("c.json", `{"kind": "C"}`)
	write("README.md", "not a manifest")
	write(".git/config.yaml", "kind: Hidden\n")
	write(".hidden.yaml", "kind: Hidden\n")
	if err := os.Symlink(filepath.Join(dir, "a.yml"), filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	files, err := Read(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
	}
	// link.yaml is a.yml: the same file is read once, as lint reads it.
	want := []string{"a.yml", "b/vs.yaml", "c.json"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	one, err := Read(filepath.Join(dir, "b", "vs.yaml"), nil)
	if err != nil || len(one) != 1 || one[0].Path != "vs.yaml" {
		t.Errorf("reading a file: got %v, %v", one, err)
	}
	if _, err := Read(filepath.Join(dir, "missing"), nil); err == nil {
		t.Error("reading a missing path: no error")
	}
}
