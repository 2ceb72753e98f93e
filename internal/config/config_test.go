package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	c, err := Parse("repo/.meshroll.yaml", []byte(`# settings
intents: intents
out: rendered
istio: "1.31"
lint:
  failOn: warning
  disable: [MR104, MR207]
  enable: [MR104]
  severity: {MR301: error, ACME-1: info}
  policies: [policies/acme]
  namespace: team
prometheus:
  url: http://prometheus.monitoring:9090
  tokenEnv: PROMETHEUS_TOKEN
`))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Prometheus{URL: "http://prometheus.monitoring:9090", TokenEnv: "PROMETHEUS_TOKEN"}); c.Prometheus != want {
		t.Errorf("Prometheus = %+v, want %+v", c.Prometheus, want)
	}
	want := Lint{FailOn: "warning", Disable: []string{"MR104", "MR207"}, Enable: []string{"MR104"},
		Severity: map[string]string{"MR301": "error", "ACME-1": "info"}, Policies: []string{"policies/acme"}, Namespace: "team"}
	if !reflect.DeepEqual(c.Lint, want) || c.Intents != "intents" || c.Out != "rendered" || c.Istio != "1.31" {
		t.Errorf("Parse = %+v", c)
	}
	if got := c.Path(c.Lint.Policies[0]); got != filepath.Join("repo", "policies", "acme") {
		t.Errorf("Path = %q", got)
	}
	if got := c.IntentsPath(); got != filepath.Join("repo", "intents") {
		t.Errorf("IntentsPath = %q", got)
	}
	if got := c.Position("lint.disable[1]"); got != "repo/.meshroll.yaml:7:20" {
		t.Errorf("Position = %q", got)
	}
}

