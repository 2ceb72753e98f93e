package action

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// requireEnv names the variable that turns a missing shellcheck into a
// failure, so that CI cannot pass by skipping the test.
const requireEnv = "MESHROLL_REQUIRE_SHELLCHECK"

// expression matches a GitHub Actions expression, which the runner replaces
// before the shell sees the script.
var expression = regexp.MustCompile(`\$\{\{[^}]*\}\}`)

type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			Name  string `yaml:"name"`
			Run   string `yaml:"run"`
			Shell string `yaml:"shell"`
			Uses  string `yaml:"uses"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// TestShellSteps runs shellcheck on every run step of action.yml as the
// runner's bash runs it (bash -e -o pipefail), with expressions replaced by
// a word, as actionlint does for workflows.
func TestShellSteps(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		msg := "shellcheck is not installed, so the action's shell steps are not checked (apt-get install shellcheck; .ci/run does)"
		if os.Getenv(requireEnv) == "1" {
			t.Fatalf("%s, and %s=1 requires it", msg, requireEnv)
		}
		t.Skip(msg)
	}
	a := readAction(t)
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using is %q, want composite", a.Runs.Using)
	}
	dir := t.TempDir()
	n := 0
	for i, s := range a.Runs.Steps {
		if s.Run == "" {
			continue
		}
		if s.Shell != "bash" {
			t.Errorf("step %q: shell %q, want bash (a composite action's run step names its shell)", s.Name, s.Shell)
		}
		script := "#!/usr/bin/env bash\nset -eo pipefail\n" + expression.ReplaceAllString(s.Run, "EXPR")
		f := filepath.Join(dir, fmt.Sprintf("step%d.sh", i))
		if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(sc, "--severity=style", "--shell=bash", f).CombinedOutput()
		if err != nil {
			t.Errorf("step %q: shellcheck: %v\n%s", s.Name, err, out)
		}
		n++
	}
	if n < 5 {
		t.Errorf("only %d run steps in action.yml", n)
	}
}

// TestInputs checks the inputs the README and the example workflow use.
func TestInputs(t *testing.T) {
	a := readAction(t)
	for _, in := range []string{"version", "args", "comment", "upload-sarif", "token"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("action.yml has no input %q", in)
		}
	}
}

// pinned is a use of an action pinned by a commit, with a release comment.
var pinned = regexp.MustCompile(`^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+\s*$`)

// TestPinned checks that every action used is pinned by a full commit hash
// with its release in a comment, so that a moved tag cannot change what
// runs; local actions (./) and meshroll's own action in the example, pinned
// by its release tag, are the exceptions.
func TestPinned(t *testing.T) {
	files := []string{"../../action.yml", "../../examples/github/meshroll.yml"}
	wf, _ := filepath.Glob("../../.github/workflows/*.yml")
	files = append(files, wf...)
	uses := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			trimmed := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
			if !strings.HasPrefix(trimmed, "uses:") {
				continue
			}
			uses++
			target := strings.TrimSpace(strings.TrimPrefix(trimmed, "uses:"))
			switch {
			case target == "./":
			case strings.HasPrefix(target, "meshroll/meshroll@v"):
			case !pinned.MatchString(line):
				t.Errorf("%s:%d: %q is not pinned by commit with a # vX.Y.Z comment", f, i+1, target)
			}
		}
	}
	if uses < 10 {
		t.Errorf("only %d uses of actions found", uses)
	}
}

func readAction(t *testing.T) actionFile {
	t.Helper()
	b, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}
