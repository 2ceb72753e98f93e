package diff

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// progressResult is the fixture's diff with what the intents would add: a
// move of reviews that skips a phase, a forced move of ratings, and a
// ladder changed in a rollout whose live manifests did not change.
func progressResult(t *testing.T) *Result {
	r := fixtureResult(t)
	r.SetProgress([]Progress{
		{Rollout: "shop/ledger", Ladder: []LadderChange{
			{Kind: LadderAdded, Phase: "soak", After: "5%, hold 30m"},
			{Kind: LadderHold, Phase: "expand", Before: "2h", After: "1h"},
		}},
		{Rollout: "bookinfo/reviews", Move: &Move{From: "canary", To: "half", Problem: "rollout reviews moved from canary to half, 2 steps forward, skipping expand (hold 2h)"}},
		{Rollout: "bookinfo/ratings", Move: &Move{From: "v1-only", To: "canary", Reason: "hotfix for INC-42"}, Ladder: []LadderChange{
			{Kind: LadderRenamed, Phase: "v1-only", Before: "start"},
			{Kind: LadderWeight, Phase: "canary", Before: "10%", After: "5%"},
		}},
		// An ordinary move tells nothing the weights do not.
		{Rollout: "bookinfo/details", Move: &Move{From: "canary", To: "expand"}},
	})
	return r
}

// TestProgressGolden holds the ladder changes and moves in every format to
// fixtures/diff/golden/progress.*: next to the weight summary, the refused
// move marked, the forced one with its reason.
func TestProgressGolden(t *testing.T) {
	r := progressResult(t)
	if len(r.Progress) != 3 || r.Progress[0].Rollout != "bookinfo/ratings" {
		t.Fatalf("SetProgress kept %d entries, want the 3 that tell something, sorted: %+v", len(r.Progress), r.Progress)
	}
	if n := len(r.Problems()); n != 1 {
		t.Errorf("Problems() = %d, want 1", n)
	}
	for _, g := range []struct {
		file string
		w    Writer
	}{{"progress.txt", Text{}}, {"progress.md", Markdown{}}, {"progress.json", JSON{}}} {
		t.Run(g.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := g.w.Write(&b, r); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, want := range []string{"hotfix for INC-42", "skipping expand (hold 2h)", "soak", "1h", "shop/ledger"} {
				if !strings.Contains(out, want) {
					t.Errorf("%s lacks %q", g.file, want)
				}
			}
			file := filepath.Join(fixtures, "golden", g.file)
			if *update {
				if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("output differs from %s (run go test ./diff -update and review the diff):\n%s", file, lineDiff(want, b.Bytes()))
			}
		})
	}
}

// TestProgressAloneIsAChange: a ladder change whose live manifests are the
// same still makes the diff non-empty, so --exit-code catches it.
func TestProgressAloneIsAChange(t *testing.T) {
	r := &Result{}
	if !r.Empty() {
		t.Fatal("an empty result is not Empty")
	}
	r.SetProgress([]Progress{{Rollout: "a/b", Ladder: []LadderChange{{Kind: LadderRemoved, Phase: "half", Before: "50%, hold 4h"}}}})
	if r.Empty() {
		t.Error("a ladder change is Empty")
	}
	if h := r.Headline(); !strings.Contains(h, "ladder changed in 1 rollout") {
		t.Errorf("headline %q does not count the ladder change", h)
	}
}
