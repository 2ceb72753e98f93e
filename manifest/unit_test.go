package manifest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReadUnit holds what other readers of a tree get from a unit
// directory to what lint reads there.
func TestReadUnit(t *testing.T) {
	vs := "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: a}\nspec: {hosts: [a]}\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string // the paths passed to add, relative to the unit
		built string   // text the single built stream holds, if built
		err   string
	}{{
		name: "listed files only",
		files: map[string]string{
			"kustomization.yaml":     "resources: [a.yaml, sub]\n",
			"a.yaml":                 vs,
			"unlisted.yaml":          vs,
			"sub/kustomization.yaml": "resources: [b.yaml]\n",
			"sub/b.yaml":             vs,
		},
		want: []string{"a.yaml", "sub/b.yaml"},
	}, {
		name: "built",
		files: map[string]string{
			"kustomization.yaml": "namePrefix: x-\nresources: [a.yaml]\n",
			"a.yaml":             vs,
		},
		want:  []string{"kustomization.yaml"},
		built: "name: x-a",
	}, {
		name: "component",
		files: map[string]string{
			"kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [a.yaml]\n",
			"a.yaml":             vs,
		},
	}, {
		name:  "helm chart",
		files: map[string]string{"Chart.yaml": "name: c\n", "templates/a.yaml": vs},
	}, {
		name:  "remote",
		files: map[string]string{"kustomization.yaml": "resources: [https://example.com/x.yaml]\n"},
		err:   "kustomization.yaml:1:13: remote reference",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if !IsUnit(dir) {
				t.Fatalf("%s is not a unit", dir)
			}
			var got []string
			var text string
			err := ReadUnit(dir, func(p string, data []byte) {
				rel, _ := filepath.Rel(dir, p)
				got = append(got, filepath.ToSlash(rel))
				text += string(data)
			})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("read %v, want %v", got, tc.want)
			}
			if tc.built != "" && !strings.Contains(text, tc.built) {
				t.Errorf("built stream lacks %q:\n%s", tc.built, text)
			}
			if strings.Contains(text, originAnnotation) {
				t.Errorf("the stream carries lint's origin annotations:\n%s", text)
			}
		})
	}
}
