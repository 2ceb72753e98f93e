package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/meshroll/meshroll/internal/gen"
	"github.com/meshroll/meshroll/internal/tree"
	"github.com/meshroll/meshroll/schema"
)

// BenchmarkPipeline measures what `meshroll render --all-phases` does for N
// generated rollouts: load and validate the intent, render every phase, and
// write the tree into an empty directory.
func BenchmarkPipeline(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			if n > 1000 && testing.Short() {
				b.Skip("large tree skipped in -short mode")
			}
			dir := b.TempDir()
			intents := filepath.Join(dir, "intents")
			if err := gen.Intents(intents, n); err != nil {
				b.Fatal(err)
			}
			syscall.Sync()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				out := filepath.Join(dir, fmt.Sprint("out", i))
				in, err := schema.Load([]string{intents})
				if err != nil {
					b.Fatal(err)
				}
				files, err := Tree(in, AllPhases)
				if err != nil {
					b.Fatal(err)
				}
				tf := make([]tree.File, len(files))
				for j, f := range files {
					tf[j] = tree.File{Path: f.Path, Content: f.Content}
				}
				if _, err := tree.Write(context.Background(), out, tf, tree.Options{Header: Header}); err != nil {
					b.Fatal(err)
				}
				// The previous iteration's files reach the disk before the
				// next one starts, so that one render's write-back does not
				// land on the next one's clock. The trees are removed at the
				// end: removing them here would do the same.
				b.StopTimer()
				syscall.Sync()
				b.StartTimer()
			}
			b.StopTimer()
			os.RemoveAll(dir)
		})
	}
}

// BenchmarkLoad measures loading and validating N rollouts alone.
func BenchmarkLoad(b *testing.B) {
	dir := b.TempDir()
	if err := gen.Intents(dir, 1000); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := schema.Load([]string{dir}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTree measures rendering every phase of N rollouts in memory.
func BenchmarkTree(b *testing.B) {
	dir := b.TempDir()
	if err := gen.Intents(dir, 1000); err != nil {
		b.Fatal(err)
	}
	in, err := schema.Load([]string{dir})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Tree(in, AllPhases); err != nil {
			b.Fatal(err)
		}
	}
}
