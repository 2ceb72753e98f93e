package policies

import (
	"bytes"
	"os"
	"reflect"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/meshroll/meshroll/internal/bound"
)

// unplannedPolicy refers to a manifest's own field from a comprehension:
// no plan, so each manifest is unified with the package whole, in a child.
const unplannedPolicy = `package pm

policies: ACME001: {
	name:     "named-hosts"
	severity: "warning"
	message:  "every host of {path} needs a dot"
	kinds: ["VirtualService"]
	constraint: {
		spec: hosts?: [...string]
		spec: hosts?: [for h in spec.hosts {=~"\\."}]
		...
	}
}
`

// TestEvaluateAllInChild holds the bounded evaluation of an unplanned
// policy, in a child process, to the in-process evaluation.
func TestEvaluateAllInChild(t *testing.T) {
	e, err := Compile(Package{Dir: "pm", Files: []File{{Name: "pm/p.cue", Data: []byte(unplannedPolicy)}}})
	if err != nil {
		t.Fatal(err)
	}
	user := e.Filter(func(p Policy) bool { return !p.Builtin })
	if !user.Bounded() {
		t.Fatal("a policy with a comprehension over the manifest got a plan")
	}
	var docs []Doc
	for _, f := range []string{"../fixtures/policies/manifests/routes.yaml", "../fixtures/policies/manifests/destinationrules.yaml"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var n yaml.Node
			if dec.Decode(&n) != nil {
				break
			}
			body := documentBody(&n)
			kind := ""
			if _, k, ok := lookup(body, "kind"); ok {
				kind = k.Value
			}
			docs = append(docs, Doc{Node: &n, File: f, Kind: kind})
		}
	}
	docs = append(docs, Doc{Node: mustYAML(t, "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x}\nspec:\n  hosts: [web, web.shop.svc]\n"), File: "x.yaml", Kind: "VirtualService"})
	got, err := user.EvaluateAll(docs, bound.Limits{Memory: 512 << 20, Time: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for i, d := range docs {
		want := user.Evaluate(d.Node, d.File, d.Kind)
		if len(want) == 0 && len(got[i]) == 0 {
			continue
		}
		found += len(want)
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("%s doc %d: in a child %+v, in-process %+v", d.File, i, got[i], want)
		}
	}
	if found == 0 {
		t.Error("no violations at all: the test checks nothing")
	}
}

func mustYAML(t *testing.T, s string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil {
		t.Fatal(err)
	}
	return &n
}
