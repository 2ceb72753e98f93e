package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKustomizeFastPath checks that a kustomization that only lists local
// resources is read file by file, keeping the files' own positions.
func TestKustomizeFastPath(t *testing.T) {
	m, err := Load([]string{"testdata/kustomize/simple"}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(ids(m), " ")
	want := "PeerAuthentication/bookinfo/default@pa.yaml#0 VirtualService/default/reviews@reviews.yaml#0 DestinationRule/default/reviews@reviews.yaml#1"
	if got != want {
		t.Errorf("resources = %s\nwant %s", got, want)
	}
	if p := m.Resources[1].Position("spec.http[0].route[1].weight"); p.String() != "testdata/kustomize/base/reviews.yaml:13:15" {
		t.Errorf("position = %s", p)
	}
}

// TestKustomizeBuild checks that a kustomization with transformations is
// built, and its objects are reported at the lines of the files that
// declare them.
func TestKustomizeBuild(t *testing.T) {
	m, err := Load([]string{"testdata/kustomize/overlay"}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(ids(m), " ")
	want := "VirtualService/bookinfo/prod-reviews@reviews.yaml#0 DestinationRule/bookinfo/prod-reviews@reviews.yaml#1 VirtualService/bookinfo/prod-ratings@ratings.yaml#0"
	if got != want {
		t.Errorf("resources = %s\nwant %s", got, want)
	}
	vs := m.Resources[0]
	if vs.VirtualService().GetHttp()[0].GetTimeout().AsDuration().String() != "5s" {
		t.Errorf("the patch was not applied: %v", vs.VirtualService())
	}
	if _, ok := vs.Annotations[originAnnotation]; ok {
		t.Error("the origin annotation meshroll asked for is left on the object")
	}
	for path, want := range map[string]string{
		"spec.http[0].route[1].weight": "testdata/kustomize/base/reviews.yaml:13:15",
		"spec.http[0].timeout":         "testdata/kustomize/base/reviews.yaml:8:5", // added by the patch: its route
	} {
		if p := vs.Position(path); p.String() != want {
			t.Errorf("position of %s = %s, want %s", path, p, want)
		}
	}
	if strings.Join(m.Files, " ") != "testdata/kustomize/base/reviews.yaml testdata/kustomize/overlay/ratings.yaml" {
		t.Errorf("files = %v", m.Files)
	}
	// Naming the kustomization file builds it too.
	m2, err := Load([]string{"testdata/kustomize/overlay/kustomization.yaml"}, LoadOptions{})
	if err != nil || strings.Join(ids(m2), " ") != want {
		t.Errorf("kustomization.yaml named directly: %v %v", err, ids(m2))
	}
}

// TestKustomizeNeverFetches runs the loader on kustomizations with remote
// references while PATH leads to a git that records being called: each must
// fail with a clear error, and git must never run.
func TestKustomizeNeverFetches(t *testing.T) {
	bin := t.TempDir()
	calls := filepath.Join(bin, "calls")
	script := "#!/bin/sh\necho \"$@\" >> " + calls + "\nexit 1\n"
	for _, name := range []string{"git", "helm", "kubectl"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin)
	for dir, want := range map[string]string{
		"remote":      `remote reference "github.com/meshroll/example//base?ref=v1" refused`,
		"remote-http": `remote reference "https://example.com/manifests.yaml" refused`,
		"remote-scp":  `remote reference "git@github.com:meshroll/example.git/base" refused`,
		"helm":        "helmCharts needs helm",
	} {
		_, err := Load([]string{filepath.Join("testdata/kustomize", dir)}, LoadOptions{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error = %v, want %q", dir, err, want)
		}
	}
	// A remote base below a local one, and a path that does not exist
	// (which kustomize would try as a git address).
	tree := writeFiles(t, map[string]string{
		"top/kustomization.yaml":    "namePrefix: x-\nresources: [../mid]\n",
		"mid/kustomization.yaml":    "resources: [https://github.com/org/repo.git/deploy]\n",
		"other/kustomization.yaml":  "namespace: a\nresources: [org/repo/deploy]\n",
		"local/kustomization.yaml":  "namePrefix: y-\nresources: [vs.yaml]\n",
		"local/vs.yaml":             vs("local"),
		"escape/kustomization.yaml": "namePrefix: z-\nresources: [vs.yaml]\npatches: [{path: ../local/vs.yaml}]\n",
		"escape/vs.yaml":            vs("escape"),
	})
	for dir, want := range map[string]string{
		"top":    "remote reference",
		"other":  "no such file or directory",
		"escape": "kustomize build", // files outside the root are refused by kustomize
	} {
		_, err := Load([]string{filepath.Join(tree, dir)}, LoadOptions{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error = %v, want %q", dir, err, want)
		}
	}
	if m, err := Load([]string{filepath.Join(tree, "local")}, LoadOptions{}); err != nil || len(m.Resources) != 1 || m.Resources[0].Name != "y-local" {
		t.Errorf("local build: %v %v", err, m)
	}
	if data, err := os.ReadFile(calls); err == nil {
		t.Errorf("a program was executed: %s", data)
	}
}
