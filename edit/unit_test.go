package edit

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshroll/meshroll/schema"
)

var when = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// TestCUENotLiteral covers phase values that cannot be edited in place,
// including ones the schema would not load (a default is not concrete to
// it), since the CUE editor must refuse them on its own.
func TestCUENotLiteral(t *testing.T) {
	for _, tt := range []struct{ value, want string }{
		{`_live`, "a reference"},
		{`#Phases.live`, "a reference"},
		{`*"canary" | "expand"`, "a default"},
		{`("canary" | *"expand")`, "a default"},
		{`len("x")`, "a call"},
		{`[1][0]`, "a reference"},
		{`-1`, "an expression"},
		{`"canary" | "expand"`, "a disjunction"},
		{`"canary" & string`, "a unification"},
		{`"\(_x)"`, "an interpolation"},
		{`'canary'`, "the literal 'canary'"},
		{`strings.ToLower("X")`, "a call"},
		{`5`, "the literal 5"},
	} {
		src := "rollouts: reviews: {\n\tstable: subset: \"v1\"\n\tphase: " + tt.value + "\n}\n"
		f, err := parseCUE("x.cue", []byte(src))
		if err != nil {
			t.Fatalf("%s: %v", tt.value, err)
		}
		_, err = editCUE([]*cueFile{f}, "reviews", []setting{{fieldPhase, "expand"}, {fieldSince, "2026-11-21T10:00:00Z"}}, nil)
		want := "x.cue:3:9: rollout reviews: phase is " + tt.want + ", not a string literal"
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("phase: %s: error %v, want %q", tt.value, err, want)
		}
	}
}

// TestCUENotDeclared refuses a rollout that only a pattern or a
// comprehension declares.
func TestCUENotDeclared(t *testing.T) {
	for _, src := range []string{
		"rollouts: [string]: phase: \"canary\"\n",
		"for n in [\"reviews\"] {rollouts: (n): stable: subset: \"v1\"}\n",
		"rollouts?: reviews: phase: \"canary\"\n",
	} {
		f, err := parseCUE("x.cue", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		_, err = editCUE([]*cueFile{f}, "reviews", []setting{{fieldPhase, "expand"}}, nil)
		if err == nil || !strings.Contains(err.Error(), "rollout reviews is not declared as `rollouts: reviews: {...}` in x.cue") {
			t.Errorf("%q: error %v", src, err)
		}
	}
}

// TestNoFinalNewline adds fields to files that do not end in a line break;
// they still do not.
func TestNoFinalNewline(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"x.cue",
			"rollouts: reviews: stable: subset: \"v1\"\nrollouts: reviews: canary: subset: \"v2\"",
			"rollouts: reviews: stable: subset: \"v1\"\nrollouts: reviews: canary: subset: \"v2\"\nrollouts: reviews: phase: \"canary\"\nrollouts: reviews: since: \"2026-11-21T10:00:00Z\""},
		{"x.cue",
			"rollouts: reviews: {\n\tstable: subset: \"v1\"\n\tcanary: subset: \"v2\"}",
			"rollouts: reviews: {\n\tstable: subset: \"v1\"\n\tcanary: subset: \"v2\", phase: \"canary\", since: \"2026-11-21T10:00:00Z\"}"},
		{"x.yaml",
			"rollouts:\n  reviews:\n    stable: {subset: v1}\n    canary: {subset: v2}",
			"rollouts:\n  reviews:\n    stable: {subset: v1}\n    canary: {subset: v2}\n    phase: canary\n    since: \"2026-11-21T10:00:00Z\""},
		{"x.yaml",
			"rollouts:\r\n  reviews:\r\n    phase: start\r\n    stable: {subset: v1}\r\n    canary: {subset: v2}",
			"rollouts:\r\n  reviews:\r\n    phase: canary\r\n    since: \"2026-11-21T10:00:00Z\"\r\n    stable: {subset: v1}\r\n    canary: {subset: v2}"},
		{"x.json",
			"{\"rollouts\": {\"reviews\": {\"stable\": {\"subset\": \"v1\"}, \"canary\": {\"subset\": \"v2\"}}}}",
			"{\"rollouts\": {\"reviews\": {\"stable\": {\"subset\": \"v1\"}, \"canary\": {\"subset\": \"v2\"}, \"phase\": \"canary\", \"since\": \"2026-11-21T10:00:00Z\"}}}"},
	} {
		r, _ := loadOne(t, tt.name, tt.in, "reviews")
		e, err := SetPhase(r, "canary", when)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		if len(e.Files) != 1 || string(e.Files[0].New) != tt.want {
			t.Errorf("%q:\ngot  %q\nwant %q", tt.in, e.Files[0].New, tt.want)
		}
	}
}

// loadOne writes one intent file and returns its rollout called name.
func loadOne(t *testing.T, file, src, name string) (*schema.Rollout, string) {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, file)
	if err := os.WriteFile(p, []byte(src), 0o640); err != nil {
		t.Fatal(err)
	}
	in, err := schema.Load([]string{dir})
	if err != nil {
		t.Fatalf("%q does not load: %v", src, err)
	}
	r, err := in.Find(name)
	if err != nil {
		t.Fatal(err)
	}
	return r, p
}

const plainIntent = "rollouts: reviews: {\n\tstable: subset: \"v1\"\n\tcanary: subset: \"v2\"\n\tphase: \"canary\"\n}\n"

