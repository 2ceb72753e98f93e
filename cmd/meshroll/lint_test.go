package main

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/meshroll/meshroll/internal/config"
	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/repo"
)

func TestResolveLint(t *testing.T) {
	cfgFile := `out: rendered
lint:
  failOn: warning
  disable: [MR104, MR207]
  enable: [MR207]
  severity: {MR301: error}
  policies: [policies/acme]
  namespace: team
`
	cfg, err := config.Parse("repo/.meshroll.yaml", []byte(cfgFile))
	if err != nil {
		t.Fatal(err)
	}
	none := &config.Config{}
	configured, err := config.Parse("repo/.meshroll.yaml", []byte("intents: intents\nout: rendered\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		cfg  *config.Config
		want repo.LintOptions
		err  string
	}{{
		name: "defaults",
		args: []string{"deploy"},
		cfg:  none,
		want: repo.LintOptions{Paths: []string{"deploy"}, Format: "text", FailOn: lint.Error},
	}, {
		name: "configuration",
		args: []string{"a.yaml", "-"},
		cfg:  cfg,
		want: repo.LintOptions{Paths: []string{"a.yaml", "-"}, Format: "text", FailOn: lint.Warning, Namespace: "team",
			Policies: []string{"repo/policies/acme"}, Disabled: map[string]bool{"MR104": true},
			Severity: map[string]lint.Severity{"MR301": lint.Error}},
	}, {
		name: "flags override the configuration",
		args: []string{"-o", "sarif", "--fail-on=info", "--disable", "MR301,MR302", "--disable", "MR303", "--enable", "MR104",
			"--severity", "MR201=warning", "--namespace", "shop", "--policy", "p1", "--policy", "p2", "x"},
		cfg: cfg,
		want: repo.LintOptions{Paths: []string{"x"}, Format: "sarif", FailOn: lint.Info, Namespace: "shop",
			Policies: []string{"repo/policies/acme", "p1", "p2"},
			Disabled: map[string]bool{"MR301": true, "MR302": true, "MR303": true},
			Severity: map[string]lint.Severity{"MR301": lint.Error, "MR201": lint.Warning}},
	}, {
		name: "a configured repository reports findings on its rendered tree at the intent's lines",
		cfg:  configured,
		want: repo.LintOptions{Paths: []string{"repo/rendered"}, Format: "text", FailOn: lint.Error,
			Rendered: "repo/rendered", RenderedFrom: "repo/intents"},
	}, {
		name: "no paths lints the rendered tree",
		cfg:  cfg,
		want: repo.LintOptions{Paths: []string{"repo/rendered"}, Format: "text", FailOn: lint.Warning, Namespace: "team",
			Policies: []string{"repo/policies/acme"}, Disabled: map[string]bool{"MR104": true},
			Severity: map[string]lint.Severity{"MR301": lint.Error}},
	}, {
		name: "no paths and no configuration",
		cfg:  none,
		err:  "name the manifests to lint",
	}, {
		name: "bad format",
		args: []string{"-o", "xml", "a"},
		cfg:  none,
		err:  `unknown output format "xml"`,
	}, {
		name: "bad threshold",
		args: []string{"--fail-on", "fatal", "a"},
		cfg:  none,
		err:  `--fail-on: unknown severity "fatal"`,
	}, {
		name: "enabled and disabled",
		args: []string{"--disable", "MR104", "--enable", "MR104", "a"},
		cfg:  none,
		err:  "MR104 is both in --disable and --enable",
	}, {
		name: "bad severity",
		args: []string{"--severity", "MR301", "a"},
		cfg:  none,
		err:  `--severity "MR301": want ID=error|warning|info`,
	}, {
		name: "unknown flag",
		args: []string{"--fial-on", "error"},
		cfg:  none,
		err:  "unknown flag: --fial-on",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseLintFlags(tt.args)
			var got repo.LintOptions
			if err == nil {
				got, err = repo.ResolveLint(f.settings(), tt.cfg)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.Origin = nil
			got.Exclude = nil
			if len(got.Disabled) == 0 {
				got.Disabled = nil
			}
			if len(got.Severity) == 0 {
				got.Severity = nil
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestCheckRuleIDs(t *testing.T) {
	cfg, err := config.Parse("repo/.meshroll.yaml", []byte("lint:\n  disable: [MR104, MR999]\n"))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := parseLintFlags([]string{"--enable", "XX1", "a"})
	o, err := repo.ResolveLint(f.settings(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = repo.CheckRuleIDs(o, lint.All())
	want := "--enable: XX1 is not a rule (meshroll rules lists them)\nrepo/.meshroll.yaml:2:20: MR999 is not a rule (meshroll rules lists them)"
	if err == nil || err.Error() != want {
		t.Errorf("checkRuleIDs = %v, want\n%s", err, want)
	}
}

func TestUseColor(t *testing.T) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	file, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	env := func(noColor string) func(string) string {
		return func(k string) string {
			if k == "NO_COLOR" {
				return noColor
			}
			return ""
		}
	}
	for _, tt := range []struct {
		name    string
		out     *os.File
		noColor string
		want    bool
	}{
		{"character device", devNull, "", true},
		{"character device with NO_COLOR", devNull, "1", false},
		{"regular file", file, "", false},
	} {
		if got := useColor(&app{stdout: &bytes.Buffer{}, terminal: isTerminal(tt.out), getenv: env(tt.noColor)}); got != tt.want {
			t.Errorf("%s: useColor = %v, want %v", tt.name, got, tt.want)
		}
	}
}
