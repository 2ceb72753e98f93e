package revision

import (
	"context"
	"io"
	"testing"

	"github.com/meshroll/meshroll/diff"
	"github.com/meshroll/meshroll/internal/gen"
)

// benchRepo commits n rollouts at canary and, in the working tree,
// advances every tenth to expand and gives every seventh an A/B route.
func benchRepo(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	git(b, dir, "init", "-q", "-b", "main")
	if err := gen.Write(dir+"/intents", n, gen.Options{Phase: func(int) string { return "canary" }}); err != nil {
		b.Fatal(err)
	}
	git(b, dir, "add", ".")
	git(b, dir, "commit", "-q", "-m", "rollouts")
	phase := func(i int) string {
		if i%10 == 0 {
			return "expand"
		}
		return "canary"
	}
	if err := gen.Write(dir+"/intents", n, gen.Options{Phase: phase, ExtraRoute: func(i int) bool { return i%7 == 0 }}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkBase1000 is meshroll diff --base HEAD -o markdown on 1,000
// rollouts in-process: git, loading and rendering both sides, the diff and
// the comment.
func BenchmarkBase1000(b *testing.B) {
	dir := benchRepo(b, 1000)
	for b.Loop() {
		trees, err := Render(context.Background(), Options{Dir: dir, Ref: "HEAD", Intents: []string{"intents"}})
		if err != nil {
			b.Fatal(err)
		}
		r, err := diff.Files(trees.Base, trees.Work)
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Rollouts) != 228 {
			b.Fatalf("%d rollouts changed, want 228", len(r.Rollouts))
		}
		if err := (diff.Markdown{}).Write(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
