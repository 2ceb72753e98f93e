package repo

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshroll/meshroll/internal/config"
	"github.com/meshroll/meshroll/internal/tree"
)

func TestCheckOut(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, d := range []string{".git", "intents", "rendered"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Parse(filepath.Join(dir, ".meshroll.yaml"), []byte("out: rendered\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		out      string
		fromFlag bool
		err      string
	}{
		{out: "rendered"},
		{out: "../elsewhere", fromFlag: true},
		{out: "../elsewhere", err: "outside the repository"},
		{out: ".", err: "is the repository's root"},
		{out: "intents/rendered", err: "lies inside the intents intents"},
		{out: "../" + filepath.Base(dir), fromFlag: true, err: "is the repository's root"},
	} {
		err := CheckOut(cfg, tt.out, tt.fromFlag, []string{"intents"})
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("CheckOut(%q, fromFlag %v) = %v, want %q", tt.out, tt.fromFlag, err, tt.err)
		}
	}
	root, err := Root(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := filepath.EvalSymlinks(dir); root != want {
		t.Errorf("Root = %s, want %s", root, want)
	}
	// Without a configuration file, the git repository of the working
	// directory.
	if err := os.Chdir("intents"); err != nil {
		t.Fatal(err)
	}
	if root, err := Root(&config.Config{}); err != nil || root != filepath.Dir(realWD(t)) {
		t.Errorf("Root without configuration = %s, %v", root, err)
	}
}

func realWD(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	real, err := filepath.EvalSymlinks(wd)
	if err != nil {
		t.Fatal(err)
	}
	return real
}

func TestWriteStale(t *testing.T) {
	var b bytes.Buffer
	if WriteStale(&b, &CheckResult{}, "rendered", "meshroll render", false) || b.String() != "rendered is up to date with the intent\n" {
		t.Errorf("up to date: %q", b.String())
	}
	b.Reset()
	res := &CheckResult{Changes: []tree.Change{{Op: tree.Create, Path: "a.yaml"}, {Op: tree.Delete, Path: "b.yaml"}}}
	want := "rendered/a.yaml: missing: the intent renders it, the tree lacks it\n" +
		"rendered/b.yaml: orphaned: generated, but the intent no longer renders it\n" +
		"rendered is out of date with the intent (2 files); run: meshroll render\n"
	if !WriteStale(&b, res, "rendered", "meshroll render", false) || b.String() != want {
		t.Errorf("stale:\n%s\nwant:\n%s", b.String(), want)
	}
}
