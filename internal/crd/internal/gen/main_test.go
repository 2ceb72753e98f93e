package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// schemaDir is where package crd embeds the generated files from.
const schemaDir = "../../schemas"

// TestSchemasAreFresh regenerates the schemas of every embedded release,
// the istio.io/api version in go.mod and olderReleases, and fails when the
// embedded files differ: after bumping istio.io/api, run
// `go generate ./internal/crd`.
func TestSchemasAreFresh(t *testing.T) {
	sets, err := generateAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) != 3 {
		t.Errorf("%d releases are embedded; Istio supports three minors, so embed three", len(sets))
	}
	dirs, err := filepath.Glob(filepath.Join(schemaDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if _, ok := sets[filepath.Base(d)]; !ok {
			t.Errorf("%s is not a generated release any more; run go generate ./internal/crd", d)
		}
	}
	for minor, want := range sets {
		dir := filepath.Join(schemaDir, minor)
		existing, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range existing {
			if _, ok := want[filepath.Base(f)]; !ok {
				t.Errorf("%s/%s is not generated any more; run go generate ./internal/crd", minor, filepath.Base(f))
			}
		}
		for name, content := range want {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Errorf("%s/%s is missing; run go generate ./internal/crd", minor, name)
				continue
			}
			if !bytes.Equal(got, content) {
				t.Errorf("%s/%s is stale; run go generate ./internal/crd", minor, name)
			}
		}
	}
}

func TestMinorOf(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"v1.32.0", "1.32"}, {"v1.30.8", "1.30"}, {"1.31.0-alpha.1", "1.31"},
	} {
		if got, err := minorOf(tt.in); err != nil || got != tt.want {
			t.Errorf("minorOf(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := minorOf("latest"); err == nil {
		t.Error("minorOf accepted latest")
	}
}

func TestGenerate(t *testing.T) {
	src := `# a comment document
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  group: example.istio.io
  names: {kind: Widget}
  versions:
  - name: v1
    served: true
    schema:
      openAPIV3Schema:
        description: Dropped.
        type: object
        properties:
          spec:
            description: Dropped too.
            type: object
            properties:
              description: {type: string, description: A field named description stays.}
  - name: v1beta1
    served: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              description: {type: string}
  - name: v1alpha1
    served: false
    schema:
      openAPIV3Schema: {type: object}
---
apiVersion: v1
kind: ConfigMap
`
	files, err := generate([]byte(src), "example@v0")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("got files %v, want index.json and one schema shared by both served versions", keys(files))
	}
	schema := string(files["example.istio.io_v1_widget.json"])
	if strings.Contains(schema, "Dropped") || !strings.Contains(schema, `"description": {`) {
		t.Errorf("descriptions not stripped right:\n%s", schema)
	}
	index := string(files[indexFile])
	for _, want := range []string{`"name": "v1"`, `"name": "v1beta1"`, `"schema": "example.istio.io_v1_widget.json"`, `"source": "example@v0 ` + crdFile} {
		if !strings.Contains(index, want) {
			t.Errorf("index lacks %s:\n%s", want, index)
		}
	}
	if strings.Contains(index, "v1alpha1") {
		t.Errorf("index lists an unserved version:\n%s", index)
	}
	again, err := generate([]byte(src), "example@v0")
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if !bytes.Equal(again[name], content) {
			t.Errorf("%s differs between two runs", name)
		}
	}
	if _, err := generate([]byte("apiVersion: v1\nkind: ConfigMap\n"), "x"); err == nil {
		t.Error("generate accepted a bundle without CRDs")
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
