package hostile

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/meshroll/meshroll/internal/gen"
)

// The file scenarios of issue 8: what meshroll does to a user's files when
// runs overlap, are killed or interrupted, and when the repository holds
// links and journals meant to mislead it. Each asserts on the disk, from
// outside the process.

// tree reads every regular file and symbolic link below dir, hidden ones
// included: path → content (or "-> target").
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[filepath.ToSlash(rel)] = string(b)
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[filepath.ToSlash(rel)] = "-> " + target
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// beside lists what stands in the parent of dir besides dir and keep.
func beside(t *testing.T, dir string, keep ...string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Name() != filepath.Base(dir) && !contains(keep, e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// intents generates n rollouts under dir, every one in phase (or the
// generator's mix when phase is "").
func intents(t *testing.T, dir string, n int, phase string) {
	t.Helper()
	o := gen.Options{}
	if phase != "" {
		o.Phase = func(int) string { return phase }
	}
	if err := gen.Write(dir, n, o); err != nil {
		t.Fatal(err)
	}
}

// rendered renders the intents at in into a fresh directory and returns
// the tree: what a render of them must leave.
func rendered(t *testing.T, work, in string, args ...string) map[string]string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	if r := run(t, work, append([]string{"render", in, "--out", out, "-q"}, args...)...); r.Code != 0 {
		t.Fatalf("render %s: %d\n%s", in, r.Code, r.Stderr)
	}
	return tree(t, out)
}

func oneOf(got map[string]string, candidates ...map[string]string) int {
	for i, c := range candidates {
		if reflect.DeepEqual(got, c) {
			return i
		}
	}
	return -1
}

// TestSymlinkedIntentsRender: a monorepo links its intents directory. The
// rollouts are read through the link; nothing is deleted for want of them.
func TestSymlinkedIntentsRender(t *testing.T) {
	work := t.TempDir()
	intents(t, filepath.Join(work, "shared", "intents"), 3, "")
	if err := os.Symlink(filepath.Join("shared", "intents"), filepath.Join(work, "intents")); err != nil {
		t.Fatal(err)
	}
	if r := run(t, work, "render", "intents", "--out", "out", "-q"); r.Code != 0 {
		t.Fatalf("render: %d %s", r.Code, r.Stderr)
	}
	if n := len(tree(t, filepath.Join(work, "out"))); n < 3 {
		t.Fatalf("the tree holds %d files", n)
	}
	for _, cmd := range [][]string{{"check", "intents", "--out", "out"}, {"test", "intents"}, {"lint", "out"}} {
		if r := run(t, work, cmd...); r.Code != 0 {
			t.Errorf("%s through the link: exit %d\n%s%s", cmd[0], r.Code, r.Stdout, r.Stderr)
		}
	}
	// An empty source is an error, and the tree stays.
	os.Mkdir(filepath.Join(work, "empty"), 0o755)
	before := tree(t, filepath.Join(work, "out"))
	if r := run(t, work, "render", "empty", "--out", "out"); r.Code != 2 || !strings.Contains(r.Stderr, "holds no intent files") {
		t.Errorf("render of an empty directory: %d %s", r.Code, r.Stderr)
	}
	if after := tree(t, filepath.Join(work, "out")); !reflect.DeepEqual(after, before) {
		t.Error("a render of nothing changed the tree")
	}
}

// TestConcurrentRenders runs renders of different intents into one --out at
// once: each succeeds, and the tree is one of theirs, byte for byte.
func TestConcurrentRenders(t *testing.T) {
	work := t.TempDir()
	phases := []string{"start", "canary", "expand", "half", "promote", "rollback"}
	var want []map[string]string
	for _, ph := range phases {
		intents(t, filepath.Join(work, ph), 200, ph)
		want = append(want, rendered(t, work, ph))
	}
	out := filepath.Join(work, "out")
	// A first tree to update, so that the runs replace files, not create.
	if r := run(t, work, "render", "start", "--out", "out", "-q"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	for round := range 3 {
		var wg sync.WaitGroup
		results := make([]result, len(phases))
		for i, ph := range phases {
			wg.Go(func() { results[i] = run(t, work, "render", ph, "--out", "out", "-q") })
		}
		wg.Wait()
		for i, r := range results {
			if r.Code != 0 {
				t.Errorf("round %d, render %s: exit %d\n%s", round, phases[i], r.Code, r.Stderr)
			}
		}
		if i := oneOf(tree(t, out), want...); i < 0 {
			t.Fatalf("round %d: the tree is none of the trees rendered", round)
		}
		if b := beside(t, out, phases...); len(b) != 0 {
			t.Errorf("round %d: left beside the tree: %v", round, b)
		}
	}
}

// TestConcurrentAdvances runs two advances of one rollout at once: they take
// turns, so both edits land (two steps up the ladder), where without the
// lock one would be lost while both said "updated".
func TestConcurrentAdvances(t *testing.T) {
	for round := range 5 {
		work := t.TempDir()
		write(t, work, map[string]string{"intents/reviews.cue": `rollouts: reviews: {
	stable: {subset: "v1"}
	canary: {subset: "v2"}
	phase: "canary"
	since: "2026-11-20T09:00:00Z"
}
`})
		var wg sync.WaitGroup
		var rs [2]result
		for i := range rs {
			wg.Go(func() {
				rs[i] = run(t, work, "advance", "reviews", "--intents", "intents", "--force", "--reason", "the test forces it", "--now", "2026-11-20T09:30:00Z")
			})
		}
		wg.Wait()
		for i, r := range rs {
			if r.Code != 0 {
				t.Fatalf("round %d, advance %d: exit %d\n%s", round, i, r.Code, r.Stderr)
			}
		}
		b, _ := os.ReadFile(filepath.Join(work, "intents", "reviews.cue"))
		if !regexp.MustCompile(`phase:\s+"half"`).Match(b) {
			t.Fatalf("round %d: two advances from canary left\n%s", round, b)
		}
	}
}

// interrupt starts a render of in into out and sends sig after a random
// delay up to max; it returns the exit status, or -1 when the signal
// ended the process (SIGKILL, or SIGINT outside a write, when there is
// nothing to leave behind).
func interrupt(t *testing.T, work, in, out string, sig os.Signal, max time.Duration) int {
	t.Helper()
	cmd := exec.Command(meshroll, "render", in, "--out", out, "-q", "--all-phases")
	cmd.Dir = work
	cmd.Env = environ()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Duration(rand.Int64N(int64(max))))
	cmd.Process.Signal(sig)
	err := cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode()
}

// TestKilledRenders kills a render of a large tree at random points, with
// SIGKILL and with SIGINT: after each, the tree is the previous one or the
// new one, byte for byte, never a mix. After SIGINT nothing is left beside
// it; after SIGKILL the next render removes what was, and finishes.
func TestKilledRenders(t *testing.T) {
	work := t.TempDir()
	intents(t, filepath.Join(work, "a"), 300, "canary")
	intents(t, filepath.Join(work, "b"), 300, "half")
	a := rendered(t, work, "a", "--all-phases")
	b := rendered(t, work, "b", "--all-phases")
	out := filepath.Join(work, "out")
	if r := run(t, work, "render", "a", "--out", "out", "-q", "--all-phases"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	// How long a whole render takes here, to spread the signals over it.
	start := time.Now()
	if r := run(t, work, "render", "b", "--out", "out", "-q", "--all-phases"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	span := time.Since(start)
	now := b
	for i := range 16 {
		sig, next, in := os.Signal(syscall.SIGKILL), a, "a"
		if oneOf(now, a) == 0 {
			next, in = b, "b"
		}
		if i%2 == 1 {
			sig = os.Interrupt
		}
		code := interrupt(t, work, in, out, sig, span)
		got := tree(t, out)
		switch oneOf(got, now, next) {
		case 0:
		case 1:
			now = next
		default:
			t.Fatalf("after %v (exit %d) the tree is neither the previous one nor the new one", sig, code)
		}
		if sig == os.Interrupt {
			if code != 0 && code != 130 && code != -1 {
				t.Errorf("after SIGINT: exit %d, want 0, 130 or the signal", code)
			}
			if left := beside(t, out, "a", "b"); len(left) != 0 {
				t.Errorf("after SIGINT, left beside the tree: %v", left)
			}
		}
	}
	if r := run(t, work, "render", "a", "--out", "out", "-q", "--all-phases"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	if oneOf(tree(t, out), a) != 0 {
		t.Error("the render after the kills did not leave its tree")
	}
	if left := beside(t, out, "a", "b"); len(left) != 0 {
		t.Errorf("the render after the kills left beside the tree: %v", left)
	}
	if r := run(t, work, "check", "a", "--out", "out", "--all-phases"); r.Code != 0 {
		t.Errorf("check after the kills: %d\n%s", r.Code, r.Stdout)
	}
}

// TestHostileRepository plants, as a pull request could, a journal naming
// files outside the tree, a symbolic link where a temporary file goes, a
// configuration pointing out of the repository, and a kustomization
// reaching out of its root; nothing outside is read into findings, written
// or deleted.
func TestHostileRepository(t *testing.T) {
	work := t.TempDir()
	victim := filepath.Join(work, "victim")
	write(t, victim, map[string]string{
		"generated.yaml": "# Code generated by meshroll. DO NOT EDIT.\nsecret: a generated file of another project\n",
		"notes.txt":      "another project's notes\n",
		"secret.yaml":    "apiVersion: v1\nkind: Secret\nmetadata: {name: leaked-value-42}\n",
	})
	repo := filepath.Join(work, "repo")
	intents(t, filepath.Join(repo, "intents"), 2, "")
	os.Mkdir(filepath.Join(repo, ".git"), 0o755)
	if r := run(t, repo, "render", "intents", "--out", "out", "-q"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	before := tree(t, victim)

	// A committed journal that renames and deletes out of the tree.
	journal := fmt.Sprintf(`{"renames": [["../../victim/generated.yaml.meshroll-tmp", "../../victim/generated.yaml"]], "deletes": ["../../victim/generated.yaml", %q]}`, filepath.Join(victim, "notes.txt"))
	write(t, repo, map[string]string{"out/.meshroll-journal": journal})
	r := run(t, repo, "render", "intents", "--out", "out")
	if r.Code != 2 || !strings.Contains(r.Stderr, "is not a journal meshroll wrote") {
		t.Errorf("render with a hostile journal: %d %s", r.Code, r.Stderr)
	}
	os.Remove(filepath.Join(repo, "out", ".meshroll-journal"))

	// --out as a link to another directory.
	if err := os.Symlink(victim, filepath.Join(repo, "linked")); err != nil {
		t.Fatal(err)
	}
	if r := run(t, repo, "render", "intents", "--out", "linked"); r.Code != 2 {
		t.Errorf("render into a link: exit %d", r.Code)
	}

	// A configuration whose out leads out of the repository, by path or
	// through a link.
	for _, out := range []string{"..", "../victim", "linked/sub"} {
		write(t, repo, map[string]string{".meshroll.yaml": "intents: intents\nout: " + out + "\n"})
		if r := run(t, repo, "render"); r.Code != 2 {
			t.Errorf("render with out: %s: exit %d\n%s", out, r.Code, r.Stderr)
		}
	}
	os.Remove(filepath.Join(repo, ".meshroll.yaml"))

	// A kustomization that reaches out of its root for a file: a finding,
	// and the file's content never printed.
	write(t, repo, map[string]string{"k/kustomization.yaml": "resources:\n- ../../victim/secret.yaml\n"})
	r = run(t, repo, "lint", "k", "-o", "json")
	if r.Code != 1 || !strings.Contains(r.Stdout, "MR902") || strings.Contains(r.Stdout+r.Stderr, "leaked-value-42") {
		t.Errorf("lint of a kustomization reaching out: %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}

	if after := tree(t, victim); !reflect.DeepEqual(after, before) {
		t.Errorf("files outside the repository changed:\n%v\nwas\n%v", after, before)
	}
}
