package revision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshroll/meshroll/diff"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/schema"
)

// git runs git in dir for a test, isolated from the user's configuration.
func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func write(t testing.TB, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// reviews is the intent of the reviews rollout in phase, with the A/B
// routes named.
func reviews(phase string, routes ...string) string {
	var b strings.Builder
	b.WriteString("// The reviews rollout.\nrollouts: reviews: {\n\tnamespace: \"bookinfo\"\n")
	b.WriteString("\tstable: {subset: \"v1\", labels: version: \"v1\"}\n\tcanary: {subset: \"v2\", labels: version: \"v2\"}\n")
	b.WriteString("\tphase: \"" + phase + "\"\n\troutes: [")
	for i, r := range routes {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("{name: \"" + r + "\", match: headers: \"x-" + r + "\": exact: \"yes\", to: \"canary\"}")
	}
	b.WriteString("]\n}\n")
	return b.String()
}

// newRepo makes a repository with intents/bookinfo/reviews.cue committed
// on main.
func newRepo(t testing.TB, intent string) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	write(t, filepath.Join(dir, "intents", "bookinfo", "reviews.cue"), intent)
	write(t, filepath.Join(dir, "README.md"), "a GitOps repository\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "reviews")
	return dir
}

// snapshot records what a diff must not change: the status, and the bytes
// of every file of the working tree and of the repository's index.
func snapshot(t testing.TB, dir string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(git(t, dir, "status", "--porcelain", "--untracked-files=all"))
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if rel == filepath.Join(".git", "objects") || rel == filepath.Join(".git", "logs") {
				return filepath.SkipDir
			}
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		b.WriteString(rel + " " + hex.EncodeToString(sum[:]) + "\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func diffBase(t testing.TB, o Options) *diff.Result {
	t.Helper()
	trees, err := Render(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	r, err := diff.Files(trees.Base, trees.Work)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func changeLines(r *diff.Result, id string) []string {
	var out []string
	for _, res := range r.Resources {
		if res.ID() == id {
			for _, c := range res.Changes {
				out = append(out, c.Line())
			}
		}
	}
	return out
}

// TestPhaseAdvanceInWorkingTree advances reviews from canary to expand
// without committing, and diffs against HEAD.
func TestPhaseAdvanceInWorkingTree(t *testing.T) {
	dir := newRepo(t, reviews("canary", "jason"))
	write(t, filepath.Join(dir, "intents", "bookinfo", "reviews.cue"), reviews("expand", "jason"))
	before := snapshot(t, dir)

	r := diffBase(t, Options{Dir: dir, Ref: "HEAD", Intents: []string{"intents"}})

	if after := snapshot(t, dir); after != before {
		t.Errorf("the working tree or the index changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	want := []string{
		`~ metadata.annotations["meshroll.dev/phase"]: canary → expand`,
		"~ spec.http[1].route[0].weight: 90 → 75",
		"~ spec.http[1].route[1].weight: 10 → 25",
	}
	if got := changeLines(r, "VirtualService/bookinfo/reviews"); !slices.Equal(got, want) {
		t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if len(r.Rollouts) != 1 || r.Rollouts[0].Headline() != "canary → expand, stable 90% → 75%, canary 10% → 25%" {
		t.Errorf("summary: %v", headlines(r))
	}
}

// TestRouteAddedOnBranch adds an A/B route on a branch and diffs it
// against main.
func TestRouteAddedOnBranch(t *testing.T) {
	dir := newRepo(t, reviews("canary", "jason"))
	git(t, dir, "checkout", "-q", "-b", "beta")
	write(t, filepath.Join(dir, "intents", "bookinfo", "reviews.cue"), reviews("canary", "jason", "beta-users"))
	git(t, dir, "commit", "-q", "-am", "beta users see the canary")
	before := snapshot(t, dir)

	r := diffBase(t, Options{Dir: dir, Ref: "main", Intents: []string{"intents"}})

	if after := snapshot(t, dir); after != before {
		t.Errorf("the working tree or the index changed")
	}
	want := []string{"+ spec.http[1] (route beta-users → reviews/v2)"}
	if got := changeLines(r, "VirtualService/bookinfo/reviews"); !slices.Equal(got, want) {
		t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if got := headlines(r); !slices.Equal(got, []string{"bookinfo/reviews: phase canary, stable 90%, canary 10%; A/B route beta-users added"}) {
		t.Errorf("summary: %v", got)
	}
}

func headlines(r *diff.Result) []string {
	var out []string
	for _, ro := range r.Rollouts {
		out = append(out, ro.Label()+": "+ro.Headline())
	}
	return out
}

// TestFromSubdirectory names the intents relative to a subdirectory, and
// through a symbolic link to the repository.
func TestFromSubdirectory(t *testing.T) {
	dir := newRepo(t, reviews("canary"))
	write(t, filepath.Join(dir, "intents", "bookinfo", "reviews.cue"), reviews("half"))
	sub := filepath.Join(dir, "docs")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{
		{Dir: sub, Ref: "HEAD", Intents: []string{"../intents"}},
		{Dir: filepath.Join(link, "docs"), Ref: "HEAD", Intents: []string{"../intents/bookinfo/reviews.cue"}},
		{Dir: t.TempDir(), Ref: "HEAD~0", Intents: []string{filepath.Join(link, "intents")}},
	} {
		// The last one runs outside the repository: it has no git work tree.
		if !strings.HasPrefix(o.Dir, dir) && !strings.HasPrefix(o.Dir, link) {
			if _, err := Render(context.Background(), o); err == nil || !strings.Contains(err.Error(), "not in the working tree") {
				t.Errorf("outside a repository: got %v", err)
			}
			continue
		}
		r := diffBase(t, o)
		if got := headlines(r); !slices.Equal(got, []string{"bookinfo/reviews: canary → half, stable 90% → 50%, canary 10% → 50%"}) {
			t.Errorf("%+v: %v", o, got)
		}
	}
}

func TestAllPhases(t *testing.T) {
	dir := newRepo(t, reviews("canary"))
	write(t, filepath.Join(dir, "intents", "bookinfo", "reviews.cue"), reviews("canary", "jason"))
	r := diffBase(t, Options{Dir: dir, Ref: "HEAD", Intents: []string{"intents"}, Mode: render.AllPhases})
	// Every phase but rollback gains the route.
	var got []string
	for _, ro := range r.Rollouts {
		got = append(got, ro.File)
	}
	want := []string{"canary/bookinfo/reviews.yaml", "expand/bookinfo/reviews.yaml", "half/bookinfo/reviews.yaml", "promote/bookinfo/reviews.yaml", "start/bookinfo/reviews.yaml"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestErrors(t *testing.T) {
	dir := newRepo(t, reviews("canary"))
	notRepo := t.TempDir()
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"not a repository", Options{Dir: notRepo, Ref: "main", Intents: []string{"intents"}}, "diff --base needs a git repository, and " + notRepo + " is not in the working tree of one"},
		{"no such revision", Options{Dir: dir, Ref: "nope", Intents: []string{"intents"}}, `revision "nope" is not a commit of the repository`},
		{"an option as revision", Options{Dir: dir, Ref: "--output=x", Intents: []string{"intents"}}, `revision "--output=x" is not a commit`},
		{"a path missing at the revision", Options{Dir: dir, Ref: "main", Intents: []string{"deploy"}}, "deploy does not exist at main"},
		{"a path outside the repository", Options{Dir: dir, Ref: "main", Intents: []string{"../elsewhere"}}, "../elsewhere is outside the repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(context.Background(), tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Error("a revision that looks like an option wrote a file")
	}
}

// TestInvalidIntent reports invalid intent with the side it is on and the
// positions in the files as the user names them.
func TestInvalidIntent(t *testing.T) {
	bad := strings.Replace(reviews("canary"), `phase: "canary"`, `phase: "cannary"`, 1)
	dir := newRepo(t, bad)
	write(t, filepath.Join(dir, "intents", "bookinfo", "reviews.cue"), reviews("canary"))

	_, err := Render(context.Background(), Options{Dir: dir, Ref: "HEAD", Intents: []string{"intents"}})
	var invalid *InvalidError
	if !errors.As(err, &invalid) || invalid.Side != "HEAD" || invalid.BothSides {
		t.Fatalf("got %v, want the intents at HEAD invalid", err)
	}
	var errs schema.Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Pos.String() != filepath.Join("intents", "bookinfo", "reviews.cue")+":6:9" {
		t.Errorf("got %v, want one error at intents/bookinfo/reviews.cue:6:9", errs)
	}

	write(t, filepath.Join(dir, "intents", "bookinfo", "reviews.cue"), bad)
	_, err = Render(context.Background(), Options{Dir: dir, Ref: "HEAD", Intents: []string{"intents"}})
	if !errors.As(err, &invalid) || invalid.Side != "the working tree" || !invalid.BothSides {
		t.Fatalf("got %v, want the working tree invalid, and HEAD too", err)
	}
}

// TestNothingTheRepositoryConfiguresRuns configures a filter, a
// filesystem monitor, a pager and hooks that would leave a mark, and checks
// that none of them is used.
func TestNothingTheRepositoryConfiguresRuns(t *testing.T) {
	dir := newRepo(t, reviews("canary"))
	mark := filepath.Join(t.TempDir(), "ran")
	script := filepath.Join(t.TempDir(), "mark.sh")
	write(t, script, "#!/bin/sh\necho \"$0 $*\" >> "+mark+"\ncat\n")
	if err := os.Chmod(script, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "config", "filter.mark.smudge", script)
	git(t, dir, "config", "filter.mark.clean", "cat")
	git(t, dir, "config", "core.fsmonitor", script)
	git(t, dir, "config", "core.pager", script)
	git(t, dir, "config", "core.hooksPath", filepath.Dir(script))
	write(t, filepath.Join(dir, ".gitattributes"), "*.cue filter=mark\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "--no-verify", "-m", "configured")
	write(t, filepath.Join(dir, "intents", "bookinfo", "reviews.cue"), reviews("expand"))
	// The test's own git status runs the monitor: clear the mark after it.
	before := snapshot(t, dir)
	if err := os.Remove(mark); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}

	r := diffBase(t, Options{Dir: dir, Ref: "HEAD", Intents: []string{"intents"}})

	if data, err := os.ReadFile(mark); err == nil {
		t.Errorf("git ran what the repository configures:\n%s", data)
	}
	if got := headlines(r); !slices.Equal(got, []string{"bookinfo/reviews: canary → expand, stable 90% → 75%, canary 10% → 25%"}) {
		t.Errorf("got %v", got)
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("the working tree or the index changed")
	}
}

// TestSymlinksAtTheRevision checks that the revision is read under the
// policy of the working tree: a symbolic link inside the repository (a
// monorepo's shared intents) is followed on both sides, and one that leads
// out of it is refused, its target never read.
func TestSymlinksAtTheRevision(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	write(t, filepath.Join(dir, "shared", "intents", "reviews.cue"), reviews("canary"))
	if err := os.Symlink(filepath.Join("shared", "intents"), filepath.Join(dir, "intents")); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "linked intents")
	write(t, filepath.Join(dir, "shared", "intents", "reviews.cue"), reviews("expand"))
	r := diffBase(t, Options{Dir: dir, Ref: "HEAD", Intents: []string{"intents"}})
	if got := headlines(r); !slices.Equal(got, []string{"bookinfo/reviews: canary → expand, stable 90% → 75%, canary 10% → 25%"}) {
		t.Errorf("through a link inside the repository: got %v, want the phase change alone", got)
	}

	secret := filepath.Join(t.TempDir(), "secret.cue")
	write(t, secret, "rollouts: secret: {stable: subset: \"v1\"}\n")
	if err := os.Symlink(secret, filepath.Join(dir, "shared", "intents", "link.cue")); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "a link out")
	if err := os.Remove(filepath.Join(dir, "shared", "intents", "link.cue")); err != nil {
		t.Fatal(err)
	}
	_, err := Render(context.Background(), Options{Dir: dir, Ref: "HEAD", Intents: []string{"intents"}})
	if err == nil || !strings.Contains(err.Error(), "intents/link.cue at HEAD: is a symbolic link to "+secret+", outside") {
		t.Errorf("a link out of the repository at HEAD: error %v", err)
	}
}

func TestSafePath(t *testing.T) {
	tests := []struct {
		p    string
		want bool
	}{
		{"intents/a.cue", true},
		{"a.cue", true},
		{"../a.cue", false},
		{"intents/../../a.cue", false},
		{"/etc/passwd", false},
		{"intents//a.cue", false},
		{"intents/./a.cue", false},
		{`intents\..\a.cue`, false},
		{"c:/a.cue", false},
		{"", false},
		{".", false},
	}
	for _, tt := range tests {
		if got := safePath(tt.p); got != tt.want {
			t.Errorf("safePath(%q) = %v, want %v", tt.p, got, tt.want)
		}
	}
}

func TestParseTree(t *testing.T) {
	out := []byte("100644 blob 1111111111111111111111111111111111111111\tintents/a b.cue\x00" +
		"120000 blob 2222222222222222222222222222222222222222\tintents/link.cue\x00" +
		"160000 commit 3333333333333333333333333333333333333333\tvendor/sub\x00")
	got, err := parseTree(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []entry{
		{"100644", "blob", "1111111111111111111111111111111111111111", "intents/a b.cue"},
		{"120000", "blob", "2222222222222222222222222222222222222222", "intents/link.cue"},
		{"160000", "commit", "3333333333333333333333333333333333333333", "vendor/sub"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := parseTree([]byte("garbage\x00")); err == nil {
		t.Error("garbage parsed")
	}
}

// TestIntentsNewSinceTheRevision is the first pull request of a repository:
// the intents directory is not at the base yet. The diff shows every rollout
// added, rather than failing; a path in neither is still an error.
func TestIntentsNewSinceTheRevision(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	write(t, filepath.Join(dir, "README.md"), "a GitOps repository\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "empty")
	write(t, filepath.Join(dir, "intents", "reviews.cue"), reviews("canary"))
	trees, err := Render(context.Background(), Options{Dir: dir, Ref: "main", Intents: []string{"intents"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(trees.Base) != 0 || len(trees.Work) == 0 {
		t.Errorf("base %d files, work %d files: want nothing at the base and the rollout in the work tree", len(trees.Base), len(trees.Work))
	}
	if _, err := Render(context.Background(), Options{Dir: dir, Ref: "main", Intents: []string{"deploy"}}); err == nil || !strings.Contains(err.Error(), "deploy") {
		t.Errorf("a path in neither side: error %v", err)
	}
}
