package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/meshroll/meshroll/mcpserver"
)

// The tricky tree of TestEveryCommandSeesTheSameFiles: one object (a
// VirtualService, or a rollout of intent) per place a walk may or may not
// look, named for the place. seen are the places every command reads;
// every other one holds a VirtualService with weight 150, which lint would
// report as MR202, so that a command that reads it shows it.
var (
	seen = []string{"kustomized", "linkeddir", "linkedfile", "visible"}
	// flagged is excluded by --exclude, which only the command line has:
	// the MCP tools, which read .meshroll.yaml alone, see it.
	flagged = "flagged"
)

// trickyManifests writes the manifests of the tricky tree under
// root/dir, with its links to root/dir-shared; after changes the name of
// every http route, so that diff sees a change in every file it reads.
func trickyManifests(t *testing.T, root, dir string, after bool) {
	vs := func(name string, weight int) string {
		// The first tree's routes have no name (MR207 on every resource
		// lint reads), the second's do.
		route := "  -"
		if after {
			route = "  - name: after\n   "
		}
		return fmt.Sprintf("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: %s\n  namespace: shop\nspec:\n  hosts: [%s]\n  http:\n%s route:\n    - destination: {host: %s}\n      weight: %d\n", name, name, route, name, weight)
	}
	shared := dir + "-shared"
	writeTree(t, root, map[string]string{
		dir + "/visible.yaml":            vs("visible", 100),
		dir + "/.hidden.yaml":            vs("hiddenfile", 150),
		dir + "/.hiddendir/h.yaml":       vs("hiddendir", 150),
		dir + "/drafts/d.yaml":           vs("drafted", 150),
		dir + "/flagged/f.yaml":          vs(flagged, 150),
		dir + "/kust/kustomization.yaml": "resources: [k.yaml]\n",
		dir + "/kust/k.yaml":             vs("kustomized", 100),
		dir + "/kust/unlisted.yaml":      vs("unlisted", 150),
		shared + "/linked.yaml":          vs("linkedfile", 100),
		shared + "/dir/l.yaml":           vs("linkeddir", 100),
		shared + "/.hiddentarget/x.yaml": vs("hiddentarget", 150),
	})
	symlink(t, filepath.Join("..", shared, "linked.yaml"), filepath.Join(root, dir, "linked.yaml"))
	symlink(t, filepath.Join("..", shared, "dir"), filepath.Join(root, dir, "linkdir"))
}

