package schema

import (
	"bytes"
	"fmt"
	"testing"
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
