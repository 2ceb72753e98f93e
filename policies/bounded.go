package policies

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"

	"github.com/meshroll/meshroll/internal/bound"
)

// compileJob compiles user policy packages in a bounded child process and
// sends back their Errors, or none. A policy package is arbitrary CUE, which
// can ask the evaluator for gigabytes or hours while it compiles; the
// child's verdict says the package compiles within the limits, and only then
// is it compiled again in-process, where its values are needed. Compiling a
// package is deterministic, so the second compilation costs what the first
// did.
var compileJob = bound.Register("policies/compile", func(input []byte, progress bound.Progress) ([]byte, error) {
	var pkgs []Package
	if err := gob.NewDecoder(bytes.NewReader(input)).Decode(&pkgs); err != nil {
		return nil, fmt.Errorf("reading the policies to compile: %w", err)
	}
	var errs Errors
	for _, p := range pkgs {
		progress(subjectOf(p))
		_, err := compile(p)
		var es Errors
		switch {
		case errors.As(err, &es):
			errs = append(errs, es...)
		case err != nil:
			errs = append(errs, Error{File: subjectOf(p), Msg: err.Error()})
		}
	}
	var out bytes.Buffer
	if err := gob.NewEncoder(&out).Encode(errs); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
})

// subjectOf names a package in messages about its evaluation: its file when
// it has one, else its directory.
func subjectOf(p Package) string {
	if len(p.Files) == 1 {
		return p.Files[0].Name
	}
	return p.Dir
}

// checkBounded compiles user packages in a bounded child (see compileJob)
// and returns their errors, or an Error naming the package that passed a
// limit.
func checkBounded(pkgs []Package, lim bound.Limits) error {
	var in bytes.Buffer
	if err := gob.NewEncoder(&in).Encode(pkgs); err != nil {
		return err
	}
	out, err := compileJob.Run(in.Bytes(), lim)
	var ee *bound.ExceededError
	switch {
	case errors.As(err, &ee):
		return Errors{{File: ee.Subject, Msg: fmt.Sprintf("%s; meshroll stopped it (if this policy is honest, raise %s in .meshroll.yaml)", ee.Reason(), ee.Setting())}}
	case err != nil:
		return fmt.Errorf("compiling policies: %w", err)
	}
	var errs Errors
	if err := gob.NewDecoder(bytes.NewReader(out)).Decode(&errs); err != nil {
		return fmt.Errorf("compiling policies: %w", err)
	}
	if len(errs) > 0 {
		return errs.sorted()
	}
	return nil
}
