package cueplan

import (
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/literal"
)

// slotLabel is the one field of the scratch struct.
const slotLabel = "x"

var slot = cue.MakePath(cue.Str(slotLabel))

// Scratch evaluates constraint values in a fresh struct, as its field x.
// CUE names an error by the parent chain of the vertex it occurs in, and for
// a value reached through a reference that chain runs through the
// definition it came from (#Route.timeout rather than
// policies.ACME001.constraint.spec.http[_].timeout). Under a fresh root,
// every error path is x followed by the path within the constraint, which
// is the path within the data. cue.Value.FillPath is safe for concurrent
// use in cuelang.org/go v0.17 (TestConcurrentFillPath).
type Scratch struct {
	root cue.Value
}

// NewScratch returns a Scratch in ctx.
func NewScratch(ctx *cue.Context) Scratch {
	return Scratch{root: ctx.CompileString("{}")}
}

// Validate evaluates constraint v, unified with data if data exists.
func (s Scratch) Validate(v, data cue.Value, opts ...cue.Option) error {
	u := s.root.FillPath(slot, v)
	if data.Exists() {
		u = u.FillPath(slot, data)
	}
	return u.Validate(opts...)
}

// Problems evaluates like Validate and returns the problems found, with
// paths relative to v.
func (s Scratch) Problems(v, data cue.Value, opts ...cue.Option) []Problem {
	return CUEProblems(s.Validate(v, data, opts...))
}

// CUEProblems turns errors from scratch evaluation into problems with paths
// relative to the constraint. It drops the headers of empty disjunctions,
// whose alternatives follow.
func CUEProblems(err error) []Problem {
	if err == nil {
		return nil
	}
	var out []Problem
	for _, e := range errors.Errors(err) {
		format, args := e.Msg()
		if IsDisjunctionHeader(format) {
			continue
		}
		out = append(out, Problem{Path: ParsePath(relative(e.Path())), Format: format, Args: args})
	}
	return out
}

// relative strips the scratch field from an error path. An error without
// it (CUE gives none for an explicit _|_) is placed at the constraint.
func relative(path []string) []string {
	if len(path) > 0 && path[0] == slotLabel {
		return path[1:]
	}
	return nil
}

// IsDisjunctionHeader reports whether a CUE message only introduces the
// errors of the alternatives of a disjunction, which follow it.
func IsDisjunctionHeader(format string) bool {
	return strings.HasSuffix(format, "errors in empty disjunction:")
}

// ParsePath reads the selectors of a CUE error path: list indices are
// decimal, quoted labels are unquoted.
func ParsePath(sels []string) []PathElem {
	out := make([]PathElem, 0, len(sels))
	for _, s := range sels {
		if s != "" && s[0] >= '0' && s[0] <= '9' {
			if i, err := strconv.Atoi(s); err == nil {
				out = append(out, PathElem{Index: i, IsIndex: true})
				continue
			}
		}
		if strings.HasPrefix(s, `"`) {
			if u, err := literal.Unquote(s); err == nil {
				s = u
			}
		}
		out = append(out, PathElem{Key: s})
	}
	return out
}

// LookupPath returns the value under root at the path of a CUE error
// (errors.Error.Path): list indices, definitions, quoted or plain labels.
func LookupPath(root cue.Value, path []string) cue.Value {
	sels := make([]cue.Selector, len(path))
	for i, s := range path {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 {
			sels[i] = cue.Index(n)
		} else if strings.HasPrefix(s, "#") {
			sels[i] = cue.Def(s)
		} else if u, err := strconv.Unquote(s); err == nil {
			sels[i] = cue.Str(u)
		} else {
			sels[i] = cue.Str(s)
		}
	}
	return root.LookupPath(cue.MakePath(sels...))
}
