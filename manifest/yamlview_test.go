package manifest

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestResolvedTrees checks that aliases and merge keys are resolved once,
// as YAML defines them, so that every reader sees plain data: the typed
// spec, Istio's validation, the tree Inspect gets and positions.
func TestResolvedTrees(t *testing.T) {
	src := `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  labels: &labels {app: reviews}
  annotations:
    <<: [{team: a, tier: web}, {team: b, owner: c}]
    tier: api
spec:
  host: reviews
  trafficPolicy: &policy
    connectionPool:
      tcp: {maxConnections: 100}
  subsets:
  - name: v1
    labels: *labels
    trafficPolicy:
      <<: *policy
      tls: {mode: ISTIO_MUTUAL}
`
	var inspected *yaml.Node
	m := Parse("dr.yaml", []byte(src), LoadOptions{Inspect: func(_ *Resource, n *yaml.Node) { inspected = n }})
	if len(m.Problems) != 0 || len(m.Resources) != 1 {
		t.Fatalf("problems %v, %d resources", m.Problems, len(m.Resources))
	}
	r := m.Resources[0]
	// The mapping's own key wins over merged ones, earlier merged maps over
	// later ones.
	if got := r.Annotations.Map(); got["team"] != "a" || got["tier"] != "api" || got["owner"] != "c" || len(got) != 3 {
		t.Errorf("annotations = %v", got)
	}
	dr := r.DestinationRule()
	sub := dr.GetSubsets()[0]
	if sub.GetLabels()["app"] != "reviews" {
		t.Errorf("subset labels through an alias = %v", sub.GetLabels())
	}
	if sub.GetTrafficPolicy().GetConnectionPool().GetTcp().GetMaxConnections() != 100 || sub.GetTrafficPolicy().GetTls() == nil {
		t.Errorf("subset policy through a merge key = %v", sub.GetTrafficPolicy())
	}
	if errs, _, _ := r.Validation(""); len(errs) != 0 {
		t.Errorf("Istio's validation of the resolved object: %v", errs)
	}
	var refs func(n *yaml.Node) bool
	refs = func(n *yaml.Node) bool {
		if n.Kind == yaml.AliasNode || (n.Kind == yaml.MappingNode && len(n.Content) > 0 && isMerge(n.Content[0])) {
			return true
		}
		for _, c := range n.Content {
			if refs(c) {
				return true
			}
		}
		return false
	}
	for name, n := range map[string]*yaml.Node{"Inspect": inspected, "Node": r.Node()} {
		if n == nil || refs(n) {
			t.Errorf("%s's tree is not resolved", name)
		}
	}
	// A merged value is placed where it is written: in the anchor.
	if pos := r.Position("spec.subsets[0].trafficPolicy.connectionPool.tcp.maxConnections"); pos.Line != 13 {
		t.Errorf("position through a merge key = %v, want line 13", pos)
	}
}

func TestMergeKeyTakesMaps(t *testing.T) {
	m := Parse("bad.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  <<: [a, b]\n"), LoadOptions{})
	if len(m.Problems) != 1 || m.Problems[0].Kind != Invalid || m.Problems[0].Line != 6 || m.Problems[0].Column != 3 || !strings.Contains(m.Problems[0].Message, "merge key") {
		t.Fatalf("problems = %v", m.Problems)
	}
}

// TestValidationOfMergedFields checks that Istio's validation, which reads
// resolved trees only, sees the fields a merge key brings and places an
// error in one where it is written.
func TestValidationOfMergedFields(t *testing.T) {
	src := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: &d {host: reviews, subset: v1}
      weight: 50
    - destination:
        <<: *d
        subset: v2
        wieght: 3
      weight: 50
`
	m := Parse("vs.yaml", []byte(src), LoadOptions{})
	if len(m.Resources) != 1 {
		t.Fatalf("problems %v", m.Problems)
	}
	errs, ok, err := m.Resources[0].Validation("")
	if err != nil || !ok || len(errs) != 1 || errs[0].Path != "spec.http[0].route[1].destination.wieght" || errs[0].Line != 13 {
		t.Errorf("validation = %v, %v, %v; want one unknown field at line 13", errs, ok, err)
	}
	if got := m.Resources[0].VirtualService().GetHttp()[0].GetRoute()[1].GetDestination(); got.GetHost() != "reviews" || got.GetSubset() != "v2" {
		t.Errorf("merged destination = %v", got)
	}
}
