package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshroll/meshroll/lint/linttest"
	"github.com/meshroll/meshroll/manifest"
)

func moduleRoot(t testing.TB) string { return linttest.ModuleRoot(t) }

// TestFixtures lints every fixture under fixtures/lint on its own and
// compares the findings with its `# want` comments, both ways: every want
// must match a finding on its line, and every finding must be wanted. In a
// directory named after a rule only that rule's findings count; in
// fixtures/lint/all every finding does.
func TestFixtures(t *testing.T) {
	root := filepath.Join(moduleRoot(t), "fixtures", "lint")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		only := d.Name()
		if only == "all" {
			only = ""
		}
		files, _ := filepath.Glob(filepath.Join(root, d.Name(), "*.yaml"))
		for _, file := range files {
			t.Run(d.Name()+"/"+filepath.Base(file), func(t *testing.T) {
				checkFixture(t, file, only)
			})
		}
		// A directory of an input rule's fixtures is linted as a whole:
		// kustomizations, charts.
		if r := Lookup(All(), d.Name()); r == nil || !r.Input {
			continue
		}
		subdirs, _ := os.ReadDir(filepath.Join(root, d.Name()))
		for _, sd := range subdirs {
			if !sd.IsDir() {
				continue
			}
			dir := filepath.Join(root, d.Name(), sd.Name())
			t.Run(d.Name()+"/"+sd.Name()+"/", func(t *testing.T) {
				m, err := manifest.Load([]string{dir}, manifest.LoadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				rep, err := Run(m, Options{})
				if err != nil {
					t.Fatal(err)
				}
				linttest.CompareTree(t, dir, only, Findings(rep.Diagnostics))
			})
		}
	}
}

func checkFixture(t *testing.T, file, only string) {
	m, err := manifest.Load([]string{file}, manifest.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	linttest.Compare(t, file, only, Findings(rep.Diagnostics))
}

// Findings converts diagnostics for the want harness.
func Findings(ds []Diagnostic) []linttest.Finding {
	out := make([]linttest.Finding, len(ds))
	for i, d := range ds {
		out[i] = linttest.Finding{Rule: d.Rule, Message: d.Message, File: d.File, Line: d.Line, Column: d.Column}
	}
	return out
}

// fixtureWants counts, for each fixture file of a rule's directory, the
// wants that name the rule.
func fixtureWants(t *testing.T, id string) map[string]int {
	dir := filepath.Join(moduleRoot(t), "fixtures", "lint", id)
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	cue, _ := filepath.Glob(filepath.Join(dir, "*.cue"))
	files = append(files, cue...)
	out := map[string]int{}
	count := func(f string) int {
		n := 0
		for _, w := range linttest.ReadWants(t, f) {
			if strings.HasPrefix(w.Raw, id) {
				n++
			}
		}
		return n
	}
	for _, f := range files {
		out[filepath.Base(f)] = count(f)
	}
	subdirs, _ := os.ReadDir(dir)
	if r := Lookup(All(), id); r == nil || !r.Input {
		subdirs = nil
	}
	for _, sd := range subdirs {
		if !sd.IsDir() {
			continue
		}
		n := 0
		for _, f := range linttest.TreeFiles(t, filepath.Join(dir, sd.Name())) {
			n += count(f)
		}
		out[sd.Name()+"/"] = n
	}
	return out
}

func ExampleDiagnostic_String() {
	d := Diagnostic{Rule: "MR101", Severity: Error, Position: manifest.Position{File: "a.yaml", Line: 3, Column: 7}, Message: "route to subset \"v3\" ..."}
	fmt.Println(d)
	// Output: a.yaml:3:7: error MR101 route to subset "v3" ...
}