// trickyIntents writes the intents of the tricky tree under root/intents:
// a rollout per place, each with a routing expectation for meshroll test.
func trickyIntents(t *testing.T, root string) {
	ro := func(name string) string {
		return fmt.Sprintf("rollouts: %s: {\n\tnamespace: \"shop\"\n\tstable: subset: \"v1\"\n\tcanary: subset: \"v2\"\n\tphase: \"canary\"\n\texpect: [{name: \"%s splits\", request: {}, phases: [\"canary\"], reaches: {canary: 10, stable: 90}}]\n}\n", name, name)
	}
	writeTree(t, root, map[string]string{
		"intents/visible.cue":              ro("visible"),
		"intents/.hidden.cue":              ro("hiddenfile"),
		"intents/.hiddendir/h.cue":         ro("hiddendir"),
		"intents/drafts/d.cue":             ro("drafted"),
		"intents/flagged/f.cue":            ro(flagged),
		"intents-shared/linked.cue":        ro("linkedfile"),
		"intents-shared/dir/l.cue":         ro("linkeddir"),
		"intents-shared/dir/.h/hidden.cue": ro("hiddentarget"),
		// kustomized is a manifest-only place: the rollout of that name
		// lives in a plain file, for the sets to compare.
		"intents/kust/k.cue": ro("kustomized"),
	})
	symlink(t, filepath.Join("..", "intents-shared", "linked.cue"), filepath.Join(root, "intents", "linked.cue"))
	symlink(t, filepath.Join("..", "intents-shared", "dir"), filepath.Join(root, "intents", "linkdir"))
}

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestEveryCommandSeesTheSameFiles runs every command that reads manifests
// or intents over one tricky tree — hidden files and directories, a linked
// file and a linked directory inside the repository, exclude patterns from
// .meshroll.yaml and --exclude, a kustomization that does not list every
// file beside it — and holds each to the same set of objects: the issue's
// VirtualService with weight 150 in a hidden file is ignored by all of them,
// not MR202 for lint and "No changes" for diff.
func TestEveryCommandSeesTheSameFiles(t *testing.T) {
	root := t.TempDir()
	// root is a repository: links inside it are followed.
	writeTree(t, root, map[string]string{
		".meshroll.yaml": "intents: intents\nout: out\nexclude: [drafts/]\n",
	})
	trickyManifests(t, root, "m", false)
	trickyManifests(t, root, "m2", true)
	trickyIntents(t, root)
	t.Chdir(root)
	t.Setenv("NO_COLOR", "1")
	// root is a git repository (links inside it are followed), its intents
	// committed at canary, then moved to expand in the working tree, every
	// file, for diff --base.
	git(t, "init", "-q", "-b", "main")
	git(t, "add", "-A")
	git(t, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "canary")
	for _, dir := range []string{"intents", "intents-shared"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.Type()&fs.ModeSymlink != 0 || !strings.HasSuffix(p, ".cue") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(p, bytes.Replace(data, []byte(`phase: "canary"`), []byte(`phase: "expand"`), 1), 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	run := func(want int, args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		a := &app{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: os.Getenv}
		args = append(args, "--exclude", "flagged/")
		if got := a.run(args); got != want {
			t.Fatalf("meshroll %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got, want, stdout.String(), stderr.String())
		}
		return stdout.String() + stderr.String()
	}
	sets := map[string][]string{}
	add := func(command string, names ...string) {
		// The files every tree has are not objects of the tree.
		names = slices.DeleteFunc(names, func(n string) bool { return n == "kustomization" || n == "peerauthentication" })
		slices.Sort(names)
		sets[command] = slices.Compact(names)
	}

	// lint: the resources of its findings.
	var lintOut struct {
		Diagnostics []struct{ Resource string }
	}
	if err := json.Unmarshal([]byte(run(1, "lint", "m", "-o", "json", "--fail-on", "info")), &lintOut); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range lintOut.Diagnostics {
		names = append(names, d.Resource[strings.LastIndex(d.Resource, "/")+1:])
	}
	add("lint", names...)

	// diff --from --to: the rollouts it says changed; every file changed.
	var diffOut struct {
		Summary struct{ Rollouts []struct{ Rollout string } }
	}
	if err := json.Unmarshal([]byte(run(0, "diff", "--from", "m", "--to", "m2", "-o", "json")), &diffOut); err != nil {
		t.Fatal(err)
	}
	names = nil
	for _, r := range diffOut.Summary.Rollouts {
		names = append(names, r.Rollout)
	}
	add("diff --from --to", names...)

	// lint --intents: the rendered resources of its findings (MR301 on
	// every DestinationRule).
	var lintIntents struct {
		Diagnostics []struct{ Resource string }
	}
	if err := json.Unmarshal([]byte(run(0, "lint", "--intents", "intents", "-o", "json")), &lintIntents); err != nil {
		t.Fatal(err)
	}
	names = nil
	for _, d := range lintIntents.Diagnostics {
		names = append(names, d.Resource[strings.LastIndex(d.Resource, "/")+1:])
	}
	add("lint --intents", names...)

	// diff --base: the rollouts that moved.
	diffOut.Summary.Rollouts = nil
	if err := json.Unmarshal([]byte(run(0, "diff", "--base", "HEAD", "-o", "json", "--now", "2026-11-20T12:00:00Z")), &diffOut); err != nil {
		t.Fatal(err)
	}
	names = nil
	for _, r := range diffOut.Summary.Rollouts {
		names = append(names, r.Rollout)
	}
	add("diff --base", names...)

	// route --manifests: the hosts it says the manifests route.
	routed := regexp.MustCompile(`the manifests route (.*)`).FindStringSubmatch(run(2, "route", "--manifests", "m", "--host", "nowhere", "--namespace", "shop"))
	if routed == nil {
		t.Fatal("route --manifests does not list the hosts it read")
	}
	add("route --manifests", strings.Split(strings.TrimSpace(routed[1]), ", ")...)

	// render --stdout: the files it renders.
	add("render", sourcesOf(run(0, "render", "--stdout"))...)
	// check: the files the empty tree lacks.
	add("check", submatches(`(?m)^out/shop/([a-z]+)\.yaml: missing`, run(1, "check"))...)
	// test: the rollouts whose expectations it ran.
	add("test", submatches(`(?m)^ok    shop/([a-z]+):`, run(0, "test"))...)
	// route ROLLOUT: the rollouts it finds.
	names = nil
	for _, n := range []string{"visible", "hiddenfile", "hiddendir", "drafted", flagged, "linkedfile", "linkeddir", "hiddentarget", "kustomized", "unlisted"} {
		var stdout, stderr bytes.Buffer
		a := &app{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: os.Getenv}
		if a.run([]string{"route", n, "--exclude", "flagged/"}) == 0 {
			names = append(names, n)
		}
	}
	add("route ROLLOUT", names...)

	for command, got := range sets {
		if !slices.Equal(got, seen) {
			t.Errorf("%s sees %v, want %v", command, got, seen)
		}
	}

	// The MCP tools read .meshroll.yaml alone: they see flagged too.
	cs := connectMCP(t)
	withFlagged := slices.Sorted(slices.Values(append(slices.Clone(seen), flagged)))
	var rollouts struct {
		Rollouts []struct{ Name string }
	}
	callMCP(t, cs, "list_rollouts", map[string]any{}, &rollouts)
	names = nil
	for _, r := range rollouts.Rollouts {
		names = append(names, r.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, withFlagged) {
		t.Errorf("MCP list_rollouts sees %v, want %v", names, withFlagged)
	}
	var lintTool struct {
		Report struct {
			Diagnostics []struct{ Resource string }
		}
	}
	callMCP(t, cs, "lint", map[string]any{"paths": []string{"m"}}, &lintTool)
	names = nil
	for _, d := range lintTool.Report.Diagnostics {
		names = append(names, d.Resource[strings.LastIndex(d.Resource, "/")+1:])
	}
	slices.Sort(names)
	names = slices.Compact(names)
	if !slices.Equal(names, withFlagged) {
		t.Errorf("MCP lint sees %v, want %v", names, withFlagged)
	}
	var check struct {
		Stale []struct{ Path string }
	}
	callMCP(t, cs, "check", map[string]any{}, &check)
	names = nil
	for _, f := range check.Stale {
		names = append(names, strings.TrimSuffix(path.Base(f.Path), ".yaml"))
	}
	names = slices.DeleteFunc(names, func(n string) bool { return n == "kustomization" || n == "peerauthentication" })
	slices.Sort(names)
	if !slices.Equal(names, withFlagged) {
		t.Errorf("MCP check sees %v, want %v", names, withFlagged)
	}
	var mcpDiff struct {
		Summary struct{ Rollouts []struct{ Rollout string } }
	}
	callMCP(t, cs, "diff", map[string]any{}, &mcpDiff)
	names = nil
	for _, r := range mcpDiff.Summary.Rollouts {
		names = append(names, r.Rollout)
	}
	slices.Sort(names)
	if !slices.Equal(names, withFlagged) {
		t.Errorf("MCP diff sees %v, want %v", names, withFlagged)
	}
}

// git runs git in the working directory.
func git(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// sourcesOf returns the rollouts of the "# Source:" lines of a rendered
// stream.
func sourcesOf(stream string) []string {
	return submatches(`(?m)^# Source: shop/([a-z]+)\.yaml$`, stream)
}

// submatches returns the first group of every match of re in s.
func submatches(re, s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// connectMCP runs the MCP server in-process, in the working directory.
func connectMCP(t *testing.T) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := mcpserver.New(mcpserver.Options{Version: "test", Now: func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }}).Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// callMCP calls a tool that must succeed and decodes its structured
// content into out.
func callMCP(t *testing.T, cs *mcp.ClientSession, name string, args, out any) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if res.IsError {
		t.Fatalf("%s: tool error: %v", name, res.Content)
	}
	data, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("%s: %v in %s", name, err, data)
	}
}
