package lint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshroll/meshroll/manifest"
)

// FuzzLint runs every rule over whatever the loader makes of the input:
// no panic, and every finding has a position.
func FuzzLint(f *testing.F) {
	seeds, _ := filepath.Glob("../fixtures/lint/*/*.yaml")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("a: &a [*a, *a]\n---\nb: *a"))
	f.Add([]byte("--- |\n  x\n...\n%YAML 1.2\n---\n[1, 2"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := manifest.Parse("fuzz.yaml", data, manifest.LoadOptions{Limits: manifest.Limits{FileBytes: 1 << 20, Nodes: 1 << 14}})
		rep, err := Run(m, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range rep.Diagnostics {
			if d.Line < 1 || d.Column < 1 {
				t.Fatalf("diagnostic without a position: %v", d)
			}
		}
	})
}
