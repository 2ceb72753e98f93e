package diff

import "sort"

// Op is what happened to a field or a list item.
type Op string

// The ops of a field-level change.
const (
	Added   Op = "added"
	Removed Op = "removed"
	Changed Op = "changed"
	// Moved is a named list item (a route, say) that changed places with
	// others, which changes which one matches first.
	Moved Op = "moved"
)

// Change is one field-level change in a resource.
type Change struct {
	Op Op
	// Path is where the change is, written spec.http[4].route[0].weight:
	// indexes are those of the new document for added, changed and moved
	// items, and of the old one for removed items.
	Path string
	// From is the old path of a moved item.
	From string
	// Before and After are the old and new values as YAML shows them, one
	// of them empty for an addition or a removal. A collection is written
	// in compact flow style, or in words when Brief is set.
	Before, After string
	// Brief is set when Before or After describes a subtree in words —
	// "route beta-users → reviews/v2" — rather than showing its value.
	Brief bool

	path path
}

// comparer collects the changes between two documents.
type comparer struct {
	changes []Change
}

func (c *comparer) add(op Op, p path, v *value) {
	ch := Change{Op: op, Path: p.String(), path: p}
	text, brief := describe(p, v)
	if !brief {
		text = display(v)
	}
	ch.Brief = brief
	if op == Removed {
		ch.Before = text
	} else {
		ch.After = text
	}
	c.changes = append(c.changes, ch)
}

// compare records the changes from a (at path op in the old document) to
// b (at np in the new one).
func (c *comparer) compare(op, np path, a, b *value) {
	if a == b {
		return
	}
	if a == nil || b == nil || a.kind != b.kind {
		c.changes = append(c.changes, Change{Op: Changed, Path: np.String(), path: np, Before: display(a), After: display(b)})
		return
	}
	switch a.kind {
	case scalarKind:
		if !sameScalar(a, b) {
			c.changes = append(c.changes, Change{Op: Changed, Path: np.String(), path: np, Before: display(a), After: display(b)})
		}
	case mapKind:
		c.compareMaps(op, np, a, b)
	case listKind:
		c.compareLists(op, np, a, b)
	}
}

func (c *comparer) compareMaps(op, np path, a, b *value) {
	i, j := 0, 0
	for i < len(a.keys) || j < len(b.keys) {
		switch {
		case j == len(b.keys) || i < len(a.keys) && a.keys[i] < b.keys[j]:
			c.add(Removed, op.key(a.keys[i]), a.vals[i])
			i++
		case i == len(a.keys) || b.keys[j] < a.keys[i]:
			c.add(Added, np.key(b.keys[j]), b.vals[j])
			j++
		default:
			c.compare(op.key(a.keys[i]), np.key(b.keys[j]), a.vals[i], b.vals[j])
			i++
			j++
		}
	}
}

// compareLists matches the items of two lists: named items by name,
// route destinations by host, subset and port, scalars by value, and
// anything else by index.
func (c *comparer) compareLists(op, np path, a, b *value) {
	parent := ""
	if len(np) > 0 {
		parent = np[len(np)-1].key
	}
	if ka, ok := itemKeys(a, parent); ok {
		if kb, ok := itemKeys(b, parent); ok {
			c.compareKeyed(op, np, a, b, ka, kb)
			return
		}
	}
	if allScalars(a) && allScalars(b) && len(a.vals)*len(b.vals) <= maxLCS {
		c.compareScalarLists(op, np, a, b)
		return
	}
	n := min(len(a.vals), len(b.vals))
	for i := range n {
		c.compare(op.index(i), np.index(i), a.vals[i], b.vals[i])
	}
	for i := n; i < len(a.vals); i++ {
		c.add(Removed, op.index(i), a.vals[i])
	}
	for j := n; j < len(b.vals); j++ {
		c.add(Added, np.index(j), b.vals[j])
	}
}

// itemKeys returns the identity of each item of l when every item has one
// and no two share it: the name of named items (routes, subsets, ports,
// containers), or host/subset:port for the destinations of a route.
func itemKeys(l *value, parent string) ([]string, bool) {
	keys := make([]string, len(l.vals))
	seen := make(map[string]bool, len(l.vals))
	for i, item := range l.vals {
		if item == nil || item.kind != mapKind {
			return nil, false
		}
		k := item.get("name").str()
		if k == "" && parent == "route" {
			if d := item.get("destination"); d != nil && d.kind == mapKind {
				k = "\x00" + destinationName(d)
			}
		}
		if k == "" || seen[k] {
			return nil, false
		}
		seen[k] = true
		keys[i] = k
	}
	return keys, true
}