func TestParseLimits(t *testing.T) {
	tests := []struct {
		in   string
		want Limits
	}{
		{"limits: {memory: 2Gi, time: 45s}\n", Limits{Memory: 2 << 30, Time: 45 * time.Second}},
		{"limits: {memory: 512}\n", Limits{Memory: 512 << 20}},
		{"limits: {memory: 768MiB, time: 2m}\n", Limits{Memory: 768 << 20, Time: 2 * time.Minute}},
		{"limits: {memory: 1 GiB}\n", Limits{Memory: 1 << 30}},
		{"out: x\n", Limits{}},
	}
	for _, tt := range tests {
		c, err := Parse("f.yaml", []byte(tt.in))
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if c.Limits != tt.want {
			t.Errorf("Parse(%q).Limits = %+v, want %+v", tt.in, c.Limits, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"lint:\n  failon: error\n", `f.yaml:2:3: unknown key "failon" in lint (known: disable, enable, failOn, namespace, policies, severity)`},
		{"output: x\n", `f.yaml:1:1: unknown key "output" at the top level (known: exclude, intents, istio, limits, lint, out, prometheus)`},
		{"prometheus:\n  url: prometheus:9090\n", "f.yaml:2:8: prometheus.url must be an http or https URL"},
		{"prometheus:\n  tokenEnv: s3cr3t-t0ken\n", "f.yaml:2:13: prometheus.tokenEnv must name an environment variable"},
		{"prometheus:\n  token: abc\n", `f.yaml:2:3: unknown key "token" in prometheus (known: tokenEnv, url)`},
		{"istio: latest\n", `f.yaml:1:8: istio must be an Istio minor release such as "1.31"`},
		{"istio: 1.31.2\n", `f.yaml:1:8: istio must be an Istio minor release`},
		{"lint:\n  failOn: fatal\n", "f.yaml:2:11: lint.failOn must be one of error, warning, info"},
		{"lint:\n  disable: MR104\n", "f.yaml:2:12: lint.disable must be a list of rule IDs"},
		{"lint:\n  disable: [MR104, 1 2]\n", `f.yaml:2:20: "1 2" is not a rule ID`},
		{"lint:\n  severity: {MR301: fatal}\n", "f.yaml:2:21: lint.severity.MR301 must be one of"},
		{"lint: [a]\n", "f.yaml:1:7: lint must be a map"},
		{"intents: [a]\n", "f.yaml:1:10: intents must be a non-empty string"},
		{"intents: 3\n", "f.yaml:1:10: intents must be a non-empty string"},
		{"out: a\nout: b\n", `f.yaml:2:1: key "out" at the top level is set twice`},
		{"lint:\n  policies: [a, {b: c}]\n", "f.yaml:2:17: lint.policies[1] must be a non-empty string"},
		{"[a", "f.yaml: yaml:"},
		{"- a\n", "f.yaml:1:1: the file must be a map"},
		// Paths from the file stay inside the repository: a pull request
		// cannot point render at another project's files.
		{"out: ..\n", `f.yaml:1:6: out: ".." lies outside the repository`},
		{"out: a/../../b\n", `f.yaml:1:6: out: "a/../../b" lies outside the repository`},
		{"intents: /etc\n", `f.yaml:1:10: intents: "/etc" lies outside the repository`},
		{"lint:\n  policies: [ok, ../theirs]\n", `f.yaml:2:18: lint.policies[1]: "../theirs" lies outside the repository`},
		{"exclude: drafts\n", "f.yaml:1:10: exclude must be a list of patterns"},
		{"exclude: [\"a/[b\"]\n", `f.yaml:1:11: exclude[0]: exclude pattern "a/[b" is not a valid glob`},
		{"lint:\n  namespace: Prod_1\n", `f.yaml:2:14: lint.namespace: "Prod_1" is not a namespace name`},
		{"limits:\n  memory: 2Gb\n", "f.yaml:2:11: limits.memory must be a size from 128Mi to 1024Gi"},
		{"limits:\n  memory: 64Mi\n", "f.yaml:2:11: limits.memory must be a size"},
		{"limits:\n  memory: [1]\n", "f.yaml:2:11: limits.memory must be a size"},
		{"limits:\n  time: 30\n", "f.yaml:2:9: limits.time must be a duration from 100ms to 1h"},
		{"limits:\n  time: 2h\n", "f.yaml:2:9: limits.time must be a duration"},
		{"limits:\n  cpu: 2\n", `f.yaml:2:3: unknown key "cpu" in limits (known: memory, time)`},
	}
	for _, tt := range tests {
		_, err := Parse("f.yaml", []byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
	// An unquoted 1.30 is a YAML number; its text is the release.
	if c, err := Parse("f.yaml", []byte("istio: 1.30\n")); err != nil || c.Istio != "1.30" {
		t.Errorf("istio: 1.30 = %+v, %v", c, err)
	}
	if c, err := Parse("f.yaml", nil); err != nil || c.IntentsPath() != "intents" {
		t.Errorf("empty file: %v %v", c, err)
	}
}

func TestFind(t *testing.T) {
	repo := t.TempDir()
	sub := filepath.Join(repo, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if p, err := Find(sub); err != nil || p != "" {
		t.Errorf("without a file: Find = %q, %v", p, err)
	}
	cfg := filepath.Join(repo, FileName)
	if err := os.WriteFile(cfg, []byte("out: rendered\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A .meshroll.yaml below the root is not the repository's.
	if err := os.WriteFile(filepath.Join(sub, FileName), []byte("bogus: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Find(sub)
	if err != nil || p != cfg {
		t.Errorf("Find = %q, %v; want %q", p, err, cfg)
	}
	c, err := Discover(sub)
	if err != nil || c.Out != "rendered" || c.Path(c.Out) != filepath.Join(repo, "rendered") {
		t.Errorf("Discover = %+v, %v", c, err)
	}
	// A git worktree or submodule has a .git file, not a directory.
	wt := t.TempDir()
	if err := os.WriteFile(filepath.Join(wt, ".git"), []byte("gitdir: /elsewhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wt, FileName), []byte("intents: specs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := Discover(wt); err != nil || c.Intents != "specs" {
		t.Errorf("worktree: Discover = %+v, %v", c, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("intents: intents\nlint: {failOn: error, disable: [MR104], severity: {MR301: info}}\n"))
	f.Add([]byte("lint: &a {enable: *a}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.yaml", data)
		if err == nil && c == nil {
			t.Fatal("nil config without error")
		}
	})
}
