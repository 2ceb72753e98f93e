package cueplan

import "cuelang.org/go/cue"

// Problem is one reason data fails a constraint, before the caller places it
// in its data and phrases it for a person.
type Problem struct {
	// Path leads from the walked value to the offending one.
	Path []PathElem
	Code Code
	// Absent is set for the problems of a field the data lacks: what CUE
	// finds in the field's constraint standing alone.
	Absent bool

	// CodeCUE: CUE's message.
	Format string
	Args   []any

	// CodeLength: the data's and the constraint's list lengths.
	Have, Want int
	Exact      bool

	// CodeInvalid: the test that failed (the first failing part of a
	// conjunction), and the message of the disjunction's error("...")
	// alternative, if any.
	Test *Test
	Msg  string

	// CodeKind: the kinds the constraint admits.
	Kinds cue.Kind

	// CodeNotAllowed: the fields the closed struct declares, in order.
	Known []string
}

// Code tells what kind of problem a Problem is.
type Code uint8

// The codes of problems.
const (
	CodeCUE        Code = iota // an error CUE reported
	CodeRequired               // a required field (name!) is absent
	CodeNotAllowed             // a field a closed struct does not declare
	CodeLength                 // a list of the wrong length
	CodeInvalid                // a scalar fails a Test (Options.Explain)
	CodeKind                   // a value of a kind the constraint does not admit (Options.ReportKinds)
	CodeIncomplete             // data that is not concrete (Options.ReportKinds)
)

// PathElem is one step of a data path: a field name or a list index.
type PathElem struct {
	Key     string
	Index   int
	IsIndex bool
}
