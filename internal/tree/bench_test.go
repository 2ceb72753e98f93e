package tree

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkUpdate measures a write that changes one file of a tree of
// about 6,250 files (every phase of 1,000 rollouts): with the swap, the
// whole tree is rebuilt of hard links beside itself; with the journal, one
// file is replaced.
func BenchmarkUpdate(b *testing.B) {
	body := strings.Repeat("spec: {}\n", 100)
	var base []File
	for i := range 6250 {
		base = append(base, files(fmt.Sprintf("p%d/ns%d/r%04d.yaml", i%5, i%20, i), body)...)
	}
	for _, swap := range []bool{true, false} {
		name := "journal"
		if swap {
			name = "swap"
			if !canExchange {
				continue
			}
		}
		b.Run(name, func(b *testing.B) {
			useSwap = swap
			defer func() { useSwap = canExchange }()
			dir := filepath.Join(b.TempDir(), "out")
			if _, err := wr(dir, base); err != nil {
				b.Fatal(err)
			}
			want := append([]File(nil), base...)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				want[0] = files(base[0].Path, fmt.Sprint(body, i))[0]
				changes, err := wr(dir, want)
				if err != nil || len(changes) != 1 {
					b.Fatal(changes, err)
				}
			}
		})
	}
}
