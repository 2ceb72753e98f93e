package lint

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/rules.md from All()")

// TestRulesDoc fails when docs/rules.md does not match the rules; go test
// -run TestRulesDoc -update rewrites it.
func TestRulesDoc(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCatalog(&b, All()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(moduleRoot(t), "docs", "rules.md")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./lint -run TestRulesDoc -update writes it)", err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Errorf("docs/rules.md is stale: run go test ./lint -run TestRulesDoc -update")
	}
}
