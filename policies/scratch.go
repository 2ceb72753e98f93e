package policies

import (
	"cuelang.org/go/cue"
	"cuelang.org/go/cue/errors"
)

// slotLabel is the one field of the scratch struct.
const slotLabel = "x"

var slot = cue.MakePath(cue.Str(slotLabel))

// scratch evaluates constraint values in a fresh struct, as its field x.
// CUE names an error by the parent chain of the vertex it occurs in, and for
// a value reached through a reference that chain runs through the
// definition it came from (#Route.timeout rather than
// policies.ACME001.constraint.spec.http[_].timeout). Under a fresh root,
// every error path is x followed by the path within the constraint, which
// is the path within the manifest. cue.Value.FillPath is safe for
// concurrent use in cuelang.org/go v0.17 (TestConcurrentFillPath).
type scratch struct {
	root cue.Value
}

func newScratch(ctx *cue.Context) scratch {
	return scratch{root: ctx.CompileString("{}")}
}

// validate evaluates constraint v, unified with data if data exists.
func (s scratch) validate(v, data cue.Value, opts ...cue.Option) error {
	u := s.root.FillPath(slot, v)
	if data.Exists() {
		u = u.FillPath(slot, data)
	}
	return u.Validate(opts...)
}

// problems evaluates like validate and returns the problems found, with
// paths relative to v.
func (s scratch) problems(v, data cue.Value, opts ...cue.Option) []problem {
	return cueProblems(s.validate(v, data, opts...))
}

// cueProblems turns errors from scratch evaluation into problems with paths
// relative to the constraint. It drops the headers of empty disjunctions,
// whose alternatives follow.
func cueProblems(err error) []problem {
	if err == nil {
		return nil
	}
	var out []problem
	for _, e := range errors.Errors(err) {
		format, args := e.Msg()
		if isDisjunctionHeader(format) {
			continue
		}
		out = append(out, problem{path: parsePath(relative(e.Path())), format: format, args: args})
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
