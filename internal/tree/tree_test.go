package tree

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
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

func wr(dir string, fs []File) ([]Change, error) {
	return Write(context.Background(), dir, fs, opt)
}

// snapshot returns every file under dir with its content, and every
// symbolic link as "-> target".
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			got[rel] = string(b)
		case fi.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			got[rel] = "-> " + target
		}
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return got
}

// beside lists what stands beside dir in its parent, dir excluded: stages
// and temporary files a write must not leave.
func beside(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Name() != filepath.Base(dir) {
			out = append(out, e.Name())
		}
	}
	return out
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

// bothWays runs a test with the swap of directories and with the journal.
func bothWays(t *testing.T, f func(t *testing.T)) {
	t.Run("swap", func(t *testing.T) {
		if !canExchange {
			t.Skip("this system cannot swap directories; the journal is tested")
		}
		f(t)
	})
	t.Run("journal", func(t *testing.T) {
		useSwap = false
		defer func() { useSwap = canExchange }()
		f(t)
	})
}

func TestWriteCreatesUpdatesAndRemoves(t *testing.T) {
	bothWays(t, func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "out")
		changes, err := wr(dir, files("a/x.yaml", "1", "a/y.yaml", "2", "b/z.yaml", "3"))
		if err != nil {
			t.Fatal(err)
		}
		want := []Change{{"a/x.yaml", Create}, {"a/y.yaml", Create}, {"b/z.yaml", Create}}
		if !reflect.DeepEqual(changes, want) {
			t.Fatalf("first write: %v, want %v", changes, want)
		}
		// Unchanged input changes nothing.
		if changes, err := wr(dir, files("a/x.yaml", "1", "a/y.yaml", "2", "b/z.yaml", "3")); err != nil || len(changes) != 0 {
			t.Fatalf("second write: %v %v, want no changes", changes, err)
		}
		write(t, filepath.Join(dir, "b", "notes.md"), "mine")
		write(t, filepath.Join(dir, "c", "own.yaml"), "not generated")
		write(t, filepath.Join(dir, ".gitkeep"), "")
		write(t, filepath.Join(dir, ".hidden", "x.yaml"), hdr+"hidden, never an orphan")
		if err := os.Symlink("../b/notes.md", filepath.Join(dir, "c", "link")); err != nil {
			t.Fatal(err)
		}
		changes, err = wr(dir, files("a/x.yaml", "1 changed", "b/z.yaml", "3"))
		if err != nil {
			t.Fatal(err)
		}
		want = []Change{{"a/x.yaml", Update}, {"a/y.yaml", Delete}}
		if !reflect.DeepEqual(changes, want) {
			t.Fatalf("third write: %v, want %v", changes, want)
		}
		got := snapshot(t, dir)
		wantFiles := map[string]string{"a/x.yaml": hdr + "1 changed", "b/z.yaml": hdr + "3", "b/notes.md": "mine",
			"c/own.yaml": "not generated", "c/link": "-> ../b/notes.md", ".gitkeep": "", ".hidden/x.yaml": hdr + "hidden, never an orphan"}
		if !reflect.DeepEqual(got, wantFiles) {
			t.Fatalf("tree holds %v, want %v", got, wantFiles)
		}
		// Removing the last generated file of a directory removes the directory.
		if _, err := wr(dir, files("b/z.yaml", "3")); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "a")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("empty directory a was left behind: %v", err)
		}
		if b := beside(t, dir); len(b) != 0 {
			t.Errorf("left beside the tree: %v", b)
		}
	})
}

// TestSwapKeepsFilesAndModes checks what the swap carries over: the files
// meshroll did not write are the same files (hard links: an editor holding
// one open keeps it), and directories keep their permissions.
func TestSwapKeepsFilesAndModes(t *testing.T) {
	if !canExchange {
		t.Skip("no swap here")
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := wr(dir, files("ns/a.yaml", "1")); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "ns", "mine.txt")
	write(t, mine, "mine")
	before, _ := inode(mine)
	if err := os.Chmod(filepath.Join(dir, "ns"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := wr(dir, files("ns/a.yaml", "2")); err != nil {
		t.Fatal(err)
	}
	if after, _ := inode(mine); after != before {
		t.Error("a file meshroll did not write was copied, not kept")
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "ns"): 0o750} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", p, fi.Mode().Perm(), err, want)
		}
	}
}

