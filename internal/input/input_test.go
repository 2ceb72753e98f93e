package input

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// tree creates files (path → content; a content starting with "->" makes a
// symbolic link to the rest) under a new directory, which it returns.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasPrefix(c, "->"):
			err = os.Symlink(strings.TrimPrefix(c, "->"), full)
		case strings.HasSuffix(p, "/"):
			err = os.MkdirAll(full, 0o755)
		default:
			err = os.WriteFile(full, []byte(c), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func rels(es []Entry) string {
	var out []string
	for _, e := range es {
		s := e.Rel
		if e.Unit {
			s += "(unit)"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

var manifests = Options{Extensions: []string{".yaml", ".yml", ".json"}, SkipDirs: []string{"cue.mod"}}

func TestWalkPolicy(t *testing.T) {
	root := tree(t, map[string]string{
		".git/HEAD":                 "ref",
		"repo/a.yaml":               "a",
		"repo/B.YML":                "b",
		"repo/notes.txt":            "not a manifest",
		"repo/.hidden.yaml":         "hidden file",
		"repo/.hdir/x.yaml":         "hidden dir",
		"repo/cue.mod/m.yaml":       "module",
		"repo/sub/c.json":           "c",
		"repo/sub/deeper/d.yml":     "d",
		"repo/alias":                "->sub",          // a second path to sub: read once
		"repo/file-link.yaml":       "->sub/c.json",   // a link to a file read already
		"repo/shared":               "->../elsewhere", // inside the repository, outside the argument
		"elsewhere/e.yaml":          "e",
		"repo/k/kustomization.yaml": "k",
	})
	opt := manifests
	opt.Unit = func(dir string) bool {
		_, err := os.Stat(filepath.Join(dir, "kustomization.yaml"))
		return err == nil
	}
	got, err := Walk([]string{filepath.Join(root, "repo")}, opt)
	if err != nil {
		t.Fatal(err)
	}
	// alias sorts before sub, so sub's files are read through it; the
	// link to c.json names a file already listed.
	want := "B.YML a.yaml alias/c.json alias/deeper/d.yml k(unit) shared/e.yaml"
	if g := rels(got); g != want {
		t.Errorf("walk found\n  %s\nwant\n  %s", g, want)
	}
	for _, e := range got {
		if !filepath.IsAbs(e.Real) || strings.Contains(e.Real, "alias") {
			t.Errorf("%s: Real = %s, want the resolved absolute path", e.Rel, e.Real)
		}
	}
}

func TestWalkSymlinkedArgument(t *testing.T) {
	// A symbolic link named on the command line is read whatever it is:
	// monorepos link intents directories.
	root := tree(t, map[string]string{
		"real/x.cue": "x",
		"intents":    "->real",
		"one.cue":    "->real/x.cue",
	})
	got, err := Walk([]string{filepath.Join(root, "intents"), filepath.Join(root, "one.cue")}, Options{Extensions: []string{".cue"}})
	if err != nil {
		t.Fatal(err)
	}
	if g := rels(got); g != "x.cue" {
		t.Errorf("got %q, want x.cue once", g)
	}
	if got[0].Path != filepath.Join(root, "intents", "x.cue") {
		t.Errorf("Path = %s, want it under the argument", got[0].Path)
	}
}

func TestWalkRefuses(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte("s"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"link outside the repository", map[string]string{".git/HEAD": "", "d/x.yaml": "->" + filepath.Join(outside, "secret.yaml")},
			"d/x.yaml: is a symbolic link to " + outside},
		{"link to a directory outside", map[string]string{".git/HEAD": "", "d/up": "->" + outside},
			"d/up: is a symbolic link to " + outside},
		{"loop", map[string]string{"d/sub/back": "->..", "d/a.yaml": "a"},
			"d/sub/back: is a symbolic link back to"},
		{"dangling", map[string]string{"d/gone.yaml": "->nowhere.yaml"},
			"d/gone.yaml: is a symbolic link that leads nowhere"},
		{"outside the argument without a repository", map[string]string{"d/x.yaml": "->../y.yaml", "y.yaml": "y"},
			"d/x.yaml: is a symbolic link to"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := tree(t, tc.files)
			got, err := Walk([]string{filepath.Join(root, "d")}, manifests)
			if err == nil {
				t.Fatalf("no error; found %s", rels(got))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
			var ie *Error
			if !errors.As(err, &ie) {
				t.Errorf("error %T is not an *Error", err)
			}
		})
	}
}

func TestWalkReportsNamedPipes(t *testing.T) {
	root := tree(t, map[string]string{"d/a.yaml": "a"})
	if err := syscall.Mkfifo(filepath.Join(root, "d", "p.yaml"), 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	_, err := Walk([]string{filepath.Join(root, "d")}, manifests)
	if err == nil || !strings.Contains(err.Error(), "p.yaml: is not a regular file (a named pipe)") {
		t.Errorf("error %v, want the named pipe reported", err)
	}
}

func TestWalkMissing(t *testing.T) {
	_, err := Walk([]string{filepath.Join(t.TempDir(), "nope")}, manifests)
	if err == nil || !strings.HasSuffix(err.Error(), "nope: no such file or directory") {
		t.Errorf("error %v", err)
	}
}

func TestExclude(t *testing.T) {
	root := tree(t, map[string]string{
		"a.yaml":                "",
		"drafts/b.yaml":         "",
		"x/drafts/c.yaml":       "",
		"x/keep.tmpl.yaml":      "",
		"x/y/z.tmpl.yaml":       "",
		"only/here.yaml":        "",
		"nested/only/here.yaml": "",
		"file-named-dir/drafts": "",
	})
	ex, err := NewExclude(root, []string{"drafts/", "**/*.tmpl.yaml", "!x/keep.tmpl.yaml", "/only"})
	if err != nil {
		t.Fatal(err)
	}
	opt := manifests
	opt.Exclude = ex
	got, err := Walk([]string{root}, opt)
	if err != nil {
		t.Fatal(err)
	}
	want := "a.yaml nested/only/here.yaml x/keep.tmpl.yaml"
	if g := rels(got); g != want {
		t.Errorf("got %s\nwant %s", g, want)
	}
	if !ex.Match(filepath.Join(root, "file-named-dir", "drafts"), true) || ex.Match(filepath.Join(root, "file-named-dir", "drafts"), false) {
		t.Error("a trailing slash should match directories only")
	}
	if _, err := NewExclude(root, []string{"a/[b"}); err == nil {
		t.Error("an invalid glob should be an error")
	}
}

func TestReadFileLimit(t *testing.T) {
	root := tree(t, map[string]string{"big": strings.Repeat("x", 100), "ok": "12345"})
	if _, err := ReadFile(filepath.Join(root, "big"), 99); err == nil {
		t.Error("a file over the limit should be an error")
	} else if _, ok := err.(*TooLargeError); !ok {
		t.Errorf("error %T, want *TooLargeError", err)
	}
	data, err := ReadFile(filepath.Join(root, "ok"), 5)
	if err != nil || string(data) != "12345" {
		t.Errorf("ReadFile = %q, %v", data, err)
	}
}
