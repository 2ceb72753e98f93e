package crd

import "strings"

// closest returns the candidate nearest to name, or "" when none is close
// enough to be the likely intended spelling. Candidates are compared case-
// and separator-insensitively first (max_retries → maxRetries), then by the
// optimal string alignment distance, which counts a swap of two neighbouring
// letters (wieght → weight) as one edit.
func closest(name string, candidates []string) string {
	norm := normalize(name)
	for _, c := range candidates {
		if normalize(c) == norm {
			return c
		}
	}
	limit := 1
	switch n := len(name); {
	case n >= 8:
		limit = 3
	case n >= 4:
		limit = 2
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if abs(len(c)-len(name)) > limit {
			continue
		}
		if d := distance(strings.ToLower(name), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func normalize(s string) string {
	s = strings.ToLower(s)
	return strings.NewReplacer("_", "", "-", "").Replace(s)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// distance is the optimal string alignment distance between a and b, in
// bytes: insertions, deletions, substitutions and transpositions of
// adjacent characters each cost one.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		// Field names are short; bounding the work keeps hostile input cheap.
		return 1 << 20
	}
	var rows [3][65]int
	prev2, prev, cur := rows[0][:len(b)+1], rows[1][:len(b)+1], rows[2][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