// TestSwapRescuesFilesAddedMeanwhile adds a file to the tree while a write
// runs, just before the swap: it must end up in the new tree, not be
// removed with the old one.
func TestSwapRescuesFilesAddedMeanwhile(t *testing.T) {
	if !canExchange {
		t.Skip("no swap here")
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := wr(dir, files("ns/a.yaml", "1")); err != nil {
		t.Fatal(err)
	}
	beforeExchange = func() { write(t, filepath.Join(dir, "ns", "late.txt"), "late") }
	defer func() { beforeExchange = func() {} }()
	if _, err := wr(dir, files("ns/a.yaml", "2")); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ns/a.yaml": hdr + "2", "ns/late.txt": "late"}
	if got := snapshot(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("tree holds %v, want %v", got, want)
	}
	if b := beside(t, dir); len(b) != 0 {
		t.Errorf("left beside the tree: %v", b)
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
	if err := os.Symlink(filepath.Join(outside, "f.yaml"), filepath.Join(dir, "a", "l.yaml")); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	_, err := wr(dir, files("a/x.yaml", "new", "a/y.yaml", "new", "a/d.yaml", "new", "link/z.yaml", "new", "a/l.yaml", "new"))
	var ce *ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("Write = %v, want a ConflictError", err)
	}
	got := map[string]string{}
	for _, c := range ce.Conflicts {
		got[c.Path] = c.What
	}
	want := map[string]string{
		"a/y.yaml":    `a file that does not start with "# generated"`,
		"a/d.yaml":    "a directory",
		"link/z.yaml": "below something that is not a directory (a file or a symbolic link)",
		"a/l.yaml":    "a symbolic link",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("conflicts %v, want %v", got, want)
	}
	if !strings.Contains(err.Error(), "nothing was written") {
		t.Errorf("error %q does not say nothing was written", err)
	}
	if after := snapshot(t, dir); !reflect.DeepEqual(after, before) {
		t.Errorf("a refused write changed the tree: %v, was %v", after, before)
	}
	if got := snapshot(t, outside); len(got) != 0 {
		t.Errorf("wrote through a symbolic link: %v", got)
	}
}

// TestOutputDirectoryMustBeReal refuses an output directory that is a
// symbolic link (writing through it would bypass every check on the tree)
// or a file, before anything is written.
func TestOutputDirectoryMustBeReal(t *testing.T) {
	parent := t.TempDir()
	real := filepath.Join(parent, "real")
	write(t, filepath.Join(real, "mine.yaml"), "mine")
	link := filepath.Join(parent, "out")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(parent, "file")
	write(t, file, "a file")
	for p, want := range map[string]string{link: "is a symbolic link (to " + real + ")", file: "is a file, not a directory"} {
		for _, trailing := range []string{"", "/"} {
			_, err := wr(p+trailing, files("mine.yaml", "generated"))
			var pe *PathError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), want) {
				t.Errorf("Write(%s%s) = %v, want %q", p, trailing, err, want)
			}
			if _, err := Diff(p+trailing, files("mine.yaml", "generated"), opt); !errors.As(err, &pe) {
				t.Errorf("Diff(%s%s) = %v, want a PathError", p, trailing, err)
			}
		}
	}
	if got := snapshot(t, real); got["mine.yaml"] != "mine" || len(got) != 1 {
		t.Errorf("the link's target changed: %v", got)
	}
}

func TestWriteFailureLeavesPreviousTree(t *testing.T) {
	bothWays(t, func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "out")
		if _, err := wr(dir, files("a.yaml", "1", "b.yaml", "2")); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, dir)
		// Writes run concurrently: fail one file by name, whatever the order.
		createNew = func(name string, data []byte, perm os.FileMode) error {
			if strings.Contains(filepath.ToSlash(name), "c/c.yaml") {
				return errors.New("disk full")
			}
			return rawfile.CreateNew(name, data, perm)
		}
		defer func() { createNew = rawfile.CreateNew }()
		_, err := wr(dir, files("a.yaml", "1 new", "b.yaml", "2 new", "c/c.yaml", "3", "d.yaml", "4"))
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("Write = %v, want the injected failure", err)
		}
		if after := snapshot(t, dir); !reflect.DeepEqual(after, before) {
			t.Errorf("a failed write changed the tree:\n%v\nwas\n%v", after, before)
		}
		if b := beside(t, dir); len(b) != 0 {
			t.Errorf("left beside the tree: %v", b)
		}
	})
}

