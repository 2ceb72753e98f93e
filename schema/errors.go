package schema

import (
	"sort"
	"strings"
)

// Error is one problem with an intent, at the position of the offending value.
type Error struct {
	Pos Pos
	Msg string
}

func (e Error) Error() string {
	if p := e.Pos.String(); p != "" {
		return p + ": " + e.Msg
	}
	return e.Msg
}

// Errors is every problem found in a set of intent files, sorted by position.
type Errors []Error

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

func (es Errors) sort() {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Pos != es[j].Pos {
			return lessPos(es[i].Pos, es[j].Pos)
		}
		return es[i].Msg < es[j].Msg
	})
}

// dedupe drops repeated errors; es must be sorted.
func (es Errors) dedupe() Errors {
	out := es[:0]
	for i, e := range es {
		if i > 0 && e == es[i-1] {
			continue
		}
		out = append(out, e)
	}
	return out
}
