package manifest

import "fmt"

// Position is a place in a file; Line and Column are 1-based.
type Position struct {
	File   string
	Line   int
	Column int
}

func (p Position) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column) }

// ProblemKind says what kind of input a Problem is about. Package lint
// reports each kind under a rule of its own.
type ProblemKind uint8

// The kinds of problem.
const (
	// Invalid is a document that does not parse, or that is beyond the
	// Limits (lint's MR900).
	Invalid ProblemKind = iota + 1
	// Unreadable is input that cannot be read or built: a file that cannot
	// be opened, a kustomization that kustomize refuses (lint's MR902).
	Unreadable
	// Skipped is input left alone on purpose: a Helm chart, a Go template,
	// a lone kustomize Component (lint's MR903).
	Skipped
)

// Problem is input that was not read as manifests, at the position of the
// reason. The rest of the input is read.
type Problem struct {
	Kind ProblemKind
	Position
	Message string
}

func (p Problem) String() string { return p.Position.String() + ": " + p.Message }
