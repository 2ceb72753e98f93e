package diff

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in fixtures/diff/golden with the current output")

const fixtures = "../fixtures/diff"

// goldenWriters are the formats, each with its golden file.
var goldenWriters = []struct {
	file string
	w    Writer
}{
	{"text.txt", Text{}},
	{"text-color.txt", Text{Color: true}},
	{"markdown.md", Markdown{}},
	{"json.json", JSON{}},
}

// TestGolden diffs fixtures/diff/from against fixtures/diff/to — meshroll's
// rendering of intents-before and intents-after, and hand-written
// manifests under hand/, which the root kustomization lists — read as the
// meshroll command reads them, kustomizations as lint reads them, and holds every format to its golden file.
func TestGolden(t *testing.T) {
	r := fixtureResult(t)
	for _, g := range goldenWriters {
		t.Run(g.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := g.w.Write(&b, r); err != nil {
				t.Fatal(err)
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

func fixtureResult(t testing.TB) *Result {
	t.Helper()
	from, err := Read(filepath.Join(fixtures, "from"), nil)
	if err != nil {
		t.Fatal(err)
	}
	to, err := Read(filepath.Join(fixtures, "to"), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Files(from, to)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestGoldenTellsTheStory checks the facts the golden files must hold, so
// that an update cannot quietly bless a wrong diff.
func TestGoldenTellsTheStory(t *testing.T) {
	var b bytes.Buffer
	if err := (Text{}).Write(&b, fixtureResult(t)); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{
		"bookinfo/reviews   canary → expand, stable 90% → 75%, canary 10% → 25%; A/B route beta-users added\n",
		"+ spec.http[1] (route beta-users → reviews/v2)\n",
		"~ spec.http[3].route[0].weight: 90 → 75\n",
		"~ spec.http[3].route[1].weight: 10 → 25\n",
		"bookinfo/ratings   start → canary, stable 100% → 90%, canary 0% → 10%; mirror ratings/v2 100% → none\n",
		"bookinfo/details   phase probe, stable 95%, canary 5%; A/B route ops moved; fault none → abort 10% 500\n",
		"bookinfo/legacy    removed (was phase promote, stable 0%, canary 100%)\n",
		"payments/checkout  new rollout, phase start, stable 100%, canary 0%\n",
		"shop      STRICT → PERMISSIVE\n",
		"web       PERMISSIVE → STRICT\n",
		"web/frontend       stable 80% → 50%, canary 20% → 50%; mTLS PERMISSIVE → STRICT; other fields changed\n",
		"+ spec.hosts[1]: www.example.com\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the diff does not say %q", want)
		}
	}
	// The hand-written gateway changed only in form, and the DestinationRule
	// of frontend only reordered its subsets besides its new policy.
	for _, not := range []string{"Gateway/web/edge", "subsets[", "# Code generated"} {
		if strings.Contains(text, not) {
			t.Errorf("the diff mentions %q, which did not change", not)
		}
	}
}

func TestNoChanges(t *testing.T) {
	from, err := Read(filepath.Join(fixtures, "from"), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Files(from, from)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Empty() || r.Unchanged == 0 {
		t.Fatalf("a tree against itself: %d resources differ, %d unchanged", len(r.Resources), r.Unchanged)
	}
	for _, g := range goldenWriters {
		var b bytes.Buffer
		if err := g.w.Write(&b, r); err != nil {
			t.Fatal(err)
		}
		if g.file == "json.json" {
			var got struct {
				Empty     bool
				Resources []any
			}
			if err := json.Unmarshal(b.Bytes(), &got); err != nil || !got.Empty || got.Resources == nil || len(got.Resources) != 0 {
				t.Errorf("json: got %s", b.String())
			}
			continue
		}
		if !strings.Contains(strings.ToLower(b.String()), "no changes") {
			t.Errorf("%s does not say no changes:\n%s", g.file, b.String())
		}
	}
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
			b.WriteString("  want: " + wl + "\n  got:  " + gl + "\n")
			shown++
		}
	}
	return b.String()
}
