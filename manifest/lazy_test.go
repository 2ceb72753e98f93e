package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestObjectsOutsideIstioKeepPositions checks that objects whose tree is
// not kept (a ConfigMap; an Istio object, validated as it was read) are
// read again with the positions of the file, and that List items keep
// theirs.
func TestObjectsOutsideIstioKeepPositions(t *testing.T) {
	data := []byte(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web}
spec:
  hosts: [web]
---
# a comment
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: web}
`)
	m := Parse("f.yaml", data, LoadOptions{})
	if len(m.Resources) != 3 {
		t.Fatalf("%d resources, want 3", len(m.Resources))
	}
	vs, cm, svc := m.Resources[0], m.Resources[1], m.Resources[2]
	if svc.node == nil {
		t.Error("a List item lost its tree")
	}
	if vs.node != nil || vs.validation == nil || vs.Spec == nil {
		t.Error("the VirtualService kept its tree, or was not validated and decoded as it was read")
	}
	if got := vs.Position("spec.hosts[0]"); got.Line != 5 || got.Column != 11 {
		t.Errorf("spec.hosts[0] at %d:%d, want 5:11", got.Line, got.Column)
	}
	if cm.node != nil || cm.lazy == nil {
		t.Fatal("the ConfigMap kept its tree")
	}
	if n := cm.Node(); n == nil || n.Line != 8 {
		t.Fatalf("the ConfigMap read again starts on line %v, want 8", n)
	}
	if got := cm.Position("data.mode"); got.Line != 13 || got.Column != 9 {
		t.Errorf("data.mode at %d:%d, want 13:9", got.Line, got.Column)
	}
	if cm.Name != "settings" || cm.Kind != "ConfigMap" {
		t.Errorf("got %s", cm.ID())
	}
	if got := svc.Position("metadata.name"); got.Line != 20 {
		t.Errorf("List item's metadata.name on line %d, want 20", got.Line)
	}
}

// TestPositionsReadTheFileAgain checks that the text of an Istio object,
// which is not kept, is read again from its file for a position, after a
// byte order mark too, and that a file changed since it was read gives the
// document's line rather than a position in text that is no longer there.
func TestPositionsReadTheFileAgain(t *testing.T) {
	dir := t.TempDir()
	doc := "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r}\n      weight: 100\n"
	for name, content := range map[string]string{"plain.yaml": "note: not an object\n---\n" + doc, "bom.yaml": "\uFEFFnote: not an object\n---\n" + doc} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Load([]string{path}, LoadOptions{})
		if err != nil || len(m.Resources) != 1 {
			t.Fatalf("%s: %v, %d resources", name, err, len(m.Resources))
		}
		r := m.Resources[0]
		if r.lazy == nil || r.lazy.text != nil {
			t.Fatalf("%s: the text of an Istio object read from a file is kept", name)
		}
		if pos := r.Position("spec.http[0].route[0].weight"); pos.Line != 11 || pos.Column != 15 {
			t.Errorf("%s: position %v, want line 11, column 15", name, pos)
		}
		if err := os.WriteFile(path, []byte("# changed\n"+content), 0o644); err != nil {
			t.Fatal(err)
		}
		if pos := r.Position("spec.http[0].route[0].weight"); pos.Line != 2 || pos.Column != 1 {
			t.Errorf("%s changed: position %v, want the document's line 2", name, pos)
		}
	}
}
