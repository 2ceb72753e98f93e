package route

import (
	"encoding/json"
	"strings"
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

// parseObjects decodes a multi-document YAML stream of VirtualServices and
// Gateways written as in a repository (kind, metadata, spec).
func parseObjects(t testing.TB, stream string) ([]VirtualServiceObject, []GatewayObject) {
	t.Helper()
	var vss []VirtualServiceObject
	var gws []GatewayObject
	for _, doc := range docSeparator.Split(stream, -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		j, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			t.Fatalf("not YAML: %v\n%s", err, doc)
		}
		var obj struct {
			Kind     string
			Metadata struct{ Name, Namespace string }
			Spec     json.RawMessage
		}
		if err := json.Unmarshal(j, &obj); err != nil {
			t.Fatal(err)
		}
		switch obj.Kind {
		case "VirtualService":
			vs := &networkingv1.VirtualService{}
			if err := protojson.Unmarshal(obj.Spec, vs); err != nil {
				t.Fatalf("%s: %v", obj.Metadata.Name, err)
			}
			vss = append(vss, VirtualServiceObject{Name: obj.Metadata.Name, Namespace: obj.Metadata.Namespace, Spec: vs})
		case "Gateway":
			gw := &networkingv1.Gateway{}
			if err := protojson.Unmarshal(obj.Spec, gw); err != nil {
				t.Fatalf("%s: %v", obj.Metadata.Name, err)
			}
			gws = append(gws, GatewayObject{Name: obj.Metadata.Name, Namespace: obj.Metadata.Namespace, Spec: gw})
		default:
			t.Fatalf("unexpected kind %q", obj.Kind)
		}
	}
	return vss, gws
}
