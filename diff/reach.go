package diff

import (
	"strconv"
	"strings"
)

// Everyone names the weighted route in the matrix of who reaches what: the
// requests no A/B route takes.
const Everyone = "anyone else"

// Reach is one row of the matrix of who reaches what: where the requests
// of one route go before and after the change ("" where the route does not
// exist: those requests then take the weighted split).
type Reach struct {
	Route         string
	Before, After string
}

// Changed reports whether the row's requests go elsewhere after the change.
func (r Reach) Changed() bool { return r.Before != r.After }

// reachOf describes where each http route of a VirtualService sends its
// requests, by route key, naming destinations by track: the weighted
// route's first destination is stable, its second canary.
func reachOf(info *vsInfo) map[string]string {
	if info == nil || info.list != "http" {
		return nil
	}
	tracks := map[string]string{}
	if info.weighted >= 0 {
		for i, d := range listOf(info.items[info.weighted].get("route")) {
			name := "canary"
			if i == 0 {
				name = "stable"
			}
			tracks[destKey(d)] = name
		}
	}
	out := map[string]string{}
	for i, r := range info.items {
		key := Everyone
		if i != info.weighted {
			key = r.get("name").str()
			if key == "" {
				key = "http[" + strconv.Itoa(i) + "]"
			}
		}
		out[key] = routeShares(r, tracks)
	}
	return out
}

func listOf(v *value) []*value {
	if v == nil || v.kind != listKind {
		return nil
	}
	return v.vals
}

func destKey(d *value) string {
	return d.at("destination", "host").str() + "/" + d.at("destination", "subset").str()
}

// routeShares writes a route's destinations with their shares, leaving
// out those at 0%: "canary 100%", "stable 75% / canary 25%".
func routeShares(r *value, tracks map[string]string) string {
	dests := listOf(r.get("route"))
	if len(dests) == 0 {
		return "no destination"
	}
	w := make([]float64, len(dests))
	sum := 0.0
	for i, d := range dests {
		if x, ok := parseFloat(d.get("weight").str()); ok && x > 0 {
			w[i] = x
		}
		sum += w[i]
	}
	var parts []string
	for i, d := range dests {
		share := 100.0
		if len(dests) > 1 {
			if sum == 0 {
				continue
			}
			share = round(w[i] * 100 / sum)
		}
		if share == 0 && len(dests) > 1 {
			continue
		}
		name := tracks[destKey(d)]
		if name == "" {
			name = destinationName(d.get("destination"))
		}
		parts = append(parts, name+" "+strconv.FormatFloat(share, 'f', -1, 64)+"%")
	}
	if len(parts) == 0 {
		return "no destination"
	}
	return strings.Join(parts, " / ")
}

// reachRows joins the matrix of both sides: the routes of the new side in
// order, then those only the old side had, with everyone else last.
func reachRows(old, new *vsInfo) []Reach {
	before, after := reachOf(old), reachOf(new)
	if before == nil && after == nil {
		return nil
	}
	var order []string
	seen := map[string]bool{Everyone: true}
	for _, info := range []*vsInfo{new, old} {
		if info == nil {
			continue
		}
		for _, k := range info.routeKeys {
			if !seen[k] {
				seen[k] = true
				order = append(order, k)
			}
		}
	}
	order = append(order, Everyone)
	rows := make([]Reach, 0, len(order))
	for _, k := range order {
		b, a := before[k], after[k]
		if b == "" && before != nil {
			b = before[Everyone] + " *"
		}
		if a == "" && after != nil {
			a = after[Everyone] + " *"
		}
		rows = append(rows, Reach{Route: k, Before: b, After: a})
	}
	return rows
}

// reachChanged reports whether anyone's requests go elsewhere.
func reachChanged(rows []Reach) bool {
	for _, r := range rows {
		if r.Changed() {
			return true
		}
	}
	return false
}
