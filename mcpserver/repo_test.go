package mcpserver

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/meshroll/meshroll/internal/tree"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/repo"
)

// testNow is when the tests' calls happen: reviews has been at canary for
// an hour, so its 1h hold has just passed.
var testNow = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// reviewsCUE is a CUE intent with comments that an edit must keep.
const reviewsCUE = `package bookinfo

// reviews is advanced by the assistant, reviewed by people.
rollouts: reviews: {
	namespace: "bookinfo"
	stable: subset: "v1"
	canary: subset: "v2"
	phase: "canary" // the live phase
	since: "2026-11-20T09:00:00Z"
	routes: [{
		name: "jason"
		match: headers: "end-user": exact: "jason"
		to: "canary"
	}, {
		name: "beta-cookie"
		match: cookie: {name: "user", value: "beta"}
		to: "canary"
	}, {
		name: "productpage-v2"
		match: sourceLabels: {app: "productpage", version: "v2"}
		to: "canary"
	}]
	timeout: "10s"
}
`

// reviewsExpand is reviewsCUE after meshroll advance reviews at testNow:
// the bytes of phase and since change, nothing else.
const reviewsExpand = `package bookinfo

// reviews is advanced by the assistant, reviewed by people.
rollouts: reviews: {
	namespace: "bookinfo"
	stable: subset: "v1"
	canary: subset: "v2"
	phase: "expand" // the live phase
	since: "2026-11-20T10:00:00Z"
	routes: [{
		name: "jason"
		match: headers: "end-user": exact: "jason"
		to: "canary"
	}, {
		name: "beta-cookie"
		match: cookie: {name: "user", value: "beta"}
		to: "canary"
	}, {
		name: "productpage-v2"
		match: sourceLabels: {app: "productpage", version: "v2"}
		to: "canary"
	}]
	timeout: "10s"
}
`

// appYAML is a YAML intent in its first phase, without phase or since.
const appYAML = `# The host-based canary.
rollouts:
  app:
    namespace: shop
    host: app.example.com
    stable: {host: app-primary}
    canary: {host: app-canary}
    timeout: 5s   # the route timeout
`

// scratchRepo makes a git repository with .meshroll.yaml, the intents
// and their rendered tree, committed, and changes into it.
func scratchRepo(t *testing.T, extra map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("the tests need git, as meshroll diff does")
	}
	dir := t.TempDir()
	files := map[string]string{
		".meshroll.yaml":               "intents: intents\nout: rendered\n",
		"intents/bookinfo/reviews.cue": reviewsCUE,
		"intents/shop/app.yaml":        appYAML,
	}
	for name, content := range extra {
		files[name] = content
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	in, err := repo.Load([]string{"intents"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := render.Tree(in, render.Live)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.Write(context.Background(), "rendered", repo.TreeFiles(rendered), tree.Options{Header: render.Header}); err != nil {
		t.Fatal(err)
	}
	git(t, "init", "-q")
	git(t, "add", "-A")
	git(t, "commit", "-q", "-m", "scratch")
	return dir
}

func git(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
