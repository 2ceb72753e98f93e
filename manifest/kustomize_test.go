package manifest

import (
	"fmt"
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
	if _, ok := vs.Annotations.Lookup(originAnnotation); ok {
		t.Error("the origin annotation meshroll asked for is left on the object")
	}
	for path, want := range map[string]string{
		"spec.http[0].route[1].weight": "testdata/kustomize/base/reviews.yaml:13:15",
		"spec.http[0].timeout":         "testdata/kustomize/overlay/kustomization.yaml:13:14", // added by the patch: at the patch
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
		if got := notLinted(t, filepath.Join("testdata/kustomize", dir)); !strings.Contains(got, want) {
			t.Errorf("%s: MR902 = %q, want %q", dir, got, want)
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
		"escape": "outside the kustomization's directory", // kustomize's load restrictor
	} {
		if got := notLinted(t, filepath.Join(tree, dir)); !strings.Contains(got, want) {
			t.Errorf("%s: MR902 = %q, want %q", dir, got, want)
		}
	}
	if m, err := Load([]string{filepath.Join(tree, "local")}, LoadOptions{}); err != nil || len(m.Resources) != 1 || m.Resources[0].Name != "y-local" {
		t.Errorf("local build: %v %v", err, m)
	}
	if data, err := os.ReadFile(calls); err == nil {
		t.Errorf("a program was executed: %s", data)
	}
}

// notLinted loads dir and returns its MR902 findings, failing when loading
// fails: a kustomization that cannot be built is a finding, not an abort.
func notLinted(t *testing.T, dir string) string {
	t.Helper()
	m, err := Load([]string{dir}, LoadOptions{})
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	var out []string
	for _, d := range m.Problems {
		if d.Kind == Unreadable {
			out = append(out, d.String())
		}
	}
	return strings.Join(out, "\n")
}

// TestKustomizeCyclesAndRestrictor checks what kustomize refuses and a
// whole-repository lint must survive: a kustomization that includes itself,
// a cycle through another, and files outside the kustomization's root named
// by a relative or an absolute path. Each is a finding at the entry, and the
// healthy kustomization beside them is still linted.
func TestKustomizeCyclesAndRestrictor(t *testing.T) {
	tree := writeFiles(t, map[string]string{
		".git/HEAD":               "",
		"self/kustomization.yaml": "resources:\n- ../self\n",
		"a/kustomization.yaml":    "resources:\n- ../b\n",
		"b/kustomization.yaml":    "resources:\n- ../a\n",
		"up/kustomization.yaml":   "resources:\n- ../../../etc/hostname.yaml\n",
		"abs/kustomization.yaml":  "resources:\n- ABS\n",
		"ok/kustomization.yaml":   "resources: [vs.yaml]\n",
		"ok/vs.yaml":              vs("ok"),
		"secret.yaml":             vs("secret"),
	})
	abs := filepath.Join(tree, "abs", "kustomization.yaml")
	data, _ := os.ReadFile(abs)
	os.WriteFile(abs, []byte(strings.Replace(string(data), "ABS", filepath.Join(tree, "secret.yaml"), 1)), 0o644)
	m, err := Load([]string{tree}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range m.Problems {
		got = append(got, fmt.Sprintf("%s:%d %s", strings.TrimPrefix(d.File, tree+"/"), d.Line, d.Message))
	}
	for _, want := range []string{
		"a/kustomization.yaml:2 resources entry \"../b\" closes a kustomization cycle",
		"abs/kustomization.yaml:2 resources entry \"" + filepath.Join(tree, "secret.yaml") + "\" is the file",
		"self/kustomization.yaml:2 resources entry \"../self\" closes a kustomization cycle",
		"up/kustomization.yaml:2 resources entry \"../../../etc/hostname.yaml\": no such file",
	} {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, want)
		}
		if !found {
			t.Errorf("no finding %q in\n%s", want, strings.Join(got, "\n"))
		}
	}
	if len(m.Resources) != 2 { // ok/vs.yaml, and secret.yaml itself as a file of the tree
		t.Errorf("resources = %v, want the two healthy ones", ids(m))
	}
}
