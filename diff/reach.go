package diff

import (
	"cmp"
	"strconv"
	"strings"

	"github.com/meshroll/meshroll/route"
)

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
// requests, by route key, as the routing engine evaluates the route; it
// names destinations by track: the weighted route's first destination is
// stable, its others canary.
func reachOf(info *vsInfo) map[string]string {
	if info == nil || info.list != "http" {
		return nil
	}
	info.evaluate()
	tracks := map[string]string{}
	if info.weighted >= 0 {
		for i, d := range info.router.Route(info.weighted).Destinations {
			name := "canary"
			if i == 0 {
				name = "stable"
			}
			tracks[d.Host+"/"+d.Subset] = name
		}
	}
	out := map[string]string{}
	for i, r := range info.items {
		key := route.Everyone
		if i != info.weighted {
			key = r.get("name").str()
			if key == "" {
				key = "http[" + strconv.Itoa(i) + "]"
			}
		}
		out[key] = describeShares(info.router.Route(i).Destinations, tracks)
	}
	return out
}

// describeShares writes a route's destinations with their shares, leaving
// out those at 0%: "canary 100%", "stable 75% / canary 25%".
func describeShares(dests []route.Destination, tracks map[string]string) string {
	var parts []string
	for _, d := range dests {
		share := round(d.Weight)
		if share == 0 && len(dests) > 1 {
			continue
		}
		name := tracks[d.Host+"/"+d.Subset]
		if name == "" {
			name = destName(d)
		}
		parts = append(parts, name+" "+percent(share))
	}
	if len(parts) == 0 {
		return "no destination"
	}
	return strings.Join(parts, " / ")
}

// destName names a destination as destinationName does in the manifest:
// host/subset:port.
func destName(d route.Destination) string {
	s := cmp.Or(d.Host, "?")
	if d.Subset != "" {
		s += "/" + d.Subset
	}
	if d.Port != 0 {
		s += ":" + strconv.FormatUint(uint64(d.Port), 10)
	}
	return s
}

// reachRows joins the matrix of both sides: the routes of the new side in
// order, then those only the old side had, with everyone else last.
func reachRows(old, new *vsInfo) []Reach {
	before, after := reachOf(old), reachOf(new)
	if before == nil && after == nil {
		return nil
	}
	var order []string
	seen := map[string]bool{route.Everyone: true}
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
	order = append(order, route.Everyone)
	rows := make([]Reach, 0, len(order))
	for _, k := range order {
		b, a := before[k], after[k]
		if b == "" && before != nil {
			b = before[route.Everyone] + " *"
		}
		if a == "" && after != nil {
			a = after[route.Everyone] + " *"
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
