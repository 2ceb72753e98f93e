package mcpserver

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// serveEnv, when set in the environment of the test binary, makes it the
// server: TestMain serves MCP on its standard input and output from the
// directory the variable names, as meshroll mcp --root DIR does, with
// the tests' clock. The stdio tests and the Inspector's run it so.
const serveEnv = "MESHROLL_TEST_MCP_ROOT"

func TestMain(m *testing.M) {
	if root := os.Getenv(serveEnv); root != "" {
		if err := os.Chdir(root); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		err := Serve(context.Background(), Options{Version: "test", Now: func() time.Time { return testNow }, Log: os.Stderr}, os.Stdin, os.Stdout)
		if err != nil {
			fmt.Fprintln(os.Stderr, "meshroll:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serverCommand is the test binary as a server of the repository dir.
func serverCommand(t *testing.T, dir string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), serveEnv+"="+dir)
	cmd.Stderr = os.Stderr
	return cmd
}

// TestStdio drives the server through a real subprocess on its standard
// streams, with the SDK's client.
func TestStdio(t *testing.T) {
	dir := scratchRepo(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v0"}, nil)
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: serverCommand(t, dir)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if info := cs.InitializeResult().ServerInfo; info.Name != "meshroll" {
		t.Errorf("serverInfo.name = %q, want meshroll", info.Name)
	}
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tools.Tools) != len(toolNames) {
		t.Errorf("%d tools, want %d", len(tools.Tools), len(toolNames))
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "set_phase", Arguments: map[string]any{"rollout": "reviews", "phase": "expand"}})
	if err != nil || res.IsError {
		t.Fatalf("set_phase: %v %s", err, text(res))
	}
	if got := readFile(t, "intents/bookinfo/reviews.cue"); got != reviewsExpand {
		t.Errorf("the edited intent:\n%s", got)
	}
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "get_rollout", Arguments: map[string]any{"rollout": "nope"}})
	if err != nil || !res.IsError || text(res) != `no rollout "nope"; the intents define bookinfo/reviews, shop/app` {
		t.Errorf("unknown rollout: %v %+v", err, res)
	}
}

// TestMalformedLines writes JSON-RPC by hand: a line that is not a
// JSON-RPC message is answered with a JSON-RPC error, and the session goes
// on.
func TestMalformedLines(t *testing.T) {
	dir := scratchRepo(t, nil)
	cmd := serverCommand(t, dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	lines := bufio.NewReader(stdout)
	type rpcErr struct {
		Code    int64  `json:"code"`
		Message string `json:"message"`
	}
	type response struct {
		ID     json.RawMessage `json:"id"`
		Result json.RawMessage `json:"result"`
		Error  *rpcErr         `json:"error"`
	}
	send := func(line string) {
		t.Helper()
		if _, err := io.WriteString(stdin, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	read := func() response {
		t.Helper()
		done := make(chan struct{})
		timer := time.AfterFunc(time.Minute, func() {
			select {
			case <-done:
			default:
				cmd.Process.Kill()
			}
		})
		defer timer.Stop()
		defer close(done)
		b, err := lines.ReadBytes('\n')
		if err != nil {
			t.Fatalf("reading a response: %v", err)
		}
		var r response
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("response %s: %v", b, err)
		}
		return r
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"hand","version":"0"}}}`)
	if r := read(); string(r.ID) != "1" || r.Error != nil || !strings.Contains(string(r.Result), `"name":"meshroll"`) {
		t.Fatalf("initialize: %+v %s", r, r.Result)
	}
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	for _, tt := range []struct {
		line string
		id   string
		code int64
	}{
		{`{"jsonrpc":"2.0","id":2,"method":"tools/list"`, "null", -32700},
		{`this is not JSON`, "null", -32700},
		{`{"jsonrpc":"1.0","id":3,"method":"tools/list"}`, "3", -32600},
		{`{"jsonrpc":"2.0","id":"x","method":7}`, `"x"`, -32600},
		{`[{"jsonrpc":"2.0","id":4,"method":"tools/list"}]`, "null", -32600},
	} {
		send(tt.line)
		r := read()
		if string(r.ID) != tt.id || r.Error == nil || r.Error.Code != tt.code {
			t.Errorf("%s: answered %s %+v, want id %s and error %d", tt.line, r.ID, r.Error, tt.id, tt.code)
		}
	}
	// The session goes on: tools/list and a tool call are answered.
	send(`{"jsonrpc":"2.0","id":5,"method":"tools/list"}`)
	if r := read(); string(r.ID) != "5" || r.Error != nil || !strings.Contains(string(r.Result), `"name":"set_phase"`) {
		t.Errorf("tools/list after the malformed lines: %+v %s", r, r.Result)
	}
	send(`{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"list_rollouts","arguments":{}}}`)
	if r := read(); string(r.ID) != "6" || r.Error != nil || !strings.Contains(string(r.Result), `"bookinfo/reviews"`) {
		t.Errorf("tools/call after the malformed lines: %+v %s", r, r.Result)
	}
	// An unknown method is the SDK's JSON-RPC error, and the session goes on.
	send(`{"jsonrpc":"2.0","id":7,"method":"no/such"}`)
	if r := read(); string(r.ID) != "7" || r.Error == nil || r.Error.Code != -32601 {
		t.Errorf("unknown method: %+v", r)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Errorf("the server ended with %v at the end of its input, want exit status 0", err)
	}
}
