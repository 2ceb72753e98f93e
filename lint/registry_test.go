package lint

import (
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/meshroll/meshroll/manifest"
)

// TestRegistry checks what every rule promises: a unique, well-formed ID
// and name, its documentation, and fixtures that fire and stay silent.
func TestRegistry(t *testing.T) {
	idRE := regexp.MustCompile(`^MR[1-9][0-9]{2}$`)
	nameRE := regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	ids, names := map[string]bool{}, map[string]bool{}
	rules := All()
	for i, r := range rules {
		if i > 0 && rules[i-1].ID >= r.ID {
			t.Errorf("All() is not sorted by ID: %s before %s", rules[i-1].ID, r.ID)
		}
		if !idRE.MatchString(r.ID) || ids[r.ID] {
			t.Errorf("%s: ID malformed or not unique", r.ID)
		}
		if !nameRE.MatchString(r.Name) || names[r.Name] {
			t.Errorf("%s: name %q malformed or not unique", r.ID, r.Name)
		}
		ids[r.ID], names[r.Name] = true, true
		if !r.Severity.Valid() {
			t.Errorf("%s: no severity", r.ID)
		}
		if r.Summary == "" || strings.Contains(r.Summary, "\n") || strings.HasSuffix(r.Summary, ".") {
			t.Errorf("%s: summary must be one line without a final period: %q", r.ID, r.Summary)
		}
		if len(r.Doc) < 100 || r.Since == "" || r.Anchor == "" || (r.Run == nil) != r.Input {
			t.Errorf("%s: Doc, Since, Anchor and Run (for a rule that is not Input) are required", r.ID)
		}
		if !r.External && !strings.HasPrefix(r.SeverityWhy, upperFirst(r.Severity.String())) {
			t.Errorf("%s: SeverityWhy must say why the rule is an %s, starting with %q: %q", r.ID, r.Severity, upperFirst(r.Severity.String()), r.SeverityWhy)
		}
		wants := fixtureWants(t, r.ID)
		fires, silent := 0, 0
		for _, n := range wants {
			if n > 0 {
				fires++
			} else {
				silent++
			}
		}
		if fires == 0 || silent == 0 {
			t.Errorf("%s: fixtures/lint/%s needs a fixture with a want for it and one without (have %v)", r.ID, r.ID, wants)
		}
	}
}

// TestExamples checks that each rule's documented Bad example gets the rule
// and its Good example does not, so the documentation cannot drift from the
// code.
func TestExamples(t *testing.T) {
	for _, r := range All() {
		t.Run(r.ID, func(t *testing.T) {
			if r.Intent {
				t.Skip("an intent rule: package lint/intent checks its CUE examples")
			}
			count := func(example string) int {
				m := manifest.Parse("example.yaml", []byte(example), manifest.LoadOptions{})
				if r.Input {
					// The example is a directory: load it as a whole.
					dir := t.TempDir()
					if err := txtar.Write(txtar.Parse([]byte(example)), dir); err != nil {
						t.Fatal(err)
					}
					var err error
					if m, err = manifest.Load([]string{dir}, manifest.LoadOptions{}); err != nil {
						t.Fatal(err)
					}
				}
				rep, err := Run(m, Options{})
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, d := range rep.Diagnostics {
					if d.Rule == r.ID {
						n++
					} else if d.Rule == "MR900" {
						t.Errorf("example does not load: %v", d)
					}
				}
				return n
			}
			if r.Bad == "" || r.Good == "" {
				t.Fatal("Bad and Good examples are required")
			}
			if count(r.Bad) == 0 {
				t.Errorf("Bad example does not get %s", r.ID)
			}
			if n := count(r.Good); n != 0 {
				t.Errorf("Good example gets %s %d times", r.ID, n)
			}
		})
	}
}