func (c *comparer) compareKeyed(op, np path, a, b *value, ka, kb []string) {
	oldAt := make(map[string]int, len(ka))
	for i, k := range ka {
		oldAt[k] = i
	}
	// match[j] is the old index of new item j, or -1 when it is new.
	match := make([]int, len(kb))
	matched := make([]bool, len(ka))
	for j, k := range kb {
		match[j] = -1
		if i, ok := oldAt[k]; ok {
			match[j] = i
			matched[i] = true
		}
	}
	// Order matters in route lists, where the first route that matches
	// wins; elsewhere (subsets, ports, containers) it does not.
	var stays []bool
	if routeList(np) {
		stays = inOrder(match)
	} else {
		stays = make([]bool, len(match))
		for j := range stays {
			stays[j] = true
		}
	}
	next := 0 // the next old index whose removal may be reported
	flushRemoved := func(upto int) {
		for ; next < upto; next++ {
			if !matched[next] {
				c.add(Removed, op.index(next), a.vals[next])
			}
		}
	}
	for j, i := range match {
		switch {
		case i < 0:
			c.add(Added, np.index(j), b.vals[j])
		case !stays[j]:
			text, brief := describe(np.index(j), b.vals[j])
			if !brief {
				text = ka[i]
				if text[0] == 0 {
					text = text[1:]
				}
			}
			p := np.index(j)
			c.changes = append(c.changes, Change{Op: Moved, Path: p.String(), path: p, From: op.index(i).String(), After: text, Brief: true})
			c.compare(op.index(i), np.index(j), a.vals[i], b.vals[j])
		default:
			flushRemoved(i)
			c.compare(op.index(i), np.index(j), a.vals[i], b.vals[j])
		}
	}
	flushRemoved(len(ka))
}

// routeList reports whether the list at p is a VirtualService's route list.
func routeList(p path) bool {
	if len(p) != 2 || p[0].key != "spec" {
		return false
	}
	switch p[1].key {
	case "http", "tcp", "tls":
		return true
	}
	return false
}

// inOrder marks the matched items that keep their relative order: the
// longest increasing run of old indexes. The others moved.
func inOrder(match []int) []bool {
	// Patience sorting: tails[k] is the position in match of the smallest
	// tail of an increasing run of length k+1.
	var tails []int
	prev := make([]int, len(match))
	for j, i := range match {
		if i < 0 {
			continue
		}
		k := sort.Search(len(tails), func(k int) bool { return match[tails[k]] >= i })
		if k > 0 {
			prev[j] = tails[k-1]
		} else {
			prev[j] = -1
		}
		if k == len(tails) {
			tails = append(tails, j)
		} else {
			tails[k] = j
		}
	}
	stays := make([]bool, len(match))
	if len(tails) > 0 {
		for j := tails[len(tails)-1]; j >= 0; j = prev[j] {
			stays[j] = true
		}
	}
	return stays
}

func allScalars(l *value) bool {
	for _, v := range l.vals {
		if v == nil || v.kind != scalarKind {
			return false
		}
	}
	return true
}

// maxLCS bounds the table of the scalar list comparison; longer lists are
// compared by index.
const maxLCS = 1 << 18

// compareScalarLists compares lists of scalars by a longest common
// subsequence, so that inserting a host shows as one addition. Between
// common items, old and new items pair up as changes.
func (c *comparer) compareScalarLists(op, np path, a, b *value) {
	n, m := len(a.vals), len(b.vals)
	// lcs[i][j] is the length of the longest common subsequence of
	// a[i:] and b[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if sameScalar(a.vals[i], b.vals[j]) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var gapA, gapB []int
	flush := func() {
		k := min(len(gapA), len(gapB))
		for x := range k {
			c.compare(op.index(gapA[x]), np.index(gapB[x]), a.vals[gapA[x]], b.vals[gapB[x]])
		}
		for _, i := range gapA[k:] {
			c.add(Removed, op.index(i), a.vals[i])
		}
		for _, j := range gapB[k:] {
			c.add(Added, np.index(j), b.vals[j])
		}
		gapA, gapB = gapA[:0], gapB[:0]
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && sameScalar(a.vals[i], b.vals[j]):
			flush()
			i++
			j++
		case j == m || i < n && lcs[i+1][j] >= lcs[i][j+1]:
			gapA = append(gapA, i)
			i++
		default:
			gapB = append(gapB, j)
			j++
		}
	}
	flush()
}
