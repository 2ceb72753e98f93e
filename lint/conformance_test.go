package lint

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshroll/meshroll/lint/linttest"
	"github.com/meshroll/meshroll/manifest"
)

// conformanceDir is Istio's own test manifests with their expected
// findings (see linttest.ConformanceDir): the tests fail, never skip, when
// the set is missing, so that a run without it cannot pass unnoticed.
func conformanceDir(t *testing.T) string { return linttest.ConformanceDir(t) }

// lintFile lints one file on its own and returns "RULE Kind/ns/name" for
// each finding, and the findings.
func lintFile(t *testing.T, path string) (map[string]bool, []Diagnostic) {
	t.Helper()
	m, err := manifest.Load([]string{path}, manifest.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, d := range rep.Diagnostics {
		got[d.Rule+" "+d.Resource] = true
	}
	return got, rep.Diagnostics
}

// TestConformanceAnalyzers checks what EXPECTED.md lists for Istio's
// analyzer test data.
func TestConformanceAnalyzers(t *testing.T) {
	dir := conformanceDir(t)
	registered := map[string]bool{}
	for _, r := range All() {
		registered[r.ID] = true
	}
	tests := []struct {
		file, rule, resource string
		want                 bool // must report, or must not
	}{
		{"virtualservice_destinationrules.yaml", "MR101", "VirtualService/default/reviews-bogussubset", true},
		{"virtualservice_destinationrules.yaml", "MR101", "VirtualService/default/reviews-mirror-bogussubset", true},
		{"virtualservice_destinationrules.yaml", "MR101", "VirtualService/default/reviews", false},
		{"virtualservice_destinationrules.yaml", "MR101", "VirtualService/default/reviews-fqdn", false},
		{"virtualservice_destinationrules.yaml", "MR101", "VirtualService/default/reviews-mirror", false},

		// MR204 and MR208 come from package route (IST0130, IST0131).
		{"virtualservice_dupmatches.yaml", "MR204", "VirtualService/default/duplicate-match", true},
		{"virtualservice_dupmatches.yaml", "MR204", "VirtualService/foo/sample-foo-cluster01", true},
		{"virtualservice_dupmatches.yaml", "MR204", "VirtualService/default/duplicate-tcp-match", true},
		{"virtualservice_dupmatches.yaml", "MR204", "VirtualService/default/duplicate-empty-tcp", true},
		{"virtualservice_dupmatches.yaml", "MR204", "VirtualService/none/tls-routing", true},
		{"virtualservice_dupmatches.yaml", "MR208", "VirtualService/default/almost-duplicate-match", true},
		{"virtualservice_dupmatches.yaml", "MR208", "VirtualService/default/duplicate-match", true},
		{"virtualservice_dupmatches.yaml", "MR208", "VirtualService/default/almost-duplicate-tcp-match", true},
		{"virtualservice_dupmatches.yaml", "MR208", "VirtualService/default/duplicate-tcp-match", true},
		{"virtualservice_dupmatches.yaml", "MR208", "VirtualService/none/tls-routing-almostmatch", true},
		{"virtualservice_dupmatches.yaml", "MR208", "VirtualService/none/tls-routing", true},
		{"virtualservice_overlappingmatches.yaml", "MR208", "VirtualService/default/non-method-get", true},
		{"virtualservice_overlappingmatches.yaml", "MR208", "VirtualService/default/overlapping-in-single-match", true},
		{"virtualservice_overlappingmatches.yaml", "MR208", "VirtualService/default/overlapping-in-two-matches", true},
		{"virtualservice_overlappingmatches.yaml", "MR208", "VirtualService/default/overlapping-mathes-with-different-methods", true},
		{"virtualservice_overlappingmatches.yaml", "MR208", "VirtualService/default/uri-with-prefix-exact", false},
	}
	for _, tt := range tests {
		verb := "reports"
		if !tt.want {
			verb = "does not report"
		}
		t.Run(fmt.Sprintf("%s %s %s %s", tt.file, verb, tt.rule, tt.resource), func(t *testing.T) {
			if !registered[tt.rule] {
				t.Fatalf("%s is not a rule of All()", tt.rule)
			}
			got, _ := lintFile(t, filepath.Join(dir, "analyzers", tt.file))
			if got[tt.rule+" "+tt.resource] != tt.want {
				t.Errorf("%s on %s: got %v, want %v", tt.rule, tt.resource, !tt.want, tt.want)
			}
		})
	}
}

// TestConformanceValid checks that no document Istio accepts gets a
// validity finding.
func TestConformanceValid(t *testing.T) {
	dir := conformanceDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "valid", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no files in valid/")
	}
	for _, f := range files {
		_, diags := lintFile(t, f)
		for _, d := range diags {
			if slices.Contains([]string{"MR900", "MR202", "MR205", "MR103"}, d.Rule) || (d.Rule == "MR304" && d.Severity == Error) {
				t.Errorf("valid/%s: %v", filepath.Base(f), d)
			}
		}
	}
}

// TestConformanceInvalid checks that every document Istio rejects gets an
// error from a validity rule, on its own resource and within the document,
// at the offending line where EXPECTED.md names the rule or the field.
func TestConformanceInvalid(t *testing.T) {
	dir := conformanceDir(t)
	validity := []string{"MR900", "MR201", "MR202", "MR205", "MR304"}
	// want is the finding EXPECTED.md asks for: "RULE line", by file#document.
	want := map[string]string{
		"networking-v1alpha3-VirtualService-invalid.yaml#0":        "MR202 15",
		"networking-v1beta-VirtualService-invalid.yaml#0":          "MR202 15",
		"networking-v1alpha3-VirtualService-regexp-invalid.yaml#0": "MR205 13",
		"peerauth-invalid.yaml#0":                                  "MR900 8",
		"peerauth-invalid.yaml#1":                                  "MR900 20",
		"destinationrule-invalid.yaml#0":                           "MR900 12",
		"destinationrule-invalid.yaml#2":                           "MR900 37",
		"peerauth-invalid.yaml#2":                                  "MR900 29",
		"peerauth-invalid.yaml#3":                                  "MR900 42",
		"peerauth-invalid.yaml#4":                                  "MR900 54",
		"peerauth-invalid.yaml#5":                                  "MR900 67",
	}
	files, _ := filepath.Glob(filepath.Join(dir, "invalid", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no files in invalid/")
	}
	for _, f := range files {
		m, err := manifest.Load([]string{f}, manifest.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, diags := lintFile(t, f)
		for i, r := range m.Resources {
			key := fmt.Sprintf("%s#%d", filepath.Base(f), r.Doc)
			first, last := r.Node().Line, 1<<30
			if i+1 < len(m.Resources) {
				last = m.Resources[i+1].Node().Line - 1
			}
			t.Run(key, func(t *testing.T) {
				var errs []string
				for _, d := range diags {
					if d.Resource == r.ID() && d.Line >= first && d.Line <= last && d.Severity == Error && slices.Contains(validity, d.Rule) {
						errs = append(errs, fmt.Sprintf("%s %d", d.Rule, d.Line))
					}
				}
				if len(errs) == 0 {
					t.Fatalf("%s: no error from %s", r.ID(), strings.Join(validity, ", "))
				}
				if w, ok := want[key]; ok && !slices.Contains(errs, w) {
					t.Errorf("%s: errors %v, want %q among them", r.ID(), errs, w)
				}
			})
		}
	}
}
