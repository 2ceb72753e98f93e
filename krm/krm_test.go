package krm

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
)

const resourceList = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: kept
functionConfig:
  apiVersion: meshroll.dev/v1alpha1
  kind: Generator
  metadata:
    name: rollouts
  spec:
    intents: [SPEC]
`

func run(t *testing.T, spec string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := Run(strings.NewReader(strings.ReplaceAll(resourceList, "SPEC", spec)), &out, Options{Dir: filepath.Join("..", "fixtures")})
	return out.String(), err
}

// TestRun renders the example intents into a ResourceList: the items it was
// given stay, and every object of the rendered tree follows.
func TestRun(t *testing.T) {
	out, err := run(t, "intents")
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := (&kio.ByteReader{Reader: strings.NewReader(out)}).Read()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, n := range nodes {
		kinds[n.GetKind()]++
	}
	if kinds["ConfigMap"] != 1 || kinds["VirtualService"] < 4 || kinds["DestinationRule"] < 4 || kinds["PeerAuthentication"] < 2 || kinds["Kustomization"] != 0 {
		t.Errorf("kinds in the output: %v", kinds)
	}
}

func TestRunRefuses(t *testing.T) {
	for _, tt := range []struct{ spec, want string }{
		{"../outside", "stay inside it"},
		{"/etc", "stay inside it"},
		{"bad/unknown-fields.cue", "unknown field"},
	} {
		if _, err := run(t, tt.spec); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("intents %s: err = %v, want %q", tt.spec, err, tt.want)
		}
	}
	var out bytes.Buffer
	err := Run(strings.NewReader(strings.Replace(resourceList, "kind: Generator", "kind: Other", 1)), &out, Options{Dir: "."})
	if err == nil || !strings.Contains(err.Error(), "want apiVersion meshroll.dev/v1alpha1, kind Generator") {
		t.Errorf("wrong kind: err = %v", err)
	}
}
