package precommit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshroll/meshroll/internal/version"
)

// requireEnv names the variable that turns a missing tool into a failure,
// so that CI cannot pass by skipping the test.
const requireEnv = "MESHROLL_REQUIRE_PRECOMMIT"

// TestHooks runs the hooks of .pre-commit-hooks.yaml with the real pre-commit
// on git commit in a scratch repository set up by meshroll init: a fresh
// rendered tree commits; a hand-edited rendered file, or an intent changed
// without rendering, fails the commit with the stale file named; rendering
// again lets it through; meshroll-lint fails a commit of a manifest with an
// error finding. pre-commit builds meshroll once; every commit after the
// first takes about a second.
func TestHooks(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: pre-commit builds meshroll, which takes a minute or more")
	}
	for _, tool := range []string{"git", "go", "pre-commit"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := fmt.Sprintf("%s is not installed, so meshroll's pre-commit hooks are not tested (install it: apt-get install pre-commit git; .ci/run does)", tool)
			if os.Getenv(requireEnv) == "1" {
				t.Fatalf("%s, and %s=1 requires them", msg, requireEnv)
			}
			t.Skip(msg)
		}
	}
	ctx := t.Context()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-10*time.Second))
		defer cancel()
	}
	tmp := t.TempDir()
	s := &session{t: t, ctx: ctx, env: hermeticEnv(t, ctx, tmp)}

	root := strings.TrimSpace(s.run("", "git", "rev-parse", "--show-toplevel"))
	hooks, rev := s.snapshot(root, filepath.Join(tmp, "hooks"))
	meshroll := filepath.Join(tmp, "bin", "meshroll")
	s.run(root, "go", "build", "-o", meshroll, "./cmd/meshroll")

	// The user's repository, as meshroll init scaffolds it, with the hooks
	// taken from the snapshot instead of GitHub, and meshroll-lint turned on
	// for hand-written manifests.
	work := filepath.Join(tmp, "work")
	s.run(tmp, "git", "init", "-q", work)
	s.run(work, meshroll, "init")
	cfg := s.read(work, ".pre-commit-config.yaml")
	for old, new := range map[string]string{
		"repo: https://github.com/meshroll/meshroll": "repo: " + hooks,
		"\n    rev: " + version.Release + "\n":       "\n    rev: " + rev + "\n",
		"# - id: meshroll-lint":                      "- id: meshroll-lint",
		"#   args: [manifests]":                      "  args: [manifests]",
	} {
		if !strings.Contains(cfg, old) {
			t.Fatalf(".pre-commit-config.yaml written by meshroll init has no %q:\n%s", old, cfg)
		}
		cfg = strings.Replace(cfg, old, new, 1)
	}
	s.write(work, ".pre-commit-config.yaml", cfg)
	s.write(work, "manifests/strict.yaml", strictMTLS)
	s.run(work, meshroll, "render")
	s.run(work, "pre-commit", "install")

	start := time.Now()
	out := s.commit(work, true, "meshroll init")
	t.Logf("first commit, pre-commit building meshroll: %s", time.Since(start).Round(time.Second))
	for _, hook := range []string{"meshroll check", "meshroll lint"} {
		if !passed(out, hook) {
			t.Errorf("the first commit did not run %s to a pass:\n%s", hook, out)
		}
	}

	// A hand-edited rendered file is stale.
	reviews := s.read(work, "rendered/bookinfo/reviews.yaml")
	s.write(work, "rendered/bookinfo/reviews.yaml", strings.Replace(reviews, "weight: 90", "weight: 80", 1))
	out = s.commit(work, false, "send less to stable by hand")
	t.Logf("a commit with a hand-edited rendered file:\n%s", out)
	mustContain(t, out, "- hook id: meshroll-check", "- exit code: 1", "rendered/bookinfo/reviews.yaml", "run: meshroll render")
	s.run(work, meshroll, "render")
	s.commit(work, false, "nothing") // the render undid the edit: nothing to commit, so no hook runs
	if got := s.read(work, "rendered/bookinfo/reviews.yaml"); got != reviews {
		t.Fatalf("render did not restore the hand-edited file")
	}

	// An intent changed without rendering leaves the tree stale; rendering
	// makes the commit pass.
	intent := s.read(work, "intents/reviews.cue")
	s.write(work, "intents/reviews.cue", strings.Replace(intent, `phase: "canary"`, `phase: "expand"`, 1))
	out = s.commit(work, false, "expand")
	mustContain(t, out, "- hook id: meshroll-check", "- exit code: 1", "rendered/bookinfo/reviews.yaml", "run: meshroll render")
	s.run(work, meshroll, "render")
	out = s.commit(work, true, "expand")
	if !passed(out, "meshroll check") {
		t.Errorf("the commit after rendering did not pass meshroll check:\n%s", out)
	}
	if got := s.read(work, "rendered/bookinfo/reviews.yaml"); !strings.Contains(got, "weight: 75") {
		t.Errorf("the committed tree is not the expand phase's:\n%s", got)
	}

	// meshroll-lint fails a commit of a hand-written manifest with an
	// error: a weight Istio rejects.
	s.write(work, "manifests/negative.yaml", negativeWeight)
	out = s.commit(work, false, "a negative weight")
	t.Logf("a commit with a negative weight:\n%s", out)
	mustContain(t, out, "- hook id: meshroll-lint", "- exit code: 1", "manifests/negative.yaml", "MR202")
}

