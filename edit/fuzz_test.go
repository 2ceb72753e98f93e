package edit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/meshroll/meshroll/schema"
)

// FuzzEditCUE, FuzzEditYAML and FuzzEditJSON edit arbitrary intent files
// that load: each edit either fails with an error or yields files that load,
// hold the new phase and since, leave every other rollout's phase alone, and
// change no line but those holding the edited fields. None panics.
func FuzzEditCUE(f *testing.F)  { fuzzEdit(f, ".cue") }
func FuzzEditYAML(f *testing.F) { fuzzEdit(f, ".yaml") }
func FuzzEditJSON(f *testing.F) { fuzzEdit(f, ".json") }

func fuzzEdit(f *testing.F, ext string) {
	seeds, _ := filepath.Glob("../fixtures/intents/*/*" + ext)
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	cases, _ := filepath.Glob("../fixtures/edit/*.txtar")
	for _, p := range cases {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range ar.Files {
			if strings.HasSuffix(file.Name, ext) {
				f.Add(file.Data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<14 {
			return
		}
		dir := memDir(t)
		if err := os.WriteFile(filepath.Join(dir, "intent"+ext), data, 0o644); err != nil {
			t.Fatal(err)
		}
		in, err := schema.Load([]string{dir})
		if err != nil {
			return
		}
		for i, r := range in.Rollouts {
			if i == 2 {
				break
			}
			phases := []string{schema.PhaseRollback}
			if st, err := Next(r, when, true); err == nil {
				phases = append(phases, st.To)
			}
			for _, phase := range phases {
				checkEdit(t, in, r, phase)
			}
		}
	})
}

// checkEdit moves r to phase: a rollback with a reason, an advance without
// (which removes any reason there was).
func checkEdit(t *testing.T, in *schema.Intent, r *schema.Rollout, phase string) {
	reason := ""
	if phase == schema.PhaseRollback {
		reason = "fuzz: \"quoted\", 'single', #hash //slashes"
	}
	e, err := Move(r, phase, when, reason)
	if err != nil {
		return
	}
	b, err := os.ReadFile(r.File)
	if err != nil {
		t.Fatal(err)
	}
	edited := map[string][]byte{r.File: b}
	for _, f := range e.Files {
		if filepath.Dir(f.Path) != filepath.Dir(r.File) {
			t.Fatalf("the edit of %s changes %s, outside its directory", r.File, f.Path)
		}
		_, added := lineDiff(f.Old, f.New)
		// SetPhase removes the reason of the move before: its line may go.
		extra := 0
		if r.Reason != "" {
			extra = 1
		}
		unchangedOutside(t, f.Path, f.Old, f.New, len(added)+extra)
		edited[f.Path] = f.New
	}
	var files []schema.File
	for p, data := range edited {
		files = append(files, schema.File{Path: p, Data: data})
	}
	after, err := schema.LoadFiles(files)
	if err != nil {
		t.Fatalf("the edited intent does not load: %v\n%s", err, e.Files[0].New)
	}
	for _, o := range in.Rollouts {
		n, err := after.Find(o.ID())
		if err != nil {
			t.Fatalf("rollout %s is gone after the edit: %v", o.ID(), err)
		}
		want, since, why := o.Phase, o.Since, o.Reason
		if o.ID() == r.ID() {
			want, since, why = phase, when, reason
		}
		if n.Phase != want || !n.Since.Equal(since) || n.Reason != why {
			t.Fatalf("after setting %s to %s, %s is at %s since %v (reason %q), want %s since %v (reason %q)", r.ID(), phase, o.ID(), n.Phase, n.Since, n.Reason, want, since, why)
		}
	}
	if len(after.Rollouts) != len(in.Rollouts) {
		t.Fatalf("the edit changed the number of rollouts from %d to %d", len(in.Rollouts), len(after.Rollouts))
	}
}

// memDir returns a temporary directory in memory (/dev/shm) where there is
// one, else on disk: a fuzz target that writes files on every run must not
// wait on a slow disk.
func memDir(t *testing.T) string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "meshroll-fuzz-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return t.TempDir()
}
