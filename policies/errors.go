package policies

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a policy file, at the position a person would edit.
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

// Error formats the problem as file:line:col: message, the form editors and
// CI annotations understand.
func (e Error) Error() string {
	switch {
	case e.File == "":
		return e.Msg
	case e.Line == 0:
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// Errors are all problems found while loading policies, sorted by position.
// The CLI exits with status 2 on them: the input is invalid.
type Errors []Error

// Error lists every problem on its own line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sorted orders errors by file, line, column and message and drops
// duplicates, so that output is deterministic.
func (es Errors) sorted() Errors {
	sort.Slice(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Msg < b.Msg
	})
	out := es[:0]
	for i, e := range es {
		if i == 0 || e != es[i-1] {
			out = append(out, e)
		}
	}
	return out
}