func TestSetPhaseErrors(t *testing.T) {
	r, p := loadOne(t, "x.cue", plainIntent, "reviews")
	if _, err := SetPhase(r, "nope", when); err == nil || err.Error() != `rollout reviews has no phase "nope"` {
		t.Errorf("unknown phase: %v", err)
	}
	if err := os.WriteFile(p, []byte("rollouts: reviews: {"), 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := SetPhase(r, "expand", when); err == nil || !strings.Contains(err.Error(), "x.cue") {
		t.Errorf("a file that no longer parses: %v", err)
	}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if _, err := SetPhase(r, "expand", when); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file that is gone: %v", err)
	}
}

func TestSinceIsUTCSeconds(t *testing.T) {
	r, _ := loadOne(t, "x.cue", plainIntent, "reviews")
	local := time.Date(2026, 11, 21, 11, 0, 0, 999e6, time.FixedZone("CET", 3600))
	e, err := SetPhase(r, "expand", local)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(e.Files[0].New, []byte(`since: "2026-11-21T10:00:00Z"`)) || !e.Since.Equal(when) || e.Since.Location() != time.UTC {
		t.Errorf("since %v, file:\n%s", e.Since, e.Files[0].New)
	}
	if e.Rollout != "default/reviews" || e.From != "canary" || e.To != "expand" {
		t.Errorf("edit %+v", e)
	}
}

func TestApply(t *testing.T) {
	t.Run("keeps permissions", func(t *testing.T) {
		r, p := loadOne(t, "x.cue", plainIntent, "reviews")
		e, err := SetPhase(r, "expand", when)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Apply(); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o640 {
			t.Errorf("mode %v, %v; want 0640", fi.Mode(), err)
		}
		ents, _ := os.ReadDir(filepath.Dir(p))
		if len(ents) != 1 {
			t.Errorf("the directory holds %d files after Apply, want 1", len(ents))
		}
	})
	t.Run("refuses a file changed meanwhile", func(t *testing.T) {
		r, p := loadOne(t, "x.cue", plainIntent, "reviews")
		e, err := SetPhase(r, "expand", when)
		if err != nil {
			t.Fatal(err)
		}
		changed := strings.Replace(plainIntent, "v2", "v3", 1)
		if err := os.WriteFile(p, []byte(changed), 0o640); err != nil {
			t.Fatal(err)
		}
		if err := e.Apply(); err == nil || !strings.Contains(err.Error(), "changed since meshroll read it") {
			t.Errorf("Apply: %v", err)
		}
		if b, _ := os.ReadFile(p); string(b) != changed {
			t.Errorf("the file was written:\n%s", b)
		}
		ents, _ := os.ReadDir(filepath.Dir(p))
		if len(ents) != 1 {
			t.Errorf("the directory holds %d files, want 1", len(ents))
		}
	})
	t.Run("follows a symbolic link", func(t *testing.T) {
		dir := t.TempDir()
		real := filepath.Join(dir, "real")
		if err := os.Mkdir(real, 0o755); err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(real, "x.cue")
		if err := os.WriteFile(target, []byte(plainIntent), 0o644); err != nil {
			t.Fatal(err)
		}
		intents := filepath.Join(dir, "intents")
		if err := os.Mkdir(intents, 0o755); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(intents, "x.cue")
		if err := os.Symlink(target, link); err != nil {
			t.Skip("no symbolic links here:", err)
		}
		// The loader reads a link named on the command line; it does not
		// follow links while walking a directory.
		in, err := schema.Load([]string{link})
		if err != nil || len(in.Rollouts) != 1 {
			t.Fatal(in, err)
		}
		e, err := SetPhase(in.Rollouts[0], "expand", when)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Apply(); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
		}
		if b, _ := os.ReadFile(target); !bytes.Contains(b, []byte(`phase: "expand"`)) {
			t.Errorf("the link's target was not edited:\n%s", b)
		}
	})
	t.Run("refuses a link out of the repository", func(t *testing.T) {
		outside := filepath.Join(t.TempDir(), "x.cue")
		if err := os.WriteFile(outside, []byte(plainIntent), 0o644); err != nil {
			t.Fatal(err)
		}
		repo := t.TempDir()
		if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(repo, "x.cue")
		if err := os.Symlink(outside, link); err != nil {
			t.Fatal(err)
		}
		in, err := schema.Load([]string{link})
		if err != nil {
			t.Fatal(err)
		}
		e, err := SetPhase(in.Rollouts[0], "expand", when)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Apply(); err == nil || !strings.Contains(err.Error(), "outside the repository") {
			t.Errorf("Apply = %v, want a refusal", err)
		}
		if b, _ := os.ReadFile(outside); string(b) != plainIntent {
			t.Errorf("the file outside the repository was edited:\n%s", b)
		}
	})
	t.Run("refuses a read-only file", func(t *testing.T) {
		r, p := loadOne(t, "x.cue", plainIntent, "reviews")
		if err := os.Chmod(p, 0o444); err != nil {
			t.Fatal(err)
		}
		e, err := SetPhase(r, "expand", when)
		if err != nil {
			t.Fatal(err)
		}
		var ro *ReadOnlyError
		if err := e.Apply(); !errors.As(err, &ro) {
			t.Errorf("Apply = %v, want a ReadOnlyError", err)
		}
		if b, _ := os.ReadFile(p); string(b) != plainIntent {
			t.Errorf("a read-only file was replaced:\n%s", b)
		}
	})
}

func TestDiff(t *testing.T) {
	e := Edit{Files: []File{{Path: "intents/x.cue", Old: []byte("a\nb\nc\nd\ne\nf\ng\nh\n"), New: []byte("a\nb\nc\nd\nE\nf\ng\nh\n")}}}
	want := "diff a/intents/x.cue b/intents/x.cue\n--- a/intents/x.cue\n+++ b/intents/x.cue\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
	if got := string(e.Diff()); got != want {
		t.Errorf("Diff:\n%s\nwant:\n%s", got, want)
	}
}
