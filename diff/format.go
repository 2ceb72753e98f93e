package diff

import (
	"io"
	"strconv"
	"strings"
)

// Writer writes a Result in one output format. Each format is in a file of
// its own: text.go, markdown.go, json.go.
type Writer interface {
	Write(w io.Writer, r *Result) error
}

// Formats names the output formats, for flags and help.
var Formats = []string{"text", "markdown", "json"}

// Sign is the mark that starts the line of a change of op or a resource
// of status: + added, - removed, ~ changed or moved.
func Sign[T Op | Status](s T) string {
	switch string(s) {
	case string(Added):
		return "+"
	case string(Removed):
		return "-"
	}
	return "~"
}

// Line writes a field-level change on one line:
//
//	~ spec.http[4].route[0].weight: 90 → 75
//	+ spec.http[2] (route beta-users → reviews/v2)
//	- spec.http[0].timeout: 10s
//	~ spec.http[3] (route jason → reviews/v2) moved from spec.http[0]
func (c Change) Line() string {
	var b strings.Builder
	b.WriteString(Sign(c.Op))
	b.WriteByte(' ')
	b.WriteString(c.Path)
	switch c.Op {
	case Changed:
		b.WriteString(": " + c.Before + " → " + c.After)
	case Moved:
		b.WriteString(" (" + c.After + ") moved from " + c.From)
	default:
		v := c.After
		if c.Op == Removed {
			v = c.Before
		}
		if c.Brief {
			b.WriteString(" (" + v + ")")
		} else {
			b.WriteString(": " + v)
		}
	}
	return b.String()
}

// Line writes a resource's status on one line:
//
//	~ VirtualService/bookinfo/reviews
//	+ DestinationRule/shop/cart: host cart, subsets v3
func (r *Resource) Line() string {
	s := Sign(r.Status) + " " + r.Label()
	if r.OldFile != "" {
		s += " (moved from " + r.OldFile + ")"
	}
	if r.Summary != "" {
		s += ": " + r.Summary
	}
	return s
}

// Headline counts what changed: "3 rollouts changed, 1 new, 1 removed;
// mTLS changed in 1 namespace; resources: 9 changed, 2 added, 2 removed,
// 20 unchanged". It says "no changes" when there are none.
func (r *Result) Headline() string {
	if r.Empty() {
		return "no changes: the manifests are the same (formatting, comments and key order aside)"
	}
	var parts []string
	var ro []string
	for _, x := range []struct {
		s    Status
		word string
	}{{StatusChanged, "changed"}, {StatusAdded, "new"}, {StatusRemoved, "removed"}} {
		if n := r.countRollouts(x.s); n > 0 {
			ro = append(ro, strconv.Itoa(n)+" "+x.word)
		}
	}
	if len(ro) > 0 {
		parts = append(parts, "rollouts: "+strings.Join(ro, ", "))
	}
	if n := len(r.MTLS); n > 0 {
		parts = append(parts, "mTLS changed in "+plural(n, "namespace", "namespaces"))
	}
	var res []string
	for _, s := range []Status{StatusChanged, StatusAdded, StatusRemoved} {
		if n := r.Count(s); n > 0 {
			res = append(res, strconv.Itoa(n)+" "+string(s))
		}
	}
	res = append(res, strconv.Itoa(r.Unchanged)+" unchanged")
	if p := r.progressHeadline(); p != "" {
		parts = append(parts, p)
	}
	parts = append(parts, "resources: "+strings.Join(res, ", "))
	return strings.Join(parts, "; ")
}
