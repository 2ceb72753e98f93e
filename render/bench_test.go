package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// oneFile returns n small rollouts as one plain-data CUE file: the shape of
// a large intent kept in one file.
func oneFile(n int) []byte {
	var b []byte
	for i := range n {
		b = fmt.Appendf(b, "rollouts: \"svc-%06d\": {namespace: %q, stable: subset: \"v1\", canary: subset: \"v2\", phase: \"canary\"}\n", i, gen.Namespace(i))
	}
	return b
}

// manyHosts returns one rollout whose VirtualService routes n hosts.
func manyHosts(n int) []byte {
	var b strings.Builder
	b.WriteString("rollouts: web: {\n\tstable: {subset: \"v1\"}\n\tcanary: {subset: \"v2\"}\n\thosts: [\n")
	for i := range n {
		fmt.Fprintf(&b, "\t\t\"h%06d.example.com\",\n", i)
	}
	b.WriteString("\t]\n}\n")
	return []byte(b.String())
}

// BenchmarkRenderOneFile measures loading and rendering the live phase of
// many rollouts kept in one file, which must cost what the same rollouts
// spread over many files cost: linear in their number.
func BenchmarkRenderOneFile(b *testing.B) {
	for _, n := range []int{10000, 80000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			if n > 10000 && testing.Short() {
				b.Skip("large file skipped in -short mode")
			}
			file := []schema.File{{Path: "intents/all.cue", Data: oneFile(n)}}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				in, err := schema.LoadFiles(file)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Tree(in, Live); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRenderHosts measures loading and rendering one rollout with a
// long host list: linear in its length.
func BenchmarkRenderHosts(b *testing.B) {
	for _, n := range []int{10000, 80000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			if n > 10000 && testing.Short() {
				b.Skip("long host list skipped in -short mode")
			}
			file := []schema.File{{Path: "intents/web.cue", Data: manyHosts(n)}}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				in, err := schema.LoadFiles(file)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Tree(in, Live); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