// TestCancelledWriteLeavesPreviousTree cancels a write, as SIGINT does,
// while it writes its files: the previous tree stays, with no temporary
// file or stage left.
func TestCancelledWriteLeavesPreviousTree(t *testing.T) {
	bothWays(t, func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "out")
		if _, err := wr(dir, files("a.yaml", "1", "b.yaml", "2")); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, dir)
		ctx, cancel := context.WithCancel(context.Background())
		var once sync.Once
		createNew = func(name string, data []byte, perm os.FileMode) error {
			once.Do(cancel) // the signal arrives while files are written
			return rawfile.CreateNew(name, data, perm)
		}
		defer func() { createNew = rawfile.CreateNew }()
		var many []File
		for i := range 50 {
			many = append(many, files(fmt.Sprintf("n/%02d.yaml", i), "x")...)
		}
		_, err := Write(ctx, dir, many, opt)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Write = %v, want context.Canceled", err)
		}
		if after := snapshot(t, dir); !reflect.DeepEqual(after, before) {
			t.Errorf("a cancelled write changed the tree:\n%v\nwas\n%v", after, before)
		}
		if b := beside(t, dir); len(b) != 0 {
			t.Errorf("left beside the tree: %v", b)
		}
	})
}

func TestInterruptedJournalIsFinishedByTheNext(t *testing.T) {
	useSwap = false
	defer func() { useSwap = canExchange }()
	dir := t.TempDir()
	if _, err := wr(dir, files("a.yaml", "1", "old.yaml", "x")); err != nil {
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
	changes, err := wr(dir, files("a.yaml", "1 new", "n/b.yaml", "2"))
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

// TestHostileJournal commits journals that name paths outside the tree,
// files meshroll did not write, or are links: each is refused, and nothing
// outside the tree, nor any file without the header, is touched.
func TestHostileJournal(t *testing.T) {
	for name, tc := range map[string]struct {
		journal func(outside string) string
		want    string
	}{
		"rename out": {func(o string) string {
			return `{"renames": [["../victim.yaml.meshroll-tmp", "../victim.yaml"]]}`
		}, `it names "../victim.yaml", which is not a path inside the directory`},
		"absolute": {func(o string) string {
			return fmt.Sprintf(`{"deletes": [%q]}`, filepath.Join(o, "victim.yaml"))
		}, "which is not a path inside the directory"},
		"delete a user's file": {func(string) string { return `{"deletes": ["mine.yaml"]}` },
			`it names "mine.yaml", which meshroll did not generate`},
		"rename a user's file": {func(string) string { return `{"renames": [["mine.yaml", "gen.yaml"]]}` },
			`it renames "mine.yaml" to "gen.yaml"`},
		"through a link": {func(string) string { return `{"deletes": ["link/victim.yaml"]}` },
			`below a symbolic link or a file`},
		"garbage": {func(string) string { return `{"renames": 3}` }, "is not a journal meshroll can read"},
	} {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "out")
			write(t, filepath.Join(parent, "victim.yaml"), hdr+"another project's generated file")
			write(t, filepath.Join(parent, "victim.yaml.meshroll-tmp"), hdr+"x")
			write(t, filepath.Join(dir, "mine.yaml"), "mine")
			write(t, filepath.Join(dir, "gen.yaml"), hdr+"generated")
			if err := os.Symlink(parent, filepath.Join(dir, "link")); err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(dir, journalName), tc.journal(parent))
			before := snapshot(t, parent)
			_, err := wr(dir, files("gen.yaml", "new"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Write = %v, want %q", err, tc.want)
			}
			if after := snapshot(t, parent); !reflect.DeepEqual(after, before) {
				t.Errorf("a hostile journal changed files:\n%v\nwas\n%v", after, before)
			}
		})
	}
	// A dangling symbolic link where the journal goes: refused, and
	// nothing is created where it points.
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	write(t, filepath.Join(dir, "gen.yaml"), hdr+"old")
	if err := os.Symlink(filepath.Join(parent, "created-outside"), filepath.Join(dir, journalName)); err != nil {
		t.Fatal(err)
	}
	if _, err := wr(dir, files("gen.yaml", "new")); err == nil || !strings.Contains(err.Error(), "is not a journal meshroll wrote") {
		t.Errorf("Write with a link for a journal = %v", err)
	}
	if _, err := os.Lstat(filepath.Join(parent, "created-outside")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a file was created through the link")
	}
}

