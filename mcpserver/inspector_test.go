package mcpserver

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The MCP Inspector's command-line client drives the server as a client
// other than the SDK's would: .ci/run installs it into a temporary prefix
// and names its executable in inspectorEnv, and sets requireInspectorEnv so
// that the test fails rather than skips there. Elsewhere the test runs it
// through npx, at the same pinned version, or skips without npx.
const (
	inspectorEnv        = "MESHROLL_INSPECTOR_CLI"
	requireInspectorEnv = "MESHROLL_REQUIRE_INSPECTOR"
	inspectorPackage    = "@modelcontextprotocol/inspector-cli@1.0.3"
)

// inspector returns the command line that runs the Inspector's CLI.
func inspector(t *testing.T) []string {
	t.Helper()
	if p := os.Getenv(inspectorEnv); p != "" {
		return []string{p}
	}
	if npx, err := exec.LookPath("npx"); err == nil {
		return []string{npx, "--yes", inspectorPackage}
	}
	if os.Getenv(requireInspectorEnv) != "" {
		t.Fatalf("%s is set, but neither %s nor npx is there to run the MCP Inspector", requireInspectorEnv, inspectorEnv)
	}
	t.Skipf("npx is not on the PATH: skipping the MCP Inspector's test (install Node.js and npm, or set %s to the mcp-inspector-cli executable)", inspectorEnv)
	return nil
}

// runInspector runs the Inspector's CLI against the test binary serving
// the repository dir, and decodes its JSON answer.
func runInspector(t *testing.T, dir string, args ...string) map[string]any {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	line := append(inspector(t), "--cli", "-e", serveEnv+"="+dir, exe)
	line = append(line, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, line[0], line[1:]...)
	// inspector-cli 1.0.3 picks the package.json it reports as the client's
	// name by whether ../package.json exists from the working directory,
	// then imports it relative to its own module: from a directory whose
	// parent holds a package.json, that is its own.
	work := filepath.Join(t.TempDir(), "run")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(work), "package.json"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd.Dir = work
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s\n%s", strings.Join(line, " "), err, out, stderr.String())
	}
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("the Inspector's answer: %v\n%s\n%s", err, out, stderr.String())
	}
	return v
}

func TestInspector(t *testing.T) {
	inspector(t) // skips, before any work, without the Inspector
	dir := scratchRepo(t, nil)
	list := runInspector(t, dir, "--method", "tools/list")
	tools, _ := list["tools"].([]any)
	var names []string
	for _, x := range tools {
		names = append(names, x.(map[string]any)["name"].(string))
	}
	if strings.Join(names, ",") != strings.Join(toolNames, ",") {
		t.Errorf("tools/list through the Inspector: %v, want %v", names, toolNames)
	}

	res := runInspector(t, dir, "--method", "tools/call", "--tool-name", "set_phase",
		"--tool-arg", "rollout=bookinfo/reviews", "--tool-arg", "phase=expand")
	if res["isError"] == true {
		t.Fatalf("set_phase through the Inspector: %v", res)
	}
	sc, _ := res["structuredContent"].(map[string]any)
	if sc["to"] != "expand" || sc["after"].(map[string]any)["canary"] != float64(25) {
		t.Errorf("set_phase's structured content: %v", sc)
	}
	if got := readFile(t, filepath.Join(dir, "intents/bookinfo/reviews.cue")); got != reviewsExpand {
		t.Errorf("the edited intent:\n%s", got)
	}

	res = runInspector(t, dir, "--method", "tools/call", "--tool-name", "route",
		"--tool-arg", "rollout=reviews", "--tool-arg", `headers={"end-user":"jason"}`)
	if sc, _ := res["structuredContent"].(map[string]any); sc == nil || sc["route"].(map[string]any)["name"] != "jason" {
		t.Errorf("route through the Inspector: %v", res)
	}

	res = runInspector(t, dir, "--method", "tools/call", "--tool-name", "get_rollout", "--tool-arg", "rollout=nope")
	if res["isError"] != true {
		t.Errorf("an unknown rollout through the Inspector: %v", res)
	}
}
