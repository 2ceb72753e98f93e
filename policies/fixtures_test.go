package policies

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// wantComment is how fixtures mark an expected violation: a YAML comment
// `# want "ID" ...` on the offending line.
var wantComment = regexp.MustCompile(`#\s*want((?:\s+"[A-Z][A-Z0-9]*")+)\s*$`)

// TestFixtures evaluates the built-in policies and the example user policies
// in fixtures/policies/acme against the manifests in
// fixtures/policies/manifests, and compares the violations with the
// manifests' want comments, line by line.
func TestFixtures(t *testing.T) {
	e, err := Load("../fixtures/policies/acme")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../fixtures/policies/manifests/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for i, line := range strings.Split(string(data), "\n") {
				m := wantComment.FindStringSubmatch(line)
				if m == nil {
					continue
				}
				for _, id := range strings.Fields(m[1]) {
					want = append(want, fmt.Sprintf("%d %s", i+1, strings.Trim(id, `"`)))
				}
			}
			var got []string
			for _, v := range evalAll(t, e, file, string(data)) {
				got = append(got, fmt.Sprintf("%d %s", v.Line, v.PolicyID))
				if v.File != file || v.Message == "" || v.Reason == "" || v.Column == 0 {
					t.Errorf("incomplete violation: %+v", v)
				}
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("violations (line ID):\ngot  %q\nwant %q", got, want)
				for _, v := range evalAll(t, e, file, string(data)) {
					t.Logf("%d:%d %s %s", v.Line, v.Column, v.PolicyID, v.Message)
				}
			}
		})
	}
}
