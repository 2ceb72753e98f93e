package tree

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshroll/meshroll/internal/rawfile"
)

const hdr = "# generated\n"

var opt = Options{Header: hdr}

func files(kv ...string) []File {
	var out []File
	for i := 0; i < len(kv); i += 2 {
		out = append(out, File{Path: kv[i], Content: []byte(hdr + kv[i+1])})
	}
	return out
}

// snapshot returns every file under dir with its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			got[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return got
}

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWriteCreatesUpdatesAndRemoves(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	changes, err := Write(dir, files("a/x.yaml", "1", "a/y.yaml", "2", "b/z.yaml", "3"), opt)
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{"a/x.yaml", Create}, {"a/y.yaml", Create}, {"b/z.yaml", Create}}
	if !reflect.DeepEqual(changes, want) {
		t.Fatalf("first write: %v, want %v", changes, want)
	}
	// Unchanged input changes nothing.
	if changes, err := Write(dir, files("a/x.yaml", "1", "a/y.yaml", "2", "b/z.yaml", "3"), opt); err != nil || len(changes) != 0 {
		t.Fatalf("second write: %v %v, want no changes", changes, err)
	}
	write(t, filepath.Join(dir, "b", "notes.md"), "mine")
	write(t, filepath.Join(dir, "c", "own.yaml"), "not generated")
	changes, err = Write(dir, files("a/x.yaml", "1 changed", "b/z.yaml", "3"), opt)
	if err != nil {
		t.Fatal(err)
	}
	want = []Change{{"a/x.yaml", Update}, {"a/y.yaml", Delete}}
	if !reflect.DeepEqual(changes, want) {
		t.Fatalf("third write: %v, want %v", changes, want)
	}
	got := snapshot(t, dir)
	wantFiles := map[string]string{"a/x.yaml": hdr + "1 changed", "b/z.yaml": hdr + "3", "b/notes.md": "mine", "c/own.yaml": "not generated"}
	if !reflect.DeepEqual(got, wantFiles) {
		t.Fatalf("tree holds %v, want %v", got, wantFiles)
	}
	// Removing the last generated file of a directory removes the directory.
	if _, err := Write(dir, files("b/z.yaml", "3"), opt); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty directory a was left behind: %v", err)
	}
}

func TestWriteRefusesFilesItDidNotGenerate(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a", "x.yaml"), hdr+"old")
	write(t, filepath.Join(dir, "a", "y.yaml"), "hand-written")
	if err := os.Mkdir(filepath.Join(dir, "a", "d.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	_, err := Write(dir, files("a/x.yaml", "new", "a/y.yaml", "new", "a/d.yaml", "new", "link/z.yaml", "new"), opt)
	var ce *ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("Write = %v, want a ConflictError", err)
	}
	if want := []string{"a/y.yaml", "a/d.yaml", "link/z.yaml"}; !reflect.DeepEqual(ce.Paths, want) {
		t.Errorf("conflicts %v, want %v", ce.Paths, want)
	}
	if !strings.Contains(err.Error(), "Nothing was written") {
		t.Errorf("error %q does not say nothing was written", err)
	}
	if after := snapshot(t, dir); !reflect.DeepEqual(after, before) {
		t.Errorf("a refused write changed the tree: %v, was %v", after, before)
	}
	if got := snapshot(t, outside); len(got) != 0 {
		t.Errorf("wrote through a symbolic link: %v", got)
	}
}

func TestWriteFailureLeavesPreviousTree(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, files("a.yaml", "1", "b.yaml", "2"), opt); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	// Writes run concurrently: fail one file by name, whatever the order.
	writeFile = func(name string, data []byte, perm os.FileMode) error {
		if strings.Contains(filepath.ToSlash(name), "c/c.yaml") {
			return errors.New("disk full")
		}
		return os.WriteFile(name, data, perm)
	}
	defer func() { writeFile = rawfile.WriteFile }()
	_, err := Write(dir, files("a.yaml", "1 new", "b.yaml", "2 new", "c/c.yaml", "3", "d.yaml", "4"), opt)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Write = %v, want the injected failure", err)
	}
	if after := snapshot(t, dir); !reflect.DeepEqual(after, before) {
		t.Errorf("a failed write changed the tree:\n%v\nwas\n%v", after, before)
	}
}

func TestInterruptedWriteIsFinishedByTheNext(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, files("a.yaml", "1", "old.yaml", "x"), opt); err != nil {
		t.Fatal(err)
	}
	// The state a write leaves when killed after its commit point: new
	// contents beside their targets, the journal, nothing renamed yet.
	write(t, filepath.Join(dir, "a.yaml"+tmpSuffix), hdr+"1 new")
	write(t, filepath.Join(dir, "n", "b.yaml"+tmpSuffix), hdr+"2")
	j, _ := json.Marshal(journal{Renames: [][2]string{{"a.yaml" + tmpSuffix, "a.yaml"}, {"n/b.yaml" + tmpSuffix, "n/b.yaml"}}, Deletes: []string{"old.yaml"}})
	write(t, filepath.Join(dir, journalName), string(j))

	if _, err := Diff(dir, files("a.yaml", "1 new", "n/b.yaml", "2"), opt); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Diff on an interrupted tree = %v, want ErrInterrupted", err)
	}
	changes, err := Write(dir, files("a.yaml", "1 new", "n/b.yaml", "2"), opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 0 {
		t.Errorf("after recovery the tree should already be current, got changes %v", changes)
	}
	want := map[string]string{"a.yaml": hdr + "1 new", "n/b.yaml": hdr + "2"}
	if got := snapshot(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("tree holds %v, want %v", got, want)
	}
}

