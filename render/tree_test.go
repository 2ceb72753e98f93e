package render

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	yamlv3 "go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	apinet "istio.io/api/networking/v1"
	apisec "istio.io/api/security/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/meshroll/meshroll/internal/crd"
	"github.com/meshroll/meshroll/internal/gen"
	"github.com/meshroll/meshroll/schema"
)

func loadExamples(t testing.TB) *schema.Intent {
	t.Helper()
	in, err := schema.Load([]string{"../fixtures/intents"})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestTreeIsDeterministic renders the examples with one processor and with
// many, several times, and expects the same bytes.
func TestTreeIsDeterministic(t *testing.T) {
	in := loadExamples(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first []File
	for i, procs := range []int{1, 8, 3, 1, 8} {
		runtime.GOMAXPROCS(procs)
		files, err := Tree(in, AllPhases)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = files
			continue
		}
		if len(files) != len(first) {
			t.Fatalf("GOMAXPROCS=%d: %d files, first run %d", procs, len(files), len(first))
		}
		for j := range files {
			if files[j].Path != first[j].Path || !bytes.Equal(files[j].Content, first[j].Content) {
				t.Fatalf("GOMAXPROCS=%d: %s differs from the first run", procs, files[j].Path)
			}
		}
	}
}

// TestTreeBuildsWithKustomize builds the live tree and every phase tree with
// kustomize in-process and checks that each object comes out once.
func TestTreeBuildsWithKustomize(t *testing.T) {
	in := loadExamples(t)
	for _, mode := range []Mode{Live, AllPhases} {
		files, err := Tree(in, mode)
		if err != nil {
			t.Fatal(err)
		}
		fs := filesys.MakeFsInMemory()
		for _, f := range files {
			if err := fs.WriteFile("/out/"+f.Path, f.Content); err != nil {
				t.Fatal(err)
			}
		}
		roots := []string{"/out"}
		if mode == AllPhases {
			roots = nil
			for _, p := range []string{"start", "canary", "expand", "half", "promote", "probe", "rollback"} {
				roots = append(roots, "/out/"+p)
			}
		}
		for _, root := range roots {
			k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
			res, err := k.Run(fs, root)
			if err != nil {
				t.Fatalf("kustomize build %s: %v", root, err)
			}
			ids := map[string]bool{}
			for _, r := range res.Resources() {
				id := r.GetKind() + "/" + r.GetNamespace() + "/" + r.GetName()
				if ids[id] {
					t.Errorf("%s: %s twice", root, id)
				}
				ids[id] = true
			}
			want := []string{"PeerAuthentication/istio-system/default"}
			for _, r := range in.Rollouts {
				phase := strings.TrimPrefix(root, "/out/")
				if _, ok := r.PhaseNamed(phase); mode == Live || ok || phase == schema.PhaseRollback {
					want = append(want, "VirtualService/"+r.ID(), "PeerAuthentication/"+r.Namespace+"/default")
				}
			}
			for _, w := range want {
				if !ids[w] {
					t.Errorf("%s: kustomize build lacks %s (has %v)", root, w, ids)
				}
			}
		}
	}
}

// TestTreeParsesStrictly reads every rendered document back into the Istio
// types with unknown fields rejected, and checks the weights of every
// weighted route.
func TestTreeParsesStrictly(t *testing.T) {
	in := loadExamples(t)
	files, err := Tree(in, AllPhases)
	if err != nil {
		t.Fatal(err)
	}
	strict := protojson.UnmarshalOptions{DiscardUnknown: false}
	docs := 0
	for _, f := range files {
		if strings.HasSuffix(f.Path, KustomizationFile) {
			continue
		}
		for _, doc := range strings.Split(string(f.Content), "\n---\n") {
			var obj struct {
				APIVersion string         `json:"apiVersion"`
				Kind       string         `json:"kind"`
				Metadata   map[string]any `json:"metadata"`
				Spec       map[string]any `json:"spec"`
			}
			if err := yaml.UnmarshalStrict([]byte(doc), &obj); err != nil {
				t.Fatalf("%s: %v", f.Path, err)
			}
			spec, err := yaml.Marshal(obj.Spec)
			if err != nil {
				t.Fatal(err)
			}
			js, err := yaml.YAMLToJSON(spec)
			if err != nil {
				t.Fatal(err)
			}
			var m proto.Message
			switch obj.Kind {
			case "VirtualService":
				m = &apinet.VirtualService{}
			case "DestinationRule":
				m = &apinet.DestinationRule{}
			case "PeerAuthentication":
				m = &apisec.PeerAuthentication{}
			default:
				t.Fatalf("%s: unexpected kind %q", f.Path, obj.Kind)
			}
			if err := strict.Unmarshal(js, m); err != nil {
				t.Fatalf("%s: %s does not parse strictly: %v", f.Path, obj.Kind, err)
			}
			if vs, ok := m.(*apinet.VirtualService); ok {
				for _, hr := range vs.Http {
					sum := int32(0)
					for _, d := range hr.Route {
						if d.Weight < 0 || d.Weight > 100 {
							t.Errorf("%s: route %s weight %d", f.Path, hr.Name, d.Weight)
						}
						sum += d.Weight
					}
					if sum != 100 {
						t.Errorf("%s: route %s weights sum to %d", f.Path, hr.Name, sum)
					}
				}
			}
			docs++
		}
	}
	if docs < 50 {
		t.Fatalf("parsed only %d documents", docs)
	}
}

// TestTreePassesIstioSchemas validates every rendered object against Istio's
// CRD schemas, their CEL rules and the validation webhook's checks, for the
// examples, every golden case and a generated set.
func TestTreePassesIstioSchemas(t *testing.T) {
	intents := []*schema.Intent{loadExamples(t)}
	cases, _ := filepath.Glob("../fixtures/golden/*.txtar")
	for _, c := range cases {
		ar, err := txtar.ParseFile(c)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		n := 0
		for _, f := range ar.Files {
			if rel, ok := strings.CutPrefix(f.Name, "intent/"); ok {
				if err := os.WriteFile(filepath.Join(dir, rel), f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
				n++
			}
		}
		if n == 0 {
			continue
		}
		in, err := schema.Load([]string{dir})
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		intents = append(intents, in)
	}
	gdir := t.TempDir()
	if err := gen.Intents(gdir, 60); err != nil {
		t.Fatal(err)
	}
	in, err := schema.Load([]string{gdir})
	if err != nil {
		t.Fatal(err)
	}
	intents = append(intents, in)
	docs := 0
	for _, in := range intents {
		files, err := Tree(in, AllPhases)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f.Path, KustomizationFile) {
				continue
			}
			dec := yamlv3.NewDecoder(bytes.NewReader(f.Content))
			for {
				var doc yamlv3.Node
				if err := dec.Decode(&doc); err != nil {
					if err == io.EOF {
						break
					}
					t.Fatalf("%s: %v", f.Path, err)
				}
				errs, ok := crd.Validate(&doc)
				if !ok {
					t.Fatalf("%s: not an Istio object", f.Path)
				}
				for _, e := range errs {
					t.Errorf("%s:%d:%d: Istio would reject this: %s", f.Path, e.Line, e.Column, e.Message)
				}
				docs++
			}
		}
	}
	if docs < 500 {
		t.Fatalf("validated only %d documents", docs)
	}
}
