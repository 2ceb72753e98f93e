package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/manifest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sample is the one report every format is tested on. Its messages and
// paths hold the characters each format must escape.
func sample() *lint.Report {
	var rules []*lint.Rule
	for _, id := range []string{"MR101", "MR202", "MR301", "MR900"} {
		rules = append(rules, lint.Lookup(lint.All(), id))
	}
	return &lint.Report{
		Rules:     rules,
		Files:     3,
		Resources: 7,
		Diagnostics: []lint.Diagnostic{
			{Rule: "MR101", Name: "subset-not-found", Severity: lint.Error, Resource: "VirtualService/bookinfo/reviews",
				Position: manifest.Position{File: "deploy/bookinfo/reviews.yaml", Line: 14, Column: 17},
				Message:  `route to subset "v3" of host reviews, which DestinationRule bookinfo/reviews does not define: define it there, or use one of v1, v2`},
			{Rule: "MR101", Name: "subset-not-found", Severity: lint.Error, Resource: "VirtualService/bookinfo/ratings",
				Position: manifest.Position{File: "intents/ratings.cue", Line: 9, Column: 11},
				Origin:   manifest.Position{File: "rendered/bookinfo/ratings.yaml", Line: 21, Column: 17},
				Message:  `route to subset "v9" of host ratings (owner @alice, see #12), which DestinationRule bookinfo/ratings does not define`},
			{Rule: "MR202", Name: "weight-range", Severity: lint.Error, Resource: "VirtualService/shop/cart|x",
				Position: manifest.Position{File: "deploy/shop/cart, v2.yaml", Line: 3, Column: 15},
				Message:  "weight 150 is outside 0..100 (100% is the most): use a percentage\nfrom 0 to 100 | <b>*not*</b> [x]"},
			{Rule: "MR301", Name: "no-circuit-breaker", Severity: lint.Warning, Resource: "DestinationRule/default/ratings",
				Position: manifest.Position{File: "deploy/default/ratings.yaml", Line: 6, Column: 9},
				Message:  "no outlierDetection or connectionPool limits for host ratings"},
			{Rule: "MR900", Name: "invalid-manifest", Severity: lint.Info,
				Position: manifest.Position{File: manifest.StdinName, Line: 1, Column: 1},
				Message:  "YAML does not parse: did not find expected key"},
		},
	}
}

func render(t *testing.T, format string, o Options) []byte {
	t.Helper()
	r, err := New(format, o)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.Report(&b, sample()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGolden compares each format's output for the sample with its golden
// file; go test -update rewrites them.
func TestGolden(t *testing.T) {
	for _, tt := range []struct {
		format, file string
		o            Options
	}{
		{"text", "sample.txt", Options{}},
		{"text", "sample.color.txt", Options{Color: true}},
		{"json", "sample.json", Options{}},
		{"sarif", "sample.sarif", Options{Version: "v0.1.0"}},
		{"github", "sample.github", Options{}},
		{"markdown", "sample.md", Options{}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			got := render(t, tt.format, tt.o)
			golden := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s output differs from %s (go test -update rewrites it):\n%s", tt.format, golden, got)
			}
		})
	}
}

// TestSARIFSchema validates the SARIF output against the SARIF 2.1.0 JSON
// schema (testdata/sarif-schema-2.1.0.json, OASIS errata01), formats
// included.
func TestSARIFSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*lint.Report{"sample": sample(), "empty": {Rules: lint.All()}} {
		var b bytes.Buffer
		if err := (sarifReporter{version: "v0.1.0"}).Report(&b, r); err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(&b)
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: SARIF output is not valid SARIF 2.1.0: %v", name, err)
		}
	}
}

