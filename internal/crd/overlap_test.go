package crd

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// naiveFirstOverlaps is Istio's pairwise comparison, kept as the reference.
func naiveFirstOverlaps(hosts []string) []int {
	out := make([]int, len(hosts))
	for j := range hosts {
		out[j] = -1
		for i := 0; i < j; i++ {
			if hostsOverlap(hosts[i], hosts[j]) {
				out[j] = i
				break
			}
		}
	}
	return out
}

func TestFirstOverlaps(t *testing.T) {
	tests := []struct {
		hosts []string
		want  []int
	}{
		{[]string{"a.example.com", "b.example.com"}, []int{-1, -1}},
		{[]string{"a.example.com", "A.example.com"}, []int{-1, 0}},
		{[]string{"*.example.com", "api.example.com"}, []int{-1, 0}},
		{[]string{"api.example.com", "*.example.com"}, []int{-1, 0}},
		{[]string{"*.example.com", "*.api.example.com", "*.com"}, []int{-1, 0, 0}},
		{[]string{"*", "x"}, []int{-1, 0}},
		{[]string{"x", "y", "*"}, []int{-1, -1, 0}},
		{[]string{"*ample.com", "example.com"}, []int{-1, 0}},
		{[]string{"reviews", "ratings", "reviews"}, []int{-1, -1, 0}},
	}
	for _, tt := range tests {
		if got := firstOverlaps(tt.hosts); !slices.Equal(got, tt.want) {
			t.Errorf("firstOverlaps(%q) = %v, want %v", tt.hosts, got, tt.want)
		}
		if got := naiveFirstOverlaps(tt.hosts); !slices.Equal(got, tt.want) {
			t.Errorf("the reference gives %v for %q, want %v", got, tt.hosts, tt.want)
		}
	}
}

// TestFirstOverlapsAgrees holds the trie to the pairwise comparison on
// random host lists drawn from a small alphabet, so that overlaps abound.
func TestFirstOverlapsAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	parts := []string{"a", "b", ".", "A"}
	for range 2000 {
		hosts := make([]string, r.IntN(8))
		for i := range hosts {
			h := ""
			if r.IntN(3) == 0 {
				h = "*"
			}
			for range r.IntN(5) {
				h += parts[r.IntN(len(parts))]
			}
			hosts[i] = h
		}
		if got, want := firstOverlaps(hosts), naiveFirstOverlaps(hosts); !slices.Equal(got, want) {
			t.Fatalf("firstOverlaps(%q) = %v, want %v", hosts, got, want)
		}
	}
}
