package route

import (
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	networkingv1 "istio.io/api/networking/v1"
	"sigs.k8s.io/yaml"
)

// parseSpec decodes the spec of a VirtualService written in YAML, the way the
// manifests in a repository are written, with unknown fields rejected.
func parseSpec(t testing.TB, spec string) *networkingv1.VirtualService {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(spec))
	if err != nil {
		t.Fatalf("spec is not YAML: %v\n%s", err, spec)
	}
	vs := &networkingv1.VirtualService{}
	if err := protojson.Unmarshal(j, vs); err != nil {
		t.Fatalf("spec is not a VirtualService: %v\n%s", err, spec)
	}
	return vs
}
