package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/meshroll/meshroll/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in fixtures/golden with the current output")

// TestGolden renders every case of fixtures/golden: the intent files under
// intent/ in the archive (or, when it has none, the example intents in
// fixtures/intents), live into live/ and every phase into phases/.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("../fixtures/golden/*.txtar")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, file := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			input := []string{"../fixtures/intents"}
			dir := t.TempDir()
			var kept []txtar.File
			for _, f := range ar.Files {
				if rel, ok := strings.CutPrefix(f.Name, "intent/"); ok {
					p := filepath.Join(dir, filepath.FromSlash(rel))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
					input = []string{dir}
					kept = append(kept, f)
				}
			}
			in, err := schema.Load(input)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]byte{}
			for prefix, mode := range map[string]Mode{"live/": Live, "phases/": AllPhases} {
				files, err := Tree(in, mode)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range files {
					got[prefix+f.Path] = f.Content
				}
			}
			if *update {
				out := kept
				for _, name := range sortedKeys(got) {
					out = append(out, txtar.File{Name: name, Data: got[name]})
				}
				ar.Files = out
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := map[string][]byte{}
			for _, f := range ar.Files {
				if !strings.HasPrefix(f.Name, "intent/") {
					want[f.Name] = f.Data
				}
			}
			for name, w := range want {
				g, ok := got[name]
				switch {
				case !ok:
					t.Errorf("%s is no longer rendered", name)
				case !bytes.Equal(g, w):
					t.Errorf("%s differs from the golden file (run go test ./render -update and review the diff):\n%s", name, lineDiff(w, g))
				}
			}
			for name := range got {
				if _, ok := want[name]; !ok {
					t.Errorf("%s is rendered but not in the golden file", name)
				}
			}
		})
	}
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// lineDiff shows the first lines where want and got differ.
func lineDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
			shown++
		}
	}
	return b.String()
}
