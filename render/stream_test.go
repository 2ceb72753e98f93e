package render

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"testing"

	sigsyaml "sigs.k8s.io/yaml"

	"go.yaml.in/yaml/v3"

	"github.com/meshroll/meshroll/schema"
)

// TestStream checks that the stream of the example intents holds exactly the
// objects of the tree's manifest files, each a complete Kubernetes object,
// in a stream a YAML decoder reads document by document.
func TestStream(t *testing.T) {
	in, err := schema.Load([]string{filepath.Join("..", "fixtures", "intents")})
	if err != nil {
		t.Fatal(err)
	}
	files, err := Tree(in, Live)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, f := range files {
		if filepath.Base(f.Path) != KustomizationFile {
			want += bytes.Count(f.Content, []byte("\nkind: "))
		}
	}
	s := Stream(files)
	if !bytes.HasPrefix(s, []byte(Header)) {
		t.Errorf("the stream does not start with the header")
	}
	dec := yaml.NewDecoder(bytes.NewReader(s))
	got := 0
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("document %d: %v", got, err)
		}
		if doc == nil {
			t.Fatalf("document %d is empty", got)
		}
		// As kubectl reads it: apiVersion, kind and metadata.name.
		b, _ := sigsyaml.Marshal(doc)
		var obj struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name, Namespace string
			} `json:"metadata"`
		}
		if err := sigsyaml.Unmarshal(b, &obj); err != nil || obj.APIVersion == "" || obj.Kind == "" || obj.Metadata.Name == "" || obj.Metadata.Namespace == "" {
			t.Errorf("document %d is not a namespaced object: %+v (%v)", got, obj, err)
		}
		if obj.Kind == "Kustomization" {
			t.Errorf("document %d is a kustomization", got)
		}
		got++
	}
	if got != want || want == 0 {
		t.Errorf("the stream has %d objects, the tree %d", got, want)
	}
	if !bytes.Equal(Stream(files), s) {
		t.Errorf("two streams of one tree differ")
	}
}