// session runs commands for one test in a fixed environment.
type session struct {
	t   *testing.T
	ctx context.Context
	env []string
}

// hermeticEnv is the test's environment without git's and pre-commit's
// variables (a test run from a git hook inherits GIT_DIR), with a git
// configuration of its own, pre-commit's cache in tmp, and Go's caches where
// the test's go has them, so that pre-commit's go install, which sets a
// GOPATH of its own, neither downloads the modules again nor fetches a
// toolchain.
func hermeticEnv(t *testing.T, ctx context.Context, tmp string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, "PRE_COMMIT") {
			env = append(env, kv)
		}
	}
	gitconfig := filepath.Join(tmp, "gitconfig")
	if err := os.WriteFile(gitconfig, []byte(gitConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	goenv, err := exec.CommandContext(ctx, "go", "env", "GOMODCACHE", "GOCACHE").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	caches := strings.Fields(string(goenv))
	if len(caches) != 2 {
		t.Fatalf("go env GOMODCACHE GOCACHE printed %q", goenv)
	}
	return append(env,
		"GIT_CONFIG_GLOBAL="+gitconfig,
		"GIT_CONFIG_NOSYSTEM=1",
		"PRE_COMMIT_HOME="+filepath.Join(tmp, "pre-commit"),
		"GOMODCACHE="+caches[0],
		"GOCACHE="+caches[1],
		"GOTOOLCHAIN=local",
		"NO_COLOR=1",
	)
}

const gitConfig = `[user]
	name = meshroll test
	email = test@meshroll.invalid
[init]
	defaultBranch = main
[commit]
	gpgsign = false
[advice]
	detachedHead = false
`

// run runs a command in dir and returns its standard output; it fails the
// test when the command fails.
func (s *session) run(dir, name string, args ...string) string {
	s.t.Helper()
	out, err := s.exec(dir, name, args...)
	if err != nil {
		s.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func (s *session) exec(dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(s.ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = s.env
	var b bytes.Buffer
	cmd.Stdout = &b
	cmd.Stderr = &b
	err := cmd.Run()
	return b.String(), err
}

// commit stages everything in dir and commits, which runs the hooks, and
// returns what git and the hooks printed. It fails the test unless the
// commit succeeded as wantPass says; with nothing to commit it commits
// nothing and returns "".
func (s *session) commit(dir string, wantPass bool, msg string) string {
	s.t.Helper()
	s.run(dir, "git", "add", "-A")
	if _, err := s.exec(dir, "git", "diff", "--cached", "--quiet"); err == nil {
		return ""
	}
	out, err := s.exec(dir, "git", "commit", "-q", "-m", msg)
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		s.t.Fatalf("git commit: %v\n%s", err, out)
	}
	if passed := err == nil; passed != wantPass {
		s.t.Fatalf("git commit -m %q: passed %v, want %v\n%s", msg, passed, wantPass, out)
	}
	return out
}

// snapshot commits the working tree of the checkout at root — tracked files
// as they are now, and untracked ones that are not ignored — into a new
// repository at dst, and returns dst and the commit. pre-commit fetches a
// rev, so this is how uncommitted work gets tested; the checkout itself is
// left alone.
func (s *session) snapshot(root, dst string) (dir, rev string) {
	s.t.Helper()
	list := s.run(root, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	for _, rel := range strings.Split(strings.TrimSuffix(list, "\x00"), "\x00") {
		if err := copyFile(filepath.Join(root, rel), filepath.Join(dst, rel)); err != nil {
			s.t.Fatalf("snapshot: %v", err)
		}
	}
	s.run(dst, "git", "init", "-q")
	s.run(dst, "git", "add", "-A")
	s.run(dst, "git", "commit", "-q", "--no-verify", "-m", "snapshot of the checkout under test")
	return dst, strings.TrimSpace(s.run(dst, "git", "rev-parse", "HEAD"))
}

// copyFile copies a regular file with its mode, or a symbolic link as a
// link; a tracked file deleted from the working tree is skipped.
func copyFile(src, dst string) error {
	fi, err := os.Lstat(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	case fi.Mode().IsRegular():
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, fi.Mode().Perm())
	}
	return nil // a submodule's directory or another kind of file: not part of the build
}

func (s *session) read(dir, rel string) string {
	s.t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		s.t.Fatal(err)
	}
	return string(data)
}

func (s *session) write(dir, rel, content string) {
	s.t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// passed reports whether pre-commit's output shows hook (its name) as
// passed: "meshroll check.......Passed".
func passed(out, hook string) bool {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, hook+".") && strings.HasSuffix(strings.TrimSpace(line), "Passed") {
			return true
		}
	}
	return false
}

func mustContain(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("the output has no %q:\n%s", w, out)
		}
	}
}

const strictMTLS = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: legacy
spec:
  mtls:
    mode: STRICT
`

const negativeWeight = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: payments
  namespace: payments
spec:
  hosts: [payments]
  http:
  - name: default
    route:
    - destination: {host: payments}
      weight: -20
`