func TestFailedWriteBeforeCommitIsDiscarded(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, files("a.yaml", "1"), opt); err != nil {
		t.Fatal(err)
	}
	// Killed before the journal: a temporary file and nothing else.
	write(t, filepath.Join(dir, "a.yaml"+tmpSuffix), hdr+"half")
	changes, err := Diff(dir, files("a.yaml", "1"), opt)
	if err != nil || len(changes) != 0 {
		t.Fatalf("Diff = %v, %v; a temporary file is not part of the tree", changes, err)
	}
	if err := Recover(dir, opt); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a.yaml": hdr + "1"}
	if got := snapshot(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("tree holds %v, want %v", got, want)
	}
}

func TestDiff(t *testing.T) {
	dir := t.TempDir()
	if changes, err := Diff(filepath.Join(dir, "missing"), files("a.yaml", "1"), opt); err != nil || !reflect.DeepEqual(changes, []Change{{"a.yaml", Create}}) {
		t.Fatalf("Diff of a missing directory = %v, %v", changes, err)
	}
	write(t, filepath.Join(dir, "a.yaml"), hdr+"old")
	write(t, filepath.Join(dir, "gone.yaml"), hdr+"x")
	write(t, filepath.Join(dir, "mine.yaml"), "mine")
	write(t, filepath.Join(dir, ".git", "x.yaml"), hdr+"in a hidden directory")
	changes, err := Diff(dir, files("a.yaml", "new", "b.yaml", "b"), opt)
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{"a.yaml", Update}, {"b.yaml", Create}, {"gone.yaml", Delete}}
	if !reflect.DeepEqual(changes, want) {
		t.Errorf("Diff = %v, want %v", changes, want)
	}
	for _, c := range want {
		if c.Op.String() == "" {
			t.Errorf("%v has no name", c.Op)
		}
	}
}

func TestWriteFreshDirectory(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "repo")
	dir := filepath.Join(parent, "rendered")
	want := files("a.yaml", "1", "ns/b/c.yaml", "2", "ns/d.yaml", "3")
	changes, err := Write(dir, want, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 3 {
		t.Errorf("changes = %v, want three creations", changes)
	}
	got := snapshot(t, dir)
	if len(got) != 3 || got["ns/b/c.yaml"] != hdr+"2" {
		t.Errorf("tree holds %v", got)
	}
	// Nothing but the tree is left beside it, and it is readable by all.
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "rendered" {
		t.Errorf("beside the tree: %v", entries)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("the tree's mode is %v (%v), want rwxr-xr-x", fi.Mode(), err)
	}
}

func TestWriteFreshDirectoryWithTrailingSlash(t *testing.T) {
	parent := t.TempDir()
	for _, out := range []string{"out/", "out//", "a/./b/"} {
		if _, err := Write(filepath.Join(parent, out)+"/", files("x.yaml", "1"), opt); err != nil {
			t.Fatalf("Write to %q: %v", out, err)
		}
		if got := snapshot(t, filepath.Join(parent, out)); !reflect.DeepEqual(got, map[string]string{"x.yaml": hdr + "1"}) {
			t.Errorf("Write to %q: tree holds %v", out, got)
		}
	}
}

func TestFailedFreshWriteLeavesNothing(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "repo")
	dir := filepath.Join(parent, "rendered")
	writeFile = func(name string, data []byte, perm os.FileMode) error {
		if strings.Contains(filepath.ToSlash(name), "c/c.yaml") {
			return errors.New("disk full")
		}
		return rawfile.WriteFile(name, data, perm)
	}
	defer func() { writeFile = rawfile.WriteFile }()
	_, err := Write(dir, files("a.yaml", "1", "c/c.yaml", "3"), opt)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Write = %v, want the injected failure", err)
	}
	if _, err := os.Stat(parent); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed write of a new tree left %s behind (%v)", parent, err)
	}
}

func TestInterruptedFreshWriteIsCleanedUp(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "rendered")
	// A fresh write killed before its rename leaves its stage beside dir.
	stage := filepath.Join(parent, stagePrefix(dir)+"123")
	write(t, filepath.Join(stage, "ns", "a.yaml"), hdr+"half")
	// A directory of that name holding a file meshroll did not write is
	// not meshroll's to remove.
	foreign := filepath.Join(parent, stagePrefix(dir)+"mine")
	write(t, filepath.Join(foreign, "notes.txt"), "mine")
	if _, err := Write(dir, files("a.yaml", "1"), opt); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stage); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stage of an interrupted write is still there (%v)", err)
	}
	if got := snapshot(t, foreign); got["notes.txt"] != "mine" {
		t.Errorf("a directory with a file meshroll did not write was touched: %v", got)
	}
	if got := snapshot(t, dir); !reflect.DeepEqual(got, map[string]string{"a.yaml": hdr + "1"}) {
		t.Errorf("tree holds %v", got)
	}
}
