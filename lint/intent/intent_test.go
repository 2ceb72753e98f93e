package intent

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/lint/linttest"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/schema"
)

// checkTime is when the rules that judge a change (MR602) run in the
// tests: the fixtures' since values are on 2026-11-20.
var checkTime = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// lintFile lints the intent file, as a change of the intent in base when
// base is not "".
func lintFile(t *testing.T, file, base string, rules []*lint.Rule) *lint.Report {
	t.Helper()
	in, err := schema.Load([]string{file})
	// Intent that does not load is reported as MR905.
	var se schema.Errors
	if errors.As(err, &se) {
		return Errors(se)
	}
	if err != nil {
		t.Fatal(err)
	}
	var before *schema.Intent
	if base != "" {
		if before, err = schema.Load([]string{base}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := LintChange(in, before, checkTime, nil, render.AllPhases, lint.Options{Rules: rules}, "")
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// baseOf returns the base revision's intent of a fixture: base/NAME beside
// it, or "" when there is none.
func baseOf(file string) string {
	b := filepath.Join(filepath.Dir(file), "base", filepath.Base(file))
	if _, err := os.Stat(b); err != nil {
		return ""
	}
	return b
}

// TestFixtures checks the intent fixtures against their want comments:
// those of the intent-level rules in fixtures/lint/<ID>/*.cue with that rule
// alone, and fixtures/lint/intent/*.cue, where findings on the rendered
// manifests must land on the intent's lines, with every rule. A fixture
// with a base/ twin is linted as a change of it (check --base).
func TestFixtures(t *testing.T) {
	root := filepath.Join(linttest.ModuleRoot(t), "fixtures", "lint")
	n := 0
	for _, r := range lint.All() {
		if !r.Intent {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(root, r.ID, "*.cue"))
		if len(files) < 2 {
			t.Errorf("%s: fixtures/lint/%s needs a fixture that fires and one that does not", r.ID, r.ID)
		}
		for _, f := range files {
			t.Run(r.ID+"/"+filepath.Base(f), func(t *testing.T) {
				rep := lintFile(t, f, baseOf(f), []*lint.Rule{r})
				linttest.Compare(t, f, r.ID, findings(rep))
			})
			n++
		}
	}
	files, _ := filepath.Glob(filepath.Join(root, "intent", "*.cue"))
	for _, f := range files {
		t.Run("intent/"+filepath.Base(f), func(t *testing.T) {
			rep := lintFile(t, f, baseOf(f), nil)
			linttest.Compare(t, f, "", findings(rep))
		})
		n++
	}
	if n < 7 {
		t.Fatalf("only %d intent fixtures", n)
	}
}

func findings(rep *lint.Report) []linttest.Finding {
	out := make([]linttest.Finding, len(rep.Diagnostics))
	for i, d := range rep.Diagnostics {
		out[i] = linttest.Finding{Rule: d.Rule, Message: d.Message, File: d.File, Line: d.Line, Column: d.Column}
	}
	return out
}

// TestExamples holds the intent rules' documented examples to the code: Bad
// gets the rule, Good does not.
func TestExamples(t *testing.T) {
	for _, r := range lint.All() {
		if !r.Intent {
			continue
		}
		t.Run(r.ID, func(t *testing.T) {
			base := ""
			if r.Base != "" {
				base = filepath.Join(t.TempDir(), "base.cue")
				if err := os.WriteFile(base, []byte(r.Base), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			count := func(example string) int {
				f := filepath.Join(t.TempDir(), "example.cue")
				if err := os.WriteFile(f, []byte(example), 0o644); err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, d := range lintFile(t, f, base, []*lint.Rule{r}).Diagnostics {
					if d.Rule == r.ID {
						n++
					}
				}
				return n
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

// TestExamplesLintClean lints the example intents: what remains is the
// deliberate fault injection of details, at its intent line.
func TestExamplesLintClean(t *testing.T) {
	in, err := schema.Load([]string{filepath.Join(linttest.ModuleRoot(t), "fixtures", "intents")})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Lint(in, nil, render.AllPhases, lint.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rep.Diagnostics {
		if d.Rule == "MR303" && filepath.Base(d.File) == "details.cue" {
			continue
		}
		t.Errorf("unexpected finding on the examples: %s", d)
	}
}
