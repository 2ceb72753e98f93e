package schema

import (
	"bytes"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/meshroll/meshroll/internal/gen"
)

// BenchmarkLoadJSONInvalidBytes loads a .json intent with a run of NUL or
// invalid UTF-8 bytes: it must fail in time linear in the file's size.
func BenchmarkLoadJSONInvalidBytes(b *testing.B) {
	for _, bad := range []byte{0, 0xff} {
		for _, n := range []int{60_000, 200_000} {
			b.Run(fmt.Sprintf("byte=%#x/size=%d", bad, n), func(b *testing.B) {
				data := append([]byte(`{"rollouts": {"a": {"stable": {"subset": "v1"}}}, "x": "`), bytes.Repeat([]byte{bad}, n)...)
				data = append(data, `"}`...)
				for b.Loop() {
					if _, err := LoadFiles([]File{{Path: "a.json", Data: data}}); err == nil {
						b.Fatal("invalid bytes accepted")
					}
				}
			})
		}
	}
}

// BenchmarkCheck measures checking 1,000 rollouts of generated intent
// against #Intent, the schema's share of loading.
func BenchmarkCheck(b *testing.B) {
	dir := b.TempDir()
	if err := gen.Intents(dir, 1000); err != nil {
		b.Fatal(err)
	}
	var paths []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, path)
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	chk, err := Schema()
	if err != nil {
		b.Fatal(err)
	}
	var trees []*Node
	for _, s := range readAll(paths) {
		root, ok := dataTree([]*source{s})
		if !ok {
			b.Fatalf("%s is not plain data", s.path)
		}
		trees = append(trees, root)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range trees {
			if vs := chk.Check(t); len(vs) > 0 {
				b.Fatal(vs[0].Msg)
			}
		}
	}
}
