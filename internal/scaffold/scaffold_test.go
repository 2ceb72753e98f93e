package scaffold

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/meshroll/meshroll/internal/version"
)

var update = flag.Bool("update", false, "rewrite examples/github/meshroll.yml from the embedded workflow")

// exampleWorkflow is the copy of the workflow that users copy by hand.
const exampleWorkflow = "../../examples/github/meshroll.yml"

// TestPins checks that every file init writes names a release tag, the
// running binary's when it is a release, version.Release otherwise, and
// never a branch.
func TestPins(t *testing.T) {
	for _, tt := range []struct{ version, want string }{
		{"v1.2.3", "v1.2.3"},
		{"v1.0.0-rc.1", "v1.0.0-rc.1"},
		{"(devel)", version.Release},
		{"", version.Release},
		{"v0.0.0-20260101120000-0123456789ab", version.Release},
		{"v1.2.3+dirty", version.Release},
	} {
		files, err := Files(Options{Version: tt.version})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if bytes.Contains(f.Content, []byte("rev: main")) || bytes.Contains(f.Content, []byte("@main")) {
				t.Errorf("version %q: %s names the main branch", tt.version, f.Path)
			}
			if (f.Path == ".pre-commit-config.yaml" || f.Path == WorkflowPath) && !bytes.Contains(f.Content, []byte(tt.want)) {
				t.Errorf("version %q: %s does not pin %s", tt.version, f.Path, tt.want)
			}
		}
	}
}

func TestFiles(t *testing.T) {
	files, err := Files(Options{Version: "v1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	want := []string{".github/workflows/meshroll.yml", ".meshroll.yaml", ".pre-commit-config.yaml", "intents/reviews.cue"}
	if !slices.Equal(paths, want) {
		t.Errorf("paths = %q, want %q", paths, want)
	}
}

// TestExampleWorkflow holds the workflow init writes and the one users copy
// from examples/ to the same bytes.
func TestExampleWorkflow(t *testing.T) {
	files, err := Files(Options{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(files, func(f File) bool { return f.Path == WorkflowPath })
	if i < 0 {
		t.Fatalf("no %s among the files", WorkflowPath)
	}
	embedded := files[i].Content
	if *update {
		if err := os.WriteFile(exampleWorkflow, embedded, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	example, err := os.ReadFile(exampleWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(example, embedded) {
		t.Errorf("%s differs from internal/scaffold/files/%s, which init writes; edit the latter and run go test ./internal/scaffold -update", exampleWorkflow, WorkflowPath)
	}
}

// TestPreCommitConfig checks that the pre-commit configuration init writes
// is valid YAML, pins the rev it should, and names only hooks that
// .pre-commit-hooks.yaml defines.
func TestPreCommitConfig(t *testing.T) {
	data, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID string `yaml:"id"`
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatalf(".pre-commit-hooks.yaml: %v", err)
	}
	defined := map[string]bool{}
	for _, h := range hooks {
		defined[h.ID] = true
	}
	for _, v := range []string{"v1.2.3", version.Devel} {
		files, err := Files(Options{Version: v})
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(files, func(f File) bool { return f.Path == ".pre-commit-config.yaml" })
		var cfg struct {
			Repos []struct {
				Repo  string `yaml:"repo"`
				Rev   string `yaml:"rev"`
				Hooks []struct {
					ID string `yaml:"id"`
				} `yaml:"hooks"`
			} `yaml:"repos"`
		}
		if err := yaml.Unmarshal(files[i].Content, &cfg); err != nil {
			t.Fatalf("version %s: %v\n%s", v, err, files[i].Content)
		}
		if len(cfg.Repos) != 1 {
			t.Fatalf("version %s: %d repos, want 1", v, len(cfg.Repos))
		}
		r := cfg.Repos[0]
		wantRev := version.Pin(v)
		if r.Repo != "https://github.com/meshroll/meshroll" || r.Rev != wantRev {
			t.Errorf("version %s: repo %q rev %q, want https://github.com/meshroll/meshroll rev %q", v, r.Repo, r.Rev, wantRev)
		}
		if len(r.Hooks) == 0 {
			t.Errorf("version %s: no hooks", v)
		}
		for _, h := range r.Hooks {
			if !defined[h.ID] {
				t.Errorf("version %s: hook %q is not in .pre-commit-hooks.yaml", v, h.ID)
			}
		}
	}
}

func TestWrite(t *testing.T) {
	files := []File{
		{Path: "a.yaml", Content: []byte("a\n")},
		{Path: "sub/dir/b.cue", Content: []byte("b\n")},
	}
	dir := t.TempDir()
	written, err := Write(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "sub/dir/b.cue")}; !slices.Equal(written, want) {
		t.Errorf("written = %q, want %q", written, want)
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(dir, f.Path))
		if err != nil || !bytes.Equal(got, f.Content) {
			t.Errorf("%s = %q, %v; want %q", f.Path, got, err, f.Content)
		}
	}

	// A second run finds every file in the way and changes nothing.
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("mine\n"), 0o644)
	_, err = Write(dir, files)
	var ee *ExistsError
	if !errors.As(err, &ee) {
		t.Fatalf("second Write: err = %v, want an *ExistsError", err)
	}
	if want := []string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "sub/dir/b.cue")}; !slices.Equal(ee.Paths, want) {
		t.Errorf("ExistsError.Paths = %q, want %q", ee.Paths, want)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a.yaml")); string(got) != "mine\n" {
		t.Errorf("a.yaml was overwritten: %q", got)
	}
}

func TestWriteRefusesBeforeWriting(t *testing.T) {
	files := []File{
		{Path: "a.yaml", Content: []byte("a\n")},
		{Path: "b/c.yaml", Content: []byte("c\n")},
		{Path: "d/e.yaml", Content: []byte("e\n")},
		{Path: "z.yaml", Content: []byte("z\n")},
	}
	dir := t.TempDir()
	// b is a file where a directory must go; z.yaml is a dangling symbolic link.
	os.WriteFile(filepath.Join(dir, "b"), nil, 0o644)
	os.Symlink("nowhere", filepath.Join(dir, "z.yaml"))

	_, err := Write(dir, files)
	var ee *ExistsError
	if !errors.As(err, &ee) {
		t.Fatalf("err = %v, want an *ExistsError", err)
	}
	if want := []string{filepath.Join(dir, "b"), filepath.Join(dir, "z.yaml")}; !slices.Equal(ee.Paths, want) {
		t.Errorf("ExistsError.Paths = %q, want %q", ee.Paths, want)
	}
	for _, p := range []string{"a.yaml", "d"} {
		if _, err := os.Lstat(filepath.Join(dir, p)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s was written although Write refused", p)
		}
	}
}
