package lint

import (
	"strings"
	"testing"

	"github.com/meshroll/meshroll/manifest"
)

const runInput = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  annotations:
    meshroll.dev/ignore.MR104: "v0 is kept for the rollback drill"
spec:
  host: reviews
  subsets:
  - {name: v0, labels: {version: v0}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ratings
spec:
  host: ratings
`

func TestRunOptions(t *testing.T) {
	lintWith := func(o Options) []string {
		t.Helper()
		rep, err := Run(manifest.Parse("in.yaml", []byte(runInput), manifest.LoadOptions{}), o)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range rep.Diagnostics {
			out = append(out, d.Rule+":"+d.Severity.String()+":"+d.Resource)
		}
		return out
	}
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"defaults: the suppressed MR104 is gone", Options{},
			"MR301:warning:DestinationRule/default/reviews MR301:warning:DestinationRule/default/ratings"},
		{"disabled", Options{Disabled: map[string]bool{"MR301": true}}, ""},
		{"severity override", Options{Severity: map[string]Severity{"MR301": Error}},
			"MR301:error:DestinationRule/default/reviews MR301:error:DestinationRule/default/ratings"},
		{"a subset of rules", Options{Rules: []*Rule{unusedSubset()}}, ""},
	}
	for _, tt := range tests {
		if got := strings.Join(lintWith(tt.o), " "); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRunErrors(t *testing.T) {
	m := manifest.Parse("in.yaml", []byte(runInput), manifest.LoadOptions{})
	panics := &Rule{ID: "XX001", Name: "panics", Severity: Error, Run: func(*Pass) { panic("boom") }}
	for _, tt := range []struct {
		o    Options
		want string
	}{
		{Options{Disabled: map[string]bool{"MR999": true}}, "cannot disable MR999: no such rule"},
		{Options{Severity: map[string]Severity{"MR999": Error}}, "cannot set the severity of MR999"},
		{Options{Severity: map[string]Severity{"MR301": 0}}, "invalid severity for MR301"},
		{Options{Rules: append(All(), weightRange())}, "two rules have the ID MR202"},
		{Options{Rules: []*Rule{panics}}, "rule XX001 panics failed: boom"},
	} {
		if _, err := Run(m, tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Run error = %v, want %q", err, tt.want)
		}
	}
}

// TestRemap checks the seam for findings on generated manifests: a Remapper
// on a resource moves its findings to where the user should fix them.
func TestRemap(t *testing.T) {
	m := manifest.Parse("rendered/bookinfo/reviews.yaml", []byte(runInput), manifest.LoadOptions{})
	var paths []string
	for _, r := range m.Resources {
		r.Remap = func(path string, at manifest.Position) manifest.Position {
			paths = append(paths, path+"@"+at.String())
			return manifest.Position{File: "intents/reviews.cue", Line: 7, Column: 3}
		}
	}
	rep, err := Run(m, Options{Rules: []*Rule{noCircuitBreaker()}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Diagnostics) != 2 || rep.Diagnostics[0].Position.String() != "intents/reviews.cue:7:3" {
		t.Errorf("diagnostics = %v", rep.Diagnostics)
	}
	if strings.Join(paths, " ") != "spec.host@rendered/bookinfo/reviews.yaml:8:9 spec.host@rendered/bookinfo/reviews.yaml:17:9" {
		t.Errorf("Remap got %v", paths)
	}
}

func TestReportCounts(t *testing.T) {
	r := &Report{Diagnostics: []Diagnostic{{Severity: Info}, {Severity: Warning}, {Severity: Warning}}}
	if r.Count(Warning) != 2 || r.Count(Error) != 0 || !r.Fails(Warning) || r.Fails(Error) || !r.Fails(Info) {
		t.Errorf("counts or thresholds wrong")
	}
}

// TestRunIstioVersion checks that Options.IstioVersion chooses the schemas
// MR900 validates against, and that an unknown release is refused.
func TestRunIstioVersion(t *testing.T) {
	const in = `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: foo}
spec:
  jwtRules:
  - issuer: https://example.com
    presence: REQUIRED
`
	m := manifest.Parse("in.yaml", []byte(in), manifest.LoadOptions{})
	for _, tt := range []struct {
		version string
		want    string // the MR900 message, "" for none
	}{
		{"", ""},
		{"1.32", ""},
		{"1.31", "spec.jwtRules[0].presence needs Istio 1.32; this repository targets 1.31"},
		{"1.30", "spec.jwtRules[0].presence needs Istio 1.32; this repository targets 1.30"},
	} {
		rep, err := Run(m, Options{IstioVersion: tt.version, Disabled: map[string]bool{"MR904": true}})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, d := range rep.Diagnostics {
			if d.Rule == "MR900" {
				got = d.Message
			}
		}
		if (tt.want == "") != (got == "") || !strings.HasPrefix(got, tt.want) {
			t.Errorf("IstioVersion %q: MR900 %q, want %q", tt.version, got, tt.want)
		}
	}
	if _, err := Run(m, Options{IstioVersion: "1.12"}); err == nil || !strings.Contains(err.Error(), "1.30, 1.31, 1.32") {
		t.Errorf("an unknown release: %v", err)
	}
}
