package crd

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/meshroll/meshroll/lint/linttest"
)

// conformanceDir finds Istio's conformance set; the tests fail, never
// skip, without it (see linttest.ConformanceDir).
func conformanceDir(t *testing.T) string { return linttest.ConformanceDir(t) }

// documents parses every YAML document of a file.
func documents(t *testing.T, file string) []*yaml.Node {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var docs []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		docs = append(docs, &n)
	}
}

// TestConformanceValid checks that nothing Istio accepts is reported.
func TestConformanceValid(t *testing.T) {
	conf := conformanceDir(t)
	for _, sub := range []string{"valid", "analyzers"} {
		files, err := filepath.Glob(filepath.Join(conf, sub, "*.yaml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no files in %s/%s: %v", conf, sub, err)
		}
		for _, f := range files {
			for i, doc := range documents(t, f) {
				errs, ok := Validate(doc)
				if !ok && !emptyDocument(doc) {
					t.Errorf("%s/%s#%d: not recognised as an Istio object", sub, filepath.Base(f), i)
				}
				for _, e := range errs {
					t.Errorf("%s/%s#%d: %d:%d %s: %s", sub, filepath.Base(f), i, e.Line, e.Column, e.Path, e.Message)
				}
			}
		}
	}
}

// TestConformanceInvalid checks that every document Istio rejects gets an
// error at the offending field's line, of the class of the check that
// rejects it (Other but for the faults that lint explains in rules of their
// own).
func TestConformanceInvalid(t *testing.T) {
	conf := conformanceDir(t)
	type expectation struct {
		path  string
		line  int
		class Class
	}
	expected := map[string][]expectation{
		"destinationrule-invalid.yaml": {
			{path: "spec.trafficPolicy.loadBalancer.warmup.minimumPercent", line: 12},
			{path: "spec.trafficPolicy.loadBalancer.warmup.duration", line: 23},
			{path: "spec.trafficPolicy.loadBalancer.warmup.aggression", line: 37},
		},
		"networking-v1alpha3-DestinationRule-invalid.yaml":       {{path: "spec.host", line: 5}},
		"networking-v1beta-DestinationRule-invalid.yaml":         {{path: "spec.host", line: 5}},
		"networking-v1alpha3-VirtualService-invalid.yaml":        {{path: "spec.http[0].route[1].weight", line: 15, class: NegativeWeight}},
		"networking-v1beta-VirtualService-invalid.yaml":          {{path: "spec.http[0].route[1].weight", line: 15, class: NegativeWeight}},
		"networking-v1alpha3-VirtualService-regexp-invalid.yaml": {{path: "spec.http[0].match[0].uri.regex", line: 13, class: BadRegex}},
		"peerauth-invalid.yaml": {
			{path: "spec.mtls.mode", line: 8},
			{path: `spec.portLevelMtls["acd"]`, line: 20},
			{path: "spec.portLevelMtls", line: 29},
			{path: "spec.portLevelMtls", line: 42},
			{path: `spec.portLevelMtls["0"]`, line: 54},
			{path: `spec.portLevelMtls["42949672"]`, line: 67},
		},
		"security-v1beta1-PeerAuthentication-invalid.yaml": {{path: "spec.portLevelMtls", line: 6}},
	}
	files, err := filepath.Glob(filepath.Join(conf, "invalid", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files in %s/invalid: %v", conf, err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		exp, known := expected[name]
		if !known {
			t.Errorf("invalid/%s has no expectation in this test; add one", name)
			continue
		}
		docs := documents(t, f)
		if len(docs) != len(exp) {
			t.Errorf("invalid/%s has %d documents, the test expects %d", name, len(docs), len(exp))
			continue
		}
		for i, doc := range docs {
			errs, ok := Validate(doc)
			if !ok {
				t.Errorf("invalid/%s#%d: not recognised as an Istio object", name, i)
				continue
			}
			e := exp[i]
			found := false
			var got []string
			for _, g := range errs {
				found = found || (g.Path == e.path && g.Line == e.line && g.Class == e.class)
				got = append(got, g.Path+" at line "+strconv.Itoa(g.Line)+" ("+g.Class.String()+")")
			}
			if !found {
				t.Errorf("invalid/%s#%d: want an error of class %s on %s at line %d; got [%s]", name, i, e.class, e.path, e.line, strings.Join(got, "; "))
			}
		}
	}
}

// emptyDocument reports whether a parsed document holds nothing, as between
// two "---" lines.
func emptyDocument(doc *yaml.Node) bool {
	return doc.Kind == 0 || len(doc.Content) == 0 || isNull(doc.Content[0])
}
