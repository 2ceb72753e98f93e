// Package linttest is the `# want` harness shared by the tests of the lint
// rules and of intent linting: fixtures carry `# want "regexp"` (or
// `// want` in CUE) comments on the lines that must get a finding, and one
// comparison checks both ways.
package linttest

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// ModuleRoot returns the directory holding go.mod, so tests find the
// fixtures shared with the CLI tests.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Want is one expectation: a finding on Line whose "ID message" matches Re.
type Want struct {
	Line int
	Re   *regexp.Regexp
	Raw  string
}

var wantComment = regexp.MustCompile(`(?:#|//)\s*want\s+(.*)$`)

// ReadWants reads the want comments of a fixture: each holds one or more
// quoted regular expressions.
func ReadWants(t testing.TB, file string) []Want {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Want
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		m := wantComment.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		rest := strings.TrimSpace(m[1])
		for rest != "" {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				t.Fatalf("%s:%d: bad want comment: %v", file, line, err)
			}
			s, _ := strconv.Unquote(q)
			re, err := regexp.Compile(s)
			if err != nil {
				t.Fatalf("%s:%d: bad want regexp: %v", file, line, err)
			}
			out = append(out, Want{Line: line, Re: re, Raw: s})
			rest = strings.TrimSpace(rest[len(q):])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Finding is a diagnostic as the harness compares it.
type Finding struct {
	Rule, Message, File string
	Line, Column        int
}

// Compare checks the findings in file against its wants, both ways: every
// want must match a finding on its line, and every finding must be wanted.
// Only findings of rule only count, unless only is "".
func Compare(t testing.TB, file, only string, findings []Finding) {
	t.Helper()
	wants := ReadWants(t, file)
	used := make([]bool, len(wants))
	for _, d := range findings {
		if only != "" && d.Rule != only {
			continue
		}
		text := d.Rule + " " + d.Message
		matched := false
		for i, w := range wants {
			if !used[i] && w.Line == d.Line && d.File == file && w.Re.MatchString(text) {
				used[i], matched = true, true
				break
			}
		}
		if !matched {
			t.Errorf("%s:%d:%d: unexpected %s", filepath.Base(d.File), d.Line, d.Column, text)
		}
	}
	for i, w := range wants {
		if !used[i] {
			t.Errorf("%s:%d: no diagnostic matching %q", filepath.Base(file), w.Line, w.Raw)
		}
	}
}

// TreeFiles lists every file below dir, sorted.
func TreeFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// CompareTree is Compare for a fixture that is a directory: the wants of
// every file below dir against the findings, both ways.
func CompareTree(t testing.TB, dir, only string, findings []Finding) {
	t.Helper()
	files := TreeFiles(t, dir)
	byFile := map[string][]Finding{}
	for _, d := range findings {
		if only != "" && d.Rule != only {
			continue
		}
		byFile[d.File] = append(byFile[d.File], d)
	}
	for _, f := range files {
		Compare(t, f, only, byFile[f])
		delete(byFile, f)
	}
	for file, ds := range byFile {
		for _, d := range ds {
			t.Errorf("%s:%d:%d: unexpected %s %s (in a file outside the fixture)", file, d.Line, d.Column, d.Rule, d.Message)
		}
	}
}

// ConformanceDir returns the directory of the Istio conformance set,
// testdata/conformance/istio at the module root: Istio's own test manifests
// (istio/istio, Apache-2.0: the analyzer test data of
// pkg/config/analysis/analyzers/testdata, the CRD validation sets of
// pkg/config/validation/testdata/crds and the validation data sets of
// pkg/test/datasets/validation/dataset), with EXPECTED.md saying what
// meshroll must report; PROVENANCE.md there names the sources and the
// licence. A test that needs it fails, and never skips, when it is missing.
func ConformanceDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(ModuleRoot(t), "testdata", "conformance", "istio")
	if _, err := os.Stat(filepath.Join(dir, "EXPECTED.md")); err != nil {
		t.Fatalf("the Istio conformance set is missing from the repository: %v", err)
	}
	return dir
}