// TestPlantedTemporaryLink plants a symbolic link where the journal's
// temporary file goes: the link is removed, never followed.
func TestPlantedTemporaryLink(t *testing.T) {
	useSwap = false
	defer func() { useSwap = canExchange }()
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	write(t, filepath.Join(dir, "ns", "a.yaml"), hdr+"old")
	victim := filepath.Join(parent, "victim.txt")
	write(t, victim, "precious")
	if err := os.Symlink(victim, filepath.Join(dir, "ns", "a.yaml"+tmpSuffix)); err != nil {
		t.Fatal(err)
	}
	if _, err := wr(dir, files("ns/a.yaml", "new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("the link's target was overwritten: %q", b)
	}
	if got := snapshot(t, dir); !reflect.DeepEqual(got, map[string]string{"ns/a.yaml": hdr + "new"}) {
		t.Errorf("tree holds %v", got)
	}
}

func TestFailedWriteBeforeCommitIsDiscarded(t *testing.T) {
	dir := t.TempDir()
	if _, err := wr(dir, files("a.yaml", "1")); err != nil {
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
	changes, err := wr(dir, want)
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
	if b := beside(t, dir); len(b) != 0 {
		t.Errorf("beside the tree: %v", b)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("the tree's mode is %v (%v), want rwxr-xr-x", fi.Mode(), err)
	}
}

func TestWriteFreshDirectoryWithTrailingSlash(t *testing.T) {
	parent := t.TempDir()
	for _, out := range []string{"out/", "out//", "a/./b/"} {
		if _, err := wr(filepath.Join(parent, out)+"/", files("x.yaml", "1")); err != nil {
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
	createNew = func(name string, data []byte, perm os.FileMode) error {
		if strings.Contains(filepath.ToSlash(name), "c/c.yaml") {
			return errors.New("disk full")
		}
		return rawfile.CreateNew(name, data, perm)
	}
	defer func() { createNew = rawfile.CreateNew }()
	_, err := wr(dir, files("a.yaml", "1", "c/c.yaml", "3"))
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Write = %v, want the injected failure", err)
	}
	if _, err := os.Stat(parent); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed write of a new tree left %s behind (%v)", parent, err)
	}
}

// TestKilledWritesAreCleanedUp leaves what kill -9 leaves at each point of
// a write — a stage cut short, a stage built but not swapped, the old tree
// after the swap — and checks that the next write removes it, and leaves a
// directory of that name holding a file meshroll did not write.
func TestKilledWritesAreCleanedUp(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "rendered")
	if _, err := wr(dir, files("ns/a.yaml", "1")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "ns", "mine.txt"), "mine")
	// A fresh write cut short: a file with the header, an empty one.
	short := filepath.Join(parent, stagePrefix(dir)+"1")
	write(t, filepath.Join(short, "ns", "a.yaml"), hdr+"half")
	write(t, filepath.Join(short, "ns", "b.yaml"), "")
	// A swap built but not done, or the old tree after it: hard links of
	// the tree's files, generated files and copies of links.
	built := filepath.Join(parent, stagePrefix(dir)+"2")
	write(t, filepath.Join(built, "ns", "a.yaml"), hdr+"old")
	if err := os.Link(filepath.Join(dir, "ns", "mine.txt"), filepath.Join(built, "ns", "mine.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("mine.txt", filepath.Join(built, "ns", "link")); err != nil {
		t.Fatal(err)
	}
	// Not meshroll's: a file it did not write, that the tree lacks.
	foreign := filepath.Join(parent, stagePrefix(dir)+"mine")
	write(t, filepath.Join(foreign, "notes.txt"), "mine")
	var warnings []string
	o := opt
	o.Warn = func(msg string) { warnings = append(warnings, msg) }
	if _, err := Write(context.Background(), dir, files("ns/a.yaml", "2"), o); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{short, built} {
		if _, err := os.Stat(s); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there (%v)", filepath.Base(s), err)
		}
	}
	if got := snapshot(t, foreign); got["notes.txt"] != "mine" {
		t.Errorf("a directory with a file meshroll did not write was touched: %v", got)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], foreign) {
		t.Errorf("warnings %q, want one naming %s", warnings, foreign)
	}
	want := map[string]string{"ns/a.yaml": hdr + "2", "ns/mine.txt": "mine"}
	if got := snapshot(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("tree holds %v, want %v", got, want)
	}
}

// TestConcurrentWrites runs writes of different trees into one directory
// at once: they take turns, so the result is one of the trees, byte for
// byte, and every write succeeds.
func TestConcurrentWrites(t *testing.T) {
	bothWays(t, func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "out")
		const n = 6
		trees := make([][]File, n)
		want := make([]map[string]string, n)
		for i := range trees {
			var kv []string
			for j := range 20 {
				if (i+j)%3 != 0 { // each tree has its own set of files
					kv = append(kv, fmt.Sprintf("ns%d/f%02d.yaml", j%4, j), fmt.Sprintf("tree %d", i))
				}
			}
			trees[i] = files(kv...)
			want[i] = map[string]string{}
			for _, f := range trees[i] {
				want[i][f.Path] = string(f.Content)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range trees {
			wg.Go(func() { _, errs[i] = wr(dir, trees[i]) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
		got := snapshot(t, dir)
		match := false
		for i := range want {
			match = match || reflect.DeepEqual(got, want[i])
		}
		if !match {
			t.Errorf("the tree is none of the trees written: %v", got)
		}
		if b := beside(t, dir); len(b) != 0 {
			t.Errorf("left beside the tree: %v", b)
		}
	})
}
