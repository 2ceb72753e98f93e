package main

import "testing"

func TestMemoryLimit(t *testing.T) {
	for _, tt := range []struct {
		total uint64
		want  int64
	}{
		{0, 1 << 30},       // unknown
		{2 << 30, 1 << 30}, // a small machine: the floor
		{24 << 30, 6 << 30},
	} {
		if got := memoryLimit(tt.total); got != tt.want {
			t.Errorf("memoryLimit(%d) = %d, want %d", tt.total, got, tt.want)
		}
	}
}
