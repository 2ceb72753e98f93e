package route

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	networkingv1 "istio.io/api/networking/v1"
	"sigs.k8s.io/yaml"
)

// conformanceDir returns the directory of manifests from Istio's own tests,
// testdata/conformance/istio at the module root (see PROVENANCE.md there).
func conformanceDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "conformance", "istio")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

type namedVS struct {
	id string // namespace/name
	vs *networkingv1.VirtualService
}

var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// loadVirtualServices decodes every VirtualService of a multi-document YAML
// file: YAML to JSON, then protojson into the Istio type.
func loadVirtualServices(t *testing.T, path string) []namedVS {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []namedVS
	for _, doc := range docSeparator.Split(string(data), -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		j, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var obj struct {
			Kind     string
			Metadata struct{ Name, Namespace string }
			Spec     json.RawMessage
		}
		if err := json.Unmarshal(j, &obj); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if obj.Kind != "VirtualService" {
			continue
		}
		vs := &networkingv1.VirtualService{}
		if err := protojson.Unmarshal(obj.Spec, vs); err != nil {
			t.Fatalf("%s: %s: %v", path, obj.Metadata.Name, err)
		}
		ns := obj.Metadata.Namespace
		if ns == "" {
			ns = "default"
		}
		out = append(out, namedVS{ns + "/" + obj.Metadata.Name, vs})
	}
	return out
}

// TestConformance checks that Unreachable (MR204) and Ineffective (MR208)
// report exactly the VirtualServices that istioctl analyze reports with
// IST0130 and IST0131, as listed in the conformance set's EXPECTED.md.
func TestConformance(t *testing.T) {
	files := []string{"virtualservice_dupmatches.yaml", "virtualservice_overlappingmatches.yaml"}
	want := map[string][]string{
		"MR204": {
			"default/duplicate-empty-tcp", "default/duplicate-match", "default/duplicate-tcp-match",
			"foo/sample-foo-cluster01", "none/tls-routing",
		},
		"MR208": {
			"default/almost-duplicate-match", "default/almost-duplicate-tcp-match", "default/duplicate-match",
			"default/duplicate-tcp-match", "default/non-method-get", "default/overlapping-in-single-match",
			"default/overlapping-in-two-matches", "default/overlapping-mathes-with-different-methods",
			"none/tls-routing", "none/tls-routing-almostmatch",
		},
	}
	got := map[string][]string{}
	seen := map[string]bool{}
	for _, f := range files {
		for _, n := range loadVirtualServices(t, filepath.Join(conformanceDir(t), "analyzers", f)) {
			seen[n.id] = true
			if len(Unreachable(n.vs)) > 0 {
				got["MR204"] = append(got["MR204"], n.id)
			}
			if len(Ineffective(n.vs)) > 0 {
				got["MR208"] = append(got["MR208"], n.id)
			}
		}
	}
	if !seen["default/uri-with-prefix-exact"] || len(seen) != 13 {
		t.Fatalf("decoded %d VirtualServices, want 13 including uri-with-prefix-exact: %v", len(seen), seen)
	}
	for rule, ids := range want {
		g := got[rule]
		slices.Sort(g)
		if !slices.Equal(g, ids) {
			t.Errorf("%s on\n got %q\nwant %q", rule, g, ids)
		}
	}
}

// TestConformanceFindings pins where each finding points, so that the rules
// put line and column on the right node.
func TestConformanceFindings(t *testing.T) {
	var all []namedVS
	for _, f := range []string{"virtualservice_dupmatches.yaml", "virtualservice_overlappingmatches.yaml"} {
		all = append(all, loadVirtualServices(t, filepath.Join(conformanceDir(t), "analyzers", f))...)
	}
	type pin struct{ path, by string }
	want := map[string][]pin{
		"unreachable foo/sample-foo-cluster01":                          {{"spec.http[1]", "spec.http[0]"}},
		"unreachable default/duplicate-match":                           {{"spec.http[1]", "spec.http[0].match[0]"}},
		"unreachable default/duplicate-tcp-match":                       {{"spec.tcp[1]", "spec.tcp[0].match[0]"}},
		"unreachable default/duplicate-empty-tcp":                       {{"spec.tcp[1]", "spec.tcp[0]"}},
		"unreachable none/tls-routing":                                  {{"spec.tls[1]", "spec.tls[0].match[0]"}},
		"ineffective default/duplicate-match":                           {{"spec.http[1].match[0]", "spec.http[0].match[0]"}},
		"ineffective default/almost-duplicate-match":                    {{"spec.http[1].match[0]", "spec.http[0].match[0]"}},
		"ineffective default/duplicate-tcp-match":                       {{"spec.tcp[1].match[0]", "spec.tcp[0].match[0]"}},
		"ineffective default/almost-duplicate-tcp-match":                {{"spec.tcp[1].match[0]", "spec.tcp[0].match[0]"}},
		"ineffective none/tls-routing":                                  {{"spec.tls[1].match[0]", "spec.tls[0].match[0]"}},
		"ineffective none/tls-routing-almostmatch":                      {{"spec.tls[1].match[0]", "spec.tls[0].match[0]"}},
		"ineffective default/non-method-get":                            {{"spec.http[0].match[1]", "spec.http[0].match[0]"}},
		"ineffective default/overlapping-in-single-match":               {{"spec.http[0].match[1]", "spec.http[0].match[0]"}},
		"ineffective default/overlapping-in-two-matches":                {{"spec.http[1].match[0]", "spec.http[0].match[0]"}},
		"ineffective default/overlapping-mathes-with-different-methods": {{"spec.http[1].match[0]", "spec.http[0].match[0]"}},
	}
	got := map[string][]pin{}
	for _, n := range all {
		for _, f := range Unreachable(n.vs) {
			got["unreachable "+n.id] = append(got["unreachable "+n.id], pin{f.Path, f.ByPath})
		}
		for _, f := range Ineffective(n.vs) {
			got["ineffective "+n.id] = append(got["ineffective "+n.id], pin{f.Path, f.ByPath})
		}
	}
	for k, w := range want {
		if !slices.Equal(got[k], w) {
			t.Errorf("%s: got %v, want %v", k, got[k], w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected %s: %v", k, got[k])
		}
	}
}
