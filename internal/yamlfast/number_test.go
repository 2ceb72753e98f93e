package yamlfast

import (
	"math"
	"testing"
)

func TestNumber(t *testing.T) {
	for _, tt := range []struct {
		text string
		want float64
		ok   bool
	}{
		{"100", 100, true}, {"100.0", 100, true}, {"1_000", 1000, true}, {"0x10", 16, true}, {"0o17", 15, true},
		{"1e3", 1000, true}, {"-2.5", -2.5, true}, {".inf", math.Inf(1), true}, {"-.Inf", math.Inf(-1), true},
		{"+.INF", math.Inf(1), true}, {"ten", 0, false}, {"", 0, false}, {".iNf", 0, false},
	} {
		got, ok := Number(tt.text)
		if ok != tt.ok || got != tt.want {
			t.Errorf("Number(%q) = %v, %v; want %v, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
	if f, ok := Number(".NaN"); !ok || !math.IsNaN(f) {
		t.Errorf("Number(.NaN) = %v, %v", f, ok)
	}
}
