package lint

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// moduleRoot returns the directory holding go.mod, so tests find the
// fixtures shared with the CLI tests.
func moduleRoot(t testing.TB) string {
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

// want is one expectation: a diagnostic on line whose "ID message" matches re.
type want struct {
	line int
	re   *regexp.Regexp
	raw  string
}

var wantComment = regexp.MustCompile(`#\s*want\s+(.*)$`)

// readWants reads the `# want "regexp" ...` comments of a fixture.
func readWants(t *testing.T, file string) []want {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []want
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
			out = append(out, want{line: line, re: re, raw: s})
			rest = strings.TrimSpace(rest[len(q):])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

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
	}
}

func checkFixture(t *testing.T, file, only string) {
	m, err := Load([]string{file}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wants := readWants(t, file)
	used := make([]bool, len(wants))
	for _, d := range rep.Diagnostics {
		if only != "" && d.Rule != only {
			continue
		}
		text := d.Rule + " " + d.Message
		matched := false
		for i, w := range wants {
			if !used[i] && w.line == d.Line && d.File == file && w.re.MatchString(text) {
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
			t.Errorf("%s:%d: no diagnostic matching %q", filepath.Base(file), w.line, w.raw)
		}
	}
}

// fixtureWants counts, for each fixture file of a rule's directory, the
// wants that name the rule.
func fixtureWants(t *testing.T, id string) map[string]int {
	dir := filepath.Join(moduleRoot(t), "fixtures", "lint", id)
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	out := map[string]int{}
	for _, f := range files {
		n := 0
		for _, w := range readWants(t, f) {
			if strings.HasPrefix(w.raw, id) {
				n++
			}
		}
		out[filepath.Base(f)] = n
	}
	return out
}

func ExampleDiagnostic_String() {
	d := Diagnostic{Rule: "MR101", Severity: Error, Position: Position{File: "a.yaml", Line: 3, Column: 7}, Message: "route to subset \"v3\" ..."}
	fmt.Println(d)
	// Output: a.yaml:3:7: error MR101 route to subset "v3" ...
}