// TestSARIFLocations checks what code scanning relies on: every artifact
// location is relative to the repository root (%SRCROOT%), never an
// absolute file: URI, a finding moved to the intent keeps the rendered line
// as a related location, and the tool's semanticVersion is the version.
func TestSARIFLocations(t *testing.T) {
	var b bytes.Buffer
	if err := (sarifReporter{version: "v0.1.0"}).Report(&b, sample()); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Version, SemanticVersion string
				}
			}
			Results []struct {
				Locations, RelatedLocations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						}
						Region struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if d := run.Tool.Driver; d.Version != "v0.1.0" || d.SemanticVersion != "0.1.0" {
		t.Errorf("driver version %q, semanticVersion %q; want v0.1.0, 0.1.0", d.Version, d.SemanticVersion)
	}
	related := 0
	for _, res := range run.Results {
		for _, l := range append(res.Locations, res.RelatedLocations...) {
			al := l.PhysicalLocation.ArtifactLocation
			if strings.Contains(al.URI, ":") || strings.HasPrefix(al.URI, "/") {
				t.Errorf("artifact location %q is not a relative path", al.URI)
			}
			if al.URI != "stdin" && al.URIBaseID != "%SRCROOT%" {
				t.Errorf("artifact location %q has uriBaseId %q, want %%SRCROOT%%", al.URI, al.URIBaseID)
			}
		}
		for _, l := range res.RelatedLocations {
			related++
			if got := l.PhysicalLocation.ArtifactLocation.URI; got != "rendered/bookinfo/ratings.yaml" || l.PhysicalLocation.Region.StartLine != 21 {
				t.Errorf("related location %s:%d, want rendered/bookinfo/ratings.yaml:21", got, l.PhysicalLocation.Region.StartLine)
			}
		}
	}
	if related != 1 {
		t.Errorf("%d related locations, want 1", related)
	}
}

func TestNew(t *testing.T) {
	if got := strings.Join(Formats(), ","); got != "github,json,markdown,sarif,text" {
		t.Errorf("Formats() = %s", got)
	}
	if _, err := New("xml", Options{}); err == nil || !strings.Contains(err.Error(), "want one of github, json, markdown, sarif, text") {
		t.Errorf("New(xml) error = %v", err)
	}
}

func TestEscapes(t *testing.T) {
	for _, tt := range []struct {
		f        func(string) string
		in, want string
	}{
		{escapeData, "50% done\r\nnext", "50%25 done%0D%0Anext"},
		{escapeProperty, "a:b,c%\n", "a%3Ab%2Cc%25%0A"},
		{cell, "a|b\n*c*", `a\|b \*c\*`},
		{cell, "cc @alice, see #12", "cc @&#8203;alice, see #&#8203;12"},
		{func(s string) string { return fileURI("", s) }, "deploy/a b.yaml", "deploy/a%20b.yaml"},
		{func(s string) string { return fileURI("", s) }, "./x.yaml", "x.yaml"},
		{func(s string) string { return fileURI("/abs", s) }, "/abs/x.yaml", "x.yaml"},
		{func(s string) string { return fileURI("/abs/repo", s) }, "/abs/x.yaml", "../x.yaml"},
		{func(s string) string { return fileURI("/abs", s) }, manifest.StdinName, "stdin"},
	} {
		if got := tt.f(tt.in); got != tt.want {
			t.Errorf("escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMarkdownEmptyAndLong(t *testing.T) {
	var b bytes.Buffer
	_ = markdown{}.Report(&b, &lint.Report{Files: 2, Resources: 5})
	if !strings.Contains(b.String(), "No findings in 5 resources (2 files).") {
		t.Errorf("empty report: %s", b.String())
	}
	r := sample()
	for len(r.Diagnostics) < maxRows+5 {
		r.Diagnostics = append(r.Diagnostics, r.Diagnostics[0])
	}
	b.Reset()
	_ = markdown{}.Report(&b, r)
	if !strings.Contains(b.String(), "and 5 more") || strings.Count(b.String(), "\n| error") > maxRows {
		t.Errorf("long report not cut at %d rows", maxRows)
	}
}
