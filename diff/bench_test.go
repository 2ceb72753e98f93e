package diff

import (
	"io"
	"testing"
)

// BenchmarkFiles diffs two trees of 1,000 rollouts that all advance a
// phase: parsing, matching and summarising, without rendering.
func BenchmarkFiles(b *testing.B) {
	old, new := manyRollouts(1000)
	size := 0
	for _, f := range append(old, new...) {
		size += len(f.Content)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Files(old, new)
		if err != nil {
			b.Fatal(err)
		}
		if err := (Markdown{}).Write(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
