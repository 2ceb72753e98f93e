package examples

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// repoServer stands in for Argo CD's argocd-repo-server Deployment.
const repoServer = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: argocd-repo-server
spec:
  template:
    spec:
      containers:
      - name: argocd-repo-server
        image: quay.io/argoproj/argocd:v3.1.0
      volumes:
      - name: var-files
        emptyDir: {}
      - name: plugins
        emptyDir: {}
`

// TestArgoCDComponent builds examples/argocd as a component of an Argo CD
// installation, as its comment tells users to, and checks the result: the
// plugin's ConfigMap holds plugin.yaml, a ConfigManagementPlugin that renders
// with meshroll render --stdout, and the repo server runs the sidecar with it.
func TestArgoCDComponent(t *testing.T) {
	// The example as users copy it, next to an Argo CD installation.
	fs := filesys.MakeFsInMemory()
	write := func(p string, b []byte) {
		if err := fs.WriteFile(p, b); err != nil {
			t.Fatal(err)
		}
	}
	example, err := filepath.Glob("../../examples/argocd/*.yaml")
	if err != nil || len(example) == 0 {
		t.Fatalf("no files in examples/argocd: %v", err)
	}
	for _, f := range example {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		write("/repo/argocd/"+filepath.Base(f), b)
	}
	write("/repo/install/repo-server.yaml", []byte(repoServer))
	write("/repo/install/kustomization.yaml", []byte("resources: [repo-server.yaml]\ncomponents: [../argocd]\n"))
	opts := krusty.MakeDefaultOptions()
	m, err := krusty.MakeKustomizer(opts).Run(fs, "/repo/install")
	if err != nil {
		t.Fatal(err)
	}
	var cm, deploy map[string]any
	for _, r := range m.Resources() {
		obj, err := r.Map()
		if err != nil {
			t.Fatal(err)
		}
		switch r.GetKind() {
		case "ConfigMap":
			cm = obj
		case "Deployment":
			deploy = obj
		}
	}
	if cm == nil || deploy == nil {
		t.Fatalf("the build has no ConfigMap or no Deployment")
	}
	data, _ := cm["data"].(map[string]any)
	var plugin struct {
		APIVersion string `json:"apiVersion"`
		Kind       string
		Metadata   struct{ Name string }
		Spec       struct {
			Version  string
			Generate struct{ Command, Args []string }
			Discover struct{ Find struct{ Glob string } }
		}
	}
	if err := yaml.UnmarshalStrict([]byte(data["plugin.yaml"].(string)), &plugin); err != nil {
		t.Fatalf("plugin.yaml: %v", err)
	}
	if plugin.APIVersion != "argoproj.io/v1alpha1" || plugin.Kind != "ConfigManagementPlugin" || plugin.Metadata.Name != "meshroll" {
		t.Errorf("plugin.yaml is %s %s %s", plugin.APIVersion, plugin.Kind, plugin.Metadata.Name)
	}
	gen := strings.Join(append(plugin.Spec.Generate.Command, plugin.Spec.Generate.Args...), " ")
	if !strings.Contains(gen, "meshroll render --stdout") || plugin.Spec.Discover.Find.Glob == "" {
		t.Errorf("plugin.yaml generates with %q, discovers %q", gen, plugin.Spec.Discover.Find.Glob)
	}
	out, _ := yaml.Marshal(deploy)
	for _, want := range []string{"name: meshroll\n", "image: ghcr.io/meshroll/meshroll:v0.1.0", "/var/run/argocd/argocd-cmp-server", "subPath: plugin.yaml", "name: meshroll-cmp", "name: argocd-repo-server\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the repo server lacks %q:\n%s", want, out)
		}
	}
}

// TestArgoCDGenerate runs the plugin's generate command as Argo CD's
// cmp-server runs it, with sh in the application's directory and meshroll
// on the PATH: it prints the manifests of the intents/ there, or of the
// directory MESHROLL_INTENTS names (Argo CD passes it as
// ARGOCD_ENV_MESHROLL_INTENTS), and nothing else on standard output.
func TestArgoCDGenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: builds meshroll")
	}
	b, err := os.ReadFile("../../examples/argocd/plugin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var plugin struct {
		Spec struct {
			Generate struct{ Command, Args []string }
		}
	}
	if err := yaml.Unmarshal(b, &plugin); err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "meshroll"), "../../cmd/meshroll")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	app := t.TempDir()
	copyDir(t, "../../fixtures/intents", filepath.Join(app, "intents"))
	copyDir(t, "../../fixtures/intents/shop", filepath.Join(app, "shop-only"))
	for _, tt := range []struct {
		env       string
		want, not string
	}{
		{"", "# Source: bookinfo/reviews.yaml", ""},
		{"ARGOCD_ENV_MESHROLL_INTENTS=shop-only", "# Source: shop/app.yaml", "bookinfo"},
	} {
		gen := plugin.Spec.Generate
		cmd := exec.Command(gen.Command[0], append(gen.Command[1:], gen.Args...)...)
		cmd.Dir = app
		cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		if tt.env != "" {
			cmd.Env = append(cmd.Env, tt.env)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tt.env, err, stderr.Bytes())
		}
		if !strings.Contains(string(out), tt.want) || (tt.not != "" && strings.Contains(string(out), tt.not)) {
			t.Errorf("%s: output lacks %q or has %q:\n%s", tt.env, tt.want, tt.not, out)
		}
		if _, err := os.Stat(filepath.Join(app, "rendered")); err == nil {
			t.Errorf("the plugin wrote a rendered tree")
		}
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
