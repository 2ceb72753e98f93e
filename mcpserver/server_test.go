package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// connect runs a server in-process with the SDK's in-memory transport and
// returns a client session to it.
func connect(t *testing.T, o Options) *mcp.ClientSession {
	t.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return testNow }
	}
	if o.Version == "" {
		o.Version = "test"
	}
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := New(o).Connect(ctx, st, nil)
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

// call calls a tool and returns its result, failing on a protocol error.
func call(t *testing.T, cs *mcp.ClientSession, name string, args any) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

// ok calls a tool that must succeed and decodes its structured content
// into out.
func ok(t *testing.T, cs *mcp.ClientSession, name string, args, out any) string {
	t.Helper()
	res := call(t, cs, name, args)
	if res.IsError {
		t.Fatalf("%s: tool error: %s", name, text(res))
	}
	if res.StructuredContent == nil {
		t.Fatalf("%s: no structured content", name)
	}
	if out != nil {
		b, err := json.Marshal(res.StructuredContent)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: structured content %s: %v", name, b, err)
		}
	}
	return text(res)
}

// toolErr calls a tool that must fail with a tool error and returns its
// text.
func toolErr(t *testing.T, cs *mcp.ClientSession, name string, args any) string {
	t.Helper()
	res := call(t, cs, name, args)
	if !res.IsError {
		t.Fatalf("%s: want a tool error, got %s", name, text(res))
	}
	return text(res)
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

var toolNames = []string{"check", "diff", "gate", "get_rollout", "lint", "list_rollouts", "rollback", "route", "set_phase"}

func TestHandshakeAndTools(t *testing.T) {
	scratchRepo(t, nil)
	cs := connect(t, Options{Version: "v9.9.9"})
	info := cs.InitializeResult().ServerInfo
	if info.Name != "meshroll" || info.Version != "v9.9.9" {
		t.Errorf("serverInfo = %+v, want meshroll v9.9.9", info)
	}
	if cs.InitializeResult().Capabilities.Tools == nil || cs.InitializeResult().Capabilities.Prompts == nil {
		t.Errorf("capabilities = %+v, want tools and prompts", cs.InitializeResult().Capabilities)
	}
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	schemas := map[string]map[string]any{}
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		if tool.Description == "" {
			t.Errorf("%s has no description", tool.Name)
		}
		b, _ := json.Marshal(tool.InputSchema)
		var s map[string]any
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		if s["type"] != "object" {
			t.Errorf("%s: input schema type %v, want object", tool.Name, s["type"])
		}
		schemas[tool.Name] = s
	}
	slices.Sort(names)
	if !slices.Equal(names, toolNames) {
		t.Errorf("tools = %v, want %v", names, toolNames)
	}
	required := map[string][]string{
		"get_rollout": {"rollout"}, "route": {"rollout"}, "set_phase": {"phase", "rollout"},
		"rollback": {"reason", "rollout"}, "gate": {"rollout"},
		"list_rollouts": nil, "diff": nil, "lint": nil, "check": nil,
	}
	for name, want := range required {
		var got []string
		if r, ok := schemas[name]["required"].([]any); ok {
			for _, x := range r {
				got = append(got, x.(string))
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: required %v, want %v", name, got, want)
		}
	}
	props := func(tool string) map[string]any { return schemas[tool]["properties"].(map[string]any) }
	for _, p := range []string{"headers", "cookies", "sourceLabels", "uri", "method", "port", "sourceNamespace", "scheme", "authority", "query", "gateway", "phase"} {
		if props("route")[p] == nil {
			t.Errorf("route has no input %s", p)
		}
	}
	// A header given more than once is a list of values.
	anyOf := props("route")["headers"].(map[string]any)["additionalProperties"].(map[string]any)["anyOf"].([]any)
	if len(anyOf) != 2 {
		t.Errorf("route headers take %v, want a string or a list of strings", anyOf)
	}
	for _, p := range []string{"force", "reason", "dryRun"} {
		if props("set_phase")[p] == nil {
			t.Errorf("set_phase has no input %s", p)
		}
	}
	prompts, err := cs.ListPrompts(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(prompts.Prompts) != 2 {
		t.Errorf("prompts = %d, want 2", len(prompts.Prompts))
	}
	p, err := cs.GetPrompt(context.Background(), &mcp.GetPromptParams{Name: "shift_next_phase", Arguments: map[string]string{"rollout": "bookinfo/reviews"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Messages[0].Content.(*mcp.TextContent).Text; !strings.Contains(got, `set_phase {"rollout": "bookinfo/reviews"`) {
		t.Errorf("shift_next_phase prompt does not name the rollout in its calls:\n%s", got)
	}
}

func TestListAndGet(t *testing.T) {
	scratchRepo(t, nil)
	cs := connect(t, Options{})
	var list listOutput
	txt := ok(t, cs, "list_rollouts", map[string]any{}, &list)
	if len(list.Rollouts) != 2 {
		t.Fatalf("rollouts = %+v, want 2", list.Rollouts)
	}
	r := list.Rollouts[0]
	want := rolloutState{ID: "bookinfo/reviews", Namespace: "bookinfo", Name: "reviews", Intent: "intents/bookinfo/reviews.cue:4:11",
		Phase: "canary", Stable: 90, Canary: 10, Since: "2026-11-20T09:00:00Z", Hold: "1h", HoldLeft: "0s", HoldUntil: "2026-11-20T10:00:00Z", Next: "expand"}
	if r != want {
		t.Errorf("reviews = %+v\nwant      %+v", r, want)
	}
	if a := list.Rollouts[1]; a.ID != "shop/app" || a.Phase != "start" || a.Stable != 100 || a.Next != "canary" || a.Since != "" {
		t.Errorf("app = %+v", a)
	}
	if !strings.Contains(txt, "bookinfo/reviews: canary (stable 90%, canary 10%) since 2026-11-20T09:00:00Z; its 1h hold has passed; next expand [intents/bookinfo/reviews.cue:4:11]") {
		t.Errorf("list text:\n%s", txt)
	}

	var got getOutput
	txt = ok(t, cs, "get_rollout", map[string]any{"rollout": "reviews", "phase": "half"}, &got)
	if got.Rendered != "half" || got.Intent != "intents/bookinfo/reviews.cue:4:11" || len(got.Phases) != 6 {
		t.Errorf("get_rollout = %+v", got)
	}
	for _, s := range []string{"kind: VirtualService", "kind: DestinationRule", "weight: 50", "name: jason"} {
		if !strings.Contains(got.Manifests, s) || !strings.Contains(txt, s) {
			t.Errorf("the rendered manifests lack %q:\n%s", s, got.Manifests)
		}
	}
	if len(got.Objects) != 2 || got.Objects[0].Kind != "VirtualService" || got.Objects[1].Kind != "DestinationRule" {
		t.Errorf("objects = %+v", got.Objects)
	}
	if msg := toolErr(t, cs, "get_rollout", map[string]any{"rollout": "reviews", "phase": "final"}); msg != `rollout reviews has no phase "final"; it has start, canary, expand, half, promote, rollback` {
		t.Errorf("unknown phase: %s", msg)
	}
}

func TestRoute(t *testing.T) {
	scratchRepo(t, nil)
	cs := connect(t, Options{})
	type dest struct {
		Target string  `json:"target"`
		Weight float64 `json:"weight"`
	}
	type outcome struct {
		Phase string `json:"phase"`
		Route *struct {
			Name string `json:"name"`
		} `json:"route"`
		Request struct {
			Headers map[string]string `json:"headers"`
		} `json:"request"`
		Destinations []dest `json:"destinations"`
	}
	for _, tt := range []struct {
		name   string
		args   map[string]any
		route  string
		dests  []dest
		header string // the cookie or end-user header as Envoy sees it
	}{
		{"jason", map[string]any{"rollout": "reviews", "headers": map[string]any{"end-user": "jason"}}, "jason", []dest{{"canary", 100}}, "jason"},
		{"a repeated header is joined with a comma", map[string]any{"rollout": "reviews", "headers": map[string]any{"End-User": []string{"bob", "jason"}}},
			"weighted", []dest{{"stable", 90}, {"canary", 10}}, "bob,jason"},
		{"cookies after a cookie header", map[string]any{"rollout": "reviews", "headers": map[string]any{"cookie": "theme=dark"}, "cookies": []string{"user=beta"}},
			"beta-cookie", []dest{{"canary", 100}}, "theme=dark; user=beta"},
		{"source labels", map[string]any{"rollout": "reviews", "sourceLabels": map[string]string{"app": "productpage", "version": "v2"}}, "productpage-v2", []dest{{"canary", 100}}, ""},
		{"another phase", map[string]any{"rollout": "bookinfo/reviews", "phase": "half", "uri": "/reviews/1", "method": "post", "query": map[string]string{"a": "b"}, "port": 9080, "scheme": "http", "sourceNamespace": "bookinfo"},
			"weighted", []dest{{"stable", 50}, {"canary", 50}}, ""},
		{"rollback", map[string]any{"rollout": "reviews", "phase": "rollback", "headers": map[string]any{"end-user": "jason"}}, "weighted", []dest{{"stable", 100}}, "jason"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out outcome
			txt := ok(t, cs, "route", tt.args, &out)
			if out.Route == nil || out.Route.Name != tt.route {
				t.Errorf("route = %+v, want %s\n%s", out.Route, tt.route, txt)
			}
			var dests []dest
			for _, d := range out.Destinations {
				if d.Weight > 0 {
					dests = append(dests, d)
				}
			}
			if !slices.Equal(dests, tt.dests) {
				t.Errorf("destinations = %+v, want %+v", dests, tt.dests)
			}
			h := out.Request.Headers["end-user"] + out.Request.Headers["cookie"]
			if h != tt.header {
				t.Errorf("header as Envoy sees it = %q, want %q", h, tt.header)
			}
			if !strings.Contains(txt, "  yes  [") {
				t.Errorf("text has no matched route:\n%s", txt)
			}
		})
	}
	for _, tt := range []struct {
		args map[string]any
		msg  string
	}{
		{map[string]any{"rollout": "nope"}, `no rollout "nope"; the intents define bookinfo/reviews, shop/app`},
		{map[string]any{"rollout": "reviews", "uri": "reviews"}, `uri "reviews" must start with /`},
		{map[string]any{"rollout": "reviews", "scheme": "ftp"}, `scheme must be http or https, not "ftp"`},
		{map[string]any{"rollout": "reviews", "gateway": "public"}, `gateway "public": give the gateway as NAMESPACE/NAME (or mesh, for sidecars)`},
		{map[string]any{"rollout": "reviews", "cookies": []string{"user"}}, `cookies "user": want name=value`},
		{map[string]any{"rollout": "reviews", "authority": "a", "headers": map[string]any{"host": "b"}}, "a request has one host: give authority or one headers host=..., not both or twice"},
		{map[string]any{"rollout": "reviews", "gateway": "shop/gw", "gatewayManifests": []string{"../elsewhere"}}, "../elsewhere is outside the repository"},
	} {
		if msg := toolErr(t, cs, "route", tt.args); !strings.Contains(msg, tt.msg) {
			t.Errorf("route %v: %q, want %q", tt.args, msg, tt.msg)
		}
	}
	// Arguments that do not fit the schema are refused before the tool runs.
	if msg := toolErr(t, cs, "route", map[string]any{"rollout": "reviews", "headers": map[string]any{"end-user": 7}}); !strings.Contains(msg, "headers") {
		t.Errorf("a number as a header: %s", msg)
	}
}

func TestSetPhase(t *testing.T) {
	scratchRepo(t, nil)
	cs := connect(t, Options{})
	const file = "intents/bookinfo/reviews.cue"

	// A dry run returns the diff and the traffic change and writes nothing.
	var dry phaseOutput
	txt := ok(t, cs, "set_phase", map[string]any{"rollout": "reviews", "phase": "expand", "dryRun": true}, &dry)
	if got := readFile(t, file); got != reviewsCUE {
		t.Fatalf("a dry run wrote the intent:\n%s", got)
	}
	if dry.Before != (weights{90, 10}) || dry.After != (weights{75, 25}) || len(dry.Written) != 0 || !dry.DryRun {
		t.Errorf("dry run = %+v", dry)
	}
	for _, s := range []string{"-\tphase: \"canary\" // the live phase", "+\tphase: \"expand\" // the live phase", "+\tsince: \"2026-11-20T10:00:00Z\"",
		"traffic: stable 90% → 75%, canary 10% → 25%", "dry run: nothing written"} {
		if !strings.Contains(txt, s) || (strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-")) && !strings.Contains(dry.Diff, s) {
			t.Errorf("dry run lacks %q:\n%s", s, txt)
		}
	}

	// The edit changes the bytes advance changes, and no other: comments
	// and formatting stay.
	var done phaseOutput
	ok(t, cs, "set_phase", map[string]any{"rollout": "reviews", "phase": "expand"}, &done)
	if got := readFile(t, file); got != reviewsExpand {
		t.Errorf("the edited intent:\n%s\nwant:\n%s", got, reviewsExpand)
	}
	if done.Summary != "reviews: canary → expand (stable 75%, canary 25%); next hold 2h" || !slices.Equal(done.Written, []string{file}) || done.Diff != dry.Diff {
		t.Errorf("set_phase = %+v", done)
	}

	// The new phase holds 2h: moving on at once is refused with the time
	// left, and nothing is written.
	msg := toolErr(t, cs, "set_phase", map[string]any{"rollout": "reviews", "phase": "half"})
	if want := "reviews has held expand for 0s of its 2h hold; 2h left, until 2026-11-20T12:00:00Z; pass force: true with a reason to move anyway"; msg != want {
		t.Errorf("hold: %q\nwant  %q", msg, want)
	}
	if msg := toolErr(t, cs, "set_phase", map[string]any{"rollout": "reviews", "phase": "half", "force": true}); !strings.HasPrefix(msg, "force needs a reason") {
		t.Errorf("force without a reason: %s", msg)
	}
	if msg := toolErr(t, cs, "set_phase", map[string]any{"rollout": "reviews", "phase": "half", "force": true, "reason": "two\nlines"}); !strings.Contains(msg, "reason: the reason holds a line break") {
		t.Errorf("a reason over two lines: %s", msg)
	}
	// Skipping a phase is refused too, with what it skips.
	msg = toolErr(t, cs, "set_phase", map[string]any{"rollout": "reviews", "phase": "promote"})
	if !strings.Contains(msg, "promote is more than one phase on, skipping half (hold 4h)") {
		t.Errorf("skip: %s", msg)
	}
	if got := readFile(t, file); got != reviewsExpand {
		t.Fatalf("a refused move wrote the intent:\n%s", got)
	}

	// force with a reason overrides the hold and records the reason.
	var forced phaseOutput
	ok(t, cs, "set_phase", map[string]any{"rollout": "reviews", "phase": "half", "force": true, "reason": "hotfix for INC-42"}, &forced)
	got := readFile(t, file)
	// The new reason field is aligned with its neighbours, as gofmt and
	// cue fmt align them.
	if !strings.Contains(got, "\tphase:  \"half\" // the live phase\n") || !strings.Contains(got, "\treason: \"hotfix for INC-42\"\n") || !strings.Contains(got, "// reviews is advanced by the assistant") {
		t.Errorf("forced move:\n%s", got)
	}
	if !strings.HasPrefix(forced.Forced, "reviews has held expand for 0s of its 2h hold") {
		t.Errorf("forced = %q", forced.Forced)
	}
	// Back down the ladder needs no force.
	ok(t, cs, "set_phase", map[string]any{"rollout": "reviews", "phase": "canary"}, nil)
	if got := readFile(t, file); !strings.Contains(got, "\tphase: \"canary\" // the live phase\n") || strings.Contains(got, "reason") {
		t.Errorf("back to canary:\n%s", got)
	}

	// A YAML intent without phase or since gets both.
	ok(t, cs, "set_phase", map[string]any{"rollout": "shop/app", "phase": "canary"}, nil)
	if got, want := readFile(t, "intents/shop/app.yaml"), appYAML+"    phase: canary\n    since: \"2026-11-20T10:00:00Z\"\n"; got != want {
		t.Errorf("app.yaml:\n%s\nwant:\n%s", got, want)
	}

	// Rollback, with its reason; a second one has nothing to do.
	var rb phaseOutput
	txt = ok(t, cs, "rollback", map[string]any{"rollout": "app", "reason": "5xx on checkout"}, &rb)
	if rb.To != "rollback" || rb.After != (weights{100, 0}) || !strings.Contains(readFile(t, "intents/shop/app.yaml"), "    reason: \"5xx on checkout\"\n") {
		t.Errorf("rollback = %+v\n%s", rb, txt)
	}
	if txt := ok(t, cs, "rollback", map[string]any{"rollout": "app", "reason": "again"}, &rb); txt != "app is already rolled back since 2026-11-20T10:00:00Z; nothing to do\n" || len(rb.Written) != 0 {
		t.Errorf("second rollback: %q %+v", txt, rb)
	}
	if msg := toolErr(t, cs, "rollback", map[string]any{"rollout": "reviews"}); !strings.Contains(msg, "reason") {
		t.Errorf("rollback without a reason: %s", msg)
	}
}

func TestWriteErrors(t *testing.T) {
	scratchRepo(t, map[string]string{"outside/x.cue": "x: 1\n"})
	cs := connect(t, Options{})
	if msg := toolErr(t, cs, "set_phase", map[string]any{"rollout": "ratings", "phase": "expand"}); msg != `no rollout "ratings"; the intents define bookinfo/reviews, shop/app` {
		t.Errorf("unknown rollout: %s", msg)
	}
	if msg := toolErr(t, cs, "set_phase", map[string]any{"rollout": "reviews", "phase": "final"}); msg != `rollout reviews has no phase "final"; it has start, canary, expand, half, promote, rollback` {
		t.Errorf("unknown phase: %s", msg)
	}
	if msg := toolErr(t, cs, "lint", map[string]any{"paths": []string{"/etc"}}); msg != "/etc is outside the repository at "+mustRoot(t)+"; meshroll reads only inside the repository" {
		t.Errorf("lint outside: %s", msg)
	}
	if msg := toolErr(t, cs, "lint", map[string]any{"paths": []string{"-"}}); !strings.Contains(msg, "standard input") {
		t.Errorf("lint -: %s", msg)
	}
	// Invalid intent: the CLI's sentences, and nothing written.
	broken := strings.Replace(appYAML, "timeout: 5s", "timeout: soon", 1)
	if err := os.WriteFile("intents/shop/app.yaml", []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	msg := toolErr(t, cs, "set_phase", map[string]any{"rollout": "reviews", "phase": "expand"})
	if !strings.HasPrefix(msg, "intents/shop/app.yaml:8:14: ") || !strings.HasSuffix(msg, "\n1 problem in the intent; nothing was written") {
		t.Errorf("invalid intent: %s", msg)
	}
	if got := readFile(t, "intents/bookinfo/reviews.cue"); got != reviewsCUE {
		t.Errorf("invalid intent, yet reviews was written:\n%s", got)
	}
	for _, tool := range []string{"list_rollouts", "check"} {
		if msg := toolErr(t, cs, tool, map[string]any{}); !strings.HasSuffix(msg, "1 problem in the intent; nothing was written") {
			t.Errorf("%s on invalid intent: %s", tool, msg)
		}
	}
}

func mustRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

// TestConcurrentWrites sends the same move many times at once: the writes
// take turns, each on the intent as the one before left it, so exactly one
// makes the edit and the others find nothing to do.
func TestConcurrentWrites(t *testing.T) {
	scratchRepo(t, nil)
	cs := connect(t, Options{})
	const n = 8
	var wg sync.WaitGroup
	results := make([]phaseOutput, n)
	errs := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "set_phase", Arguments: map[string]any{"rollout": "reviews", "phase": "expand"}})
			if err != nil || res.IsError {
				errs[i] = fmt.Sprint(err, res)
				return
			}
			b, _ := json.Marshal(res.StructuredContent)
			json.Unmarshal(b, &results[i])
		}()
	}
	wg.Wait()
	edits := 0
	for i, r := range results {
		if errs[i] != "" {
			t.Errorf("call %d: %s", i, errs[i])
		}
		switch {
		case len(r.Written) == 1:
			edits++
		case r.Unchanged != "reviews is already at expand since 2026-11-20T10:00:00Z; nothing to do":
			t.Errorf("call %d: %+v", i, r)
		}
	}
	if edits != 1 {
		t.Errorf("%d calls edited the intent, want 1", edits)
	}
	if got := readFile(t, "intents/bookinfo/reviews.cue"); got != reviewsExpand {
		t.Errorf("after concurrent moves:\n%s", got)
	}
}

func TestDiffLintCheck(t *testing.T) {
	scratchRepo(t, nil)
	cs := connect(t, Options{})

	var chk checkOutput
	txt := ok(t, cs, "check", map[string]any{}, &chk)
	if !chk.UpToDate || len(chk.Stale) != 0 || !strings.HasPrefix(txt, "rendered is up to date with the intent\n") {
		t.Errorf("check before = %+v\n%s", chk, txt)
	}
	var report struct {
		Diagnostics []struct {
			Rule string `json:"rule"`
			File string `json:"file"`
		} `json:"diagnostics"`
		Summary struct {
			Files     int `json:"files"`
			Resources int `json:"resources"`
			Warnings  int `json:"warnings"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(chk.Report, &report); err != nil {
		t.Fatal(err)
	}
	if report.Summary.Warnings == 0 || report.Diagnostics[0].File != "intents/bookinfo/reviews.cue" {
		t.Errorf("check report = %+v", report)
	}

	var diff map[string]any
	txt = ok(t, cs, "diff", map[string]any{}, &diff)
	if txt != "the working tree changes nothing against HEAD\n" {
		t.Errorf("diff of a clean tree: %s", txt)
	}

	ok(t, cs, "set_phase", map[string]any{"rollout": "reviews", "phase": "expand"}, nil)
	txt = ok(t, cs, "check", map[string]any{}, &chk)
	if chk.UpToDate || len(chk.Stale) != 1 || chk.Stale[0].Path != "rendered/bookinfo/reviews.yaml" || chk.Fix != "meshroll render" ||
		!strings.Contains(txt, "rendered/bookinfo/reviews.yaml: stale: it differs from what the intent renders") {
		t.Errorf("check after = %+v\n%s", chk, txt)
	}
	txt = ok(t, cs, "diff", map[string]any{"base": "HEAD"}, &diff)
	for _, s := range []string{"reviews", "canary", "expand", "75"} {
		if !strings.Contains(txt, s) {
			t.Errorf("diff lacks %q:\n%s", s, txt)
		}
	}
	if b, _ := json.Marshal(diff); !strings.Contains(string(b), "expand") {
		t.Errorf("diff data lacks the new phase: %s", b)
	}
	if msg := toolErr(t, cs, "diff", map[string]any{"base": "no-such-branch"}); !strings.Contains(msg, "no-such-branch") {
		t.Errorf("diff against a missing revision: %s", msg)
	}

	var lint findings
	txt = ok(t, cs, "lint", map[string]any{"paths": []string{"rendered"}}, &lint)
	if err := json.Unmarshal(lint.Report, &report); err != nil {
		t.Fatal(err)
	}
	if report.Summary.Files != 4 || report.Summary.Resources != 5 || lint.FailOn != "error" || lint.Fails || !strings.Contains(txt, "MR301") {
		t.Errorf("lint = %+v %+v\n%s", lint, report.Summary, txt)
	}
	// Without paths, the rendered tree of the configuration.
	var all findings
	ok(t, cs, "lint", map[string]any{}, &all)
	if string(all.Report) != string(lint.Report) {
		t.Errorf("lint without paths:\n%s\nwant\n%s", all.Report, lint.Report)
	}
}

func TestGate(t *testing.T) {
	analysis := `rollouts: cart: {
	namespace: "shop"
	stable: subset: "v1"
	canary: subset: "v2"
	phase: "canary"
	since: "2026-11-20T09:30:00Z"
	analysis: metrics: [
		{name: "success", template: "request-success-rate", min: 99},
		{name: "latency", template: "request-duration", max: 500},
	]
}
`
	scratchRepo(t, map[string]string{"intents/shop/cart.cue": analysis})
	cs := connect(t, Options{})
	if msg := toolErr(t, cs, "gate", map[string]any{"rollout": "cart"}); msg != "no Prometheus to query: set prometheus.url in .meshroll.yaml" {
		t.Errorf("gate without Prometheus: %s", msg)
	}
	if msg := toolErr(t, cs, "gate", map[string]any{"rollout": "reviews"}); msg != "rollout bookinfo/reviews has no analysis to gate on; add an analysis block to its intent" {
		t.Errorf("gate without analysis: %s", msg)
	}

	// A Prometheus that answers the instant queries of Prometheus's HTTP
	// API: the canary answers 97% of requests, in 40ms.
	var queries []string
	var mu sync.Mutex
	prom := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/query" {
			http.NotFound(w, r)
			return
		}
		r.ParseForm()
		q := r.Form.Get("query")
		mu.Lock()
		queries = append(queries, q)
		mu.Unlock()
		v := "97"
		if strings.Contains(q, "histogram_quantile") {
			v = "40"
		}
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[%d,%q]}]}}`, testNow.Unix(), v)
	}))
	defer prom.Close()
	cfg := fmt.Sprintf("intents: intents\nout: rendered\nprometheus:\n  url: %s\n  tokenEnv: PROM_TOKEN\n", prom.URL)
	if err := os.WriteFile(".meshroll.yaml", []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if msg := toolErr(t, cs, "gate", map[string]any{"rollout": "cart"}); !strings.Contains(msg, "PROM_TOKEN") {
		t.Errorf("gate without the token: %s", msg)
	}
	cs = connect(t, Options{Getenv: func(k string) string {
		if k == "PROM_TOKEN" {
			return "secret"
		}
		return ""
	}})
	var verdict struct {
		Rollouts []struct {
			Rollout string `json:"rollout"`
			Verdict string `json:"verdict"`
		} `json:"rollouts"`
	}
	txt := ok(t, cs, "gate", map[string]any{"rollout": "cart"}, &verdict)
	if len(verdict.Rollouts) != 1 || verdict.Rollouts[0].Verdict != "fail" || !strings.Contains(txt, "fail     success  97  min 99") {
		t.Errorf("gate = %+v\n%s", verdict, txt)
	}
	if len(queries) != 2 || !strings.Contains(queries[0], `destination_service_name="cart"`) {
		t.Errorf("queries = %q", queries)
	}
	var list listOutput
	ok(t, cs, "list_rollouts", map[string]any{}, &list)
	for _, r := range list.Rollouts {
		switch {
		case r.ID == "shop/cart" && (r.Gate == nil || r.Gate.Verdict != "fail" || !r.Analysis):
			t.Errorf("list: cart's gate = %+v", r.Gate)
		case r.ID != "shop/cart" && r.Gate != nil:
			t.Errorf("list: %s has no analysis, yet a gate %+v", r.ID, r.Gate)
		}
	}
}
