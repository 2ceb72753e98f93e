package revision

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/meshroll/meshroll/diff"
	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/schema"
)

// Options says which intents to render on each side.
type Options struct {
	// Dir is the directory Intents are relative to; "" is the current
	// directory. It must be in the working tree of a git repository.
	Dir string
	// Ref is the base revision: a branch, a tag, a commit, HEAD~1.
	Ref string
	// Intents are the intent files and directories, relative to Dir or
	// absolute, inside the repository.
	Intents []string
	// Mode is render.Live or render.AllPhases.
	Mode render.Mode
	// Exclude leaves out what it matches, on both sides.
	Exclude *input.Exclude
	// SkipMissing leaves out of the base the intents paths that Ref does
	// not have (LoadBase only): intents added since are new there.
	SkipMissing bool
}

// Trees are the rendered trees of both sides.
type Trees struct {
	// Commit is the commit Ref named.
	Commit string
	// Base is the rendering of the intents at Ref, Work of those in the
	// working tree (as they are on disk, committed or not).
	Base, Work []diff.File
	// BaseIntent and WorkIntent are the intents themselves, for what the
	// rendering does not carry: the phase ladders, since and reason.
	BaseIntent, WorkIntent *schema.Intent
}

// InvalidError is intent that does not load on one side. It unwraps to the
// schema.Errors, whose positions name the files as Options.Intents do on
// both sides.
type InvalidError struct {
	// Side is "the working tree" or "REF".
	Side string
	// BothSides is set when the other side is invalid too; Errs are the
	// working tree's then, the ones a developer can fix.
	BothSides bool
	Errs      schema.Errors
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("the intents in %s are invalid: %v", e.Side, e.Errs)
}

func (e *InvalidError) Unwrap() error { return e.Errs }

// Render renders the intents at o.Ref and in the working tree. It reads
// the revision through git's plumbing into a temporary directory, never
// touching the working tree or the index, and loads and renders both
// sides at once.
func Render(ctx context.Context, o Options) (*Trees, error) {
	// Intents that the revision does not have yet (the pull request that
	// adds them) are new: the base renders nothing for them. A path that is
	// in neither is an error.
	o.SkipMissing = true
	return both(ctx, o, true, true)
}

// LoadBase loads the intents at o.Ref, as Render reads them, without
// rendering them or reading the working tree's.
func LoadBase(ctx context.Context, o Options) (*schema.Intent, error) {
	t, err := both(ctx, o, false, false)
	if err != nil {
		return nil, err
	}
	return t.BaseIntent, nil
}

// both reads the intents at o.Ref and, with work, in the working tree, and
// with render renders them.
func both(ctx context.Context, o Options, work, render bool) (*Trees, error) {
	dir := o.Dir
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	repo, err := Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	commit, err := repo.Resolve(ctx, o.Ref)
	if err != nil {
		return nil, err
	}
	rels := make([]string, len(o.Intents))
	for i, p := range o.Intents {
		if rels[i], err = repo.Rel(p); err != nil {
			return nil, err
		}
	}
	// The base side reads baseRels, named as baseNames; the working tree
	// reads every intents path.
	baseRels, baseNames := rels, o.Intents
	blobs, err := repo.Export(ctx, o.Ref, commit, baseRels, schema.WalkOptions(o.Exclude))
	for o.SkipMissing && len(baseRels) > 0 {
		var missing *MissingError
		if !errors.As(err, &missing) {
			break
		}
		i := slices.Index(baseRels, missing.Path)
		if i < 0 {
			break
		}
		if work {
			if _, serr := os.Stat(filepath.Join(repo.Root, filepath.FromSlash(missing.Path))); serr != nil {
				break // in neither: the error stands
			}
		}
		baseRels, baseNames = slices.Delete(slices.Clone(baseRels), i, i+1), slices.Delete(slices.Clone(baseNames), i, i+1)
		blobs, err = nil, nil
		if len(baseRels) > 0 {
			blobs, err = repo.Export(ctx, o.Ref, commit, baseRels, schema.WalkOptions(o.Exclude))
		}
	}
	if err != nil {
		return nil, err
	}
	// The revision's files are loaded in memory under the names the working
	// tree's have, so that both sides name the same files alike.
	baseFiles := make([]schema.File, 0, len(blobs))
	for _, b := range blobs {
		baseFiles = append(baseFiles, schema.File{Path: nameIn(b.Path, baseRels, baseNames), Data: b.Data})
	}

	// The two sides load and render independently: on two processors, at
	// once.
	t := &Trees{Commit: commit}
	var baseErr, workErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		t.BaseIntent, baseErr = schema.LoadFiles(baseFiles)
		if baseErr == nil && render {
			t.Base, baseErr = renderFiles(t.BaseIntent, o.Mode)
		}
	})
	wg.Go(func() {
		if !work {
			return
		}
		paths := make([]string, len(o.Intents))
		for i, p := range o.Intents {
			paths[i] = p
			if !filepath.IsAbs(p) {
				paths[i] = filepath.Join(dir, p)
			}
		}
		t.WorkIntent, workErr = loadNamed(paths, o.Intents, o.Exclude)
		if workErr == nil && render {
			t.Work, workErr = renderFiles(t.WorkIntent, o.Mode)
		}
	})
	wg.Wait()

	var baseInvalid, workInvalid schema.Errors
	baseBad, workBad := errors.As(baseErr, &baseInvalid), errors.As(workErr, &workInvalid)
	switch {
	case workBad:
		return nil, &InvalidError{Side: "the working tree", BothSides: baseBad, Errs: workInvalid}
	case workErr != nil:
		return nil, fmt.Errorf("rendering the working tree: %w", workErr)
	case baseBad:
		return nil, &InvalidError{Side: o.Ref, Errs: baseInvalid}
	case baseErr != nil:
		return nil, fmt.Errorf("rendering %s: %w", o.Ref, baseErr)
	}
	return t, nil
}

// loadNamed loads the intents at paths. Positions in errors name the
// files under names[i] instead of paths[i], so that both sides name the
// same files alike.
func loadNamed(paths, names []string, exclude *input.Exclude) (*schema.Intent, error) {
	in, err := schema.LoadWith(paths, schema.LoadOptions{Exclude: exclude})
	if err != nil {
		var errs schema.Errors
		if errors.As(err, &errs) {
			return nil, rename(errs, paths, names)
		}
		return nil, err
	}
	return in, nil
}

// renderFiles renders loaded intent as the files the diff compares.
func renderFiles(in *schema.Intent, mode render.Mode) ([]diff.File, error) {
	files, err := render.Tree(in, mode)
	if err != nil {
		return nil, err
	}
	out := make([]diff.File, len(files))
	for i, f := range files {
		out[i] = diff.File{Path: f.Path, Content: f.Content}
	}
	return out, nil
}

// nameIn names a file of the revision, at repository-relative path p, as
// the working tree's file at that place is named: under the intents path
// the user gave (names[i] for rels[i]).
func nameIn(p string, rels, names []string) string {
	for i, rel := range rels {
		switch {
		case rel == ".":
			return filepath.Join(names[i], filepath.FromSlash(p))
		case p == rel:
			return filepath.Clean(names[i])
		case strings.HasPrefix(p, rel+"/"):
			return filepath.Join(names[i], filepath.FromSlash(p[len(rel)+1:]))
		}
	}
	return filepath.FromSlash(p)
}

// rename rewrites the file of each error from under paths[i] to under
// names[i].
func rename(errs schema.Errors, paths, names []string) schema.Errors {
	out := make(schema.Errors, len(errs))
	for i, e := range errs {
		for j, p := range paths {
			p = filepath.Clean(p)
			if e.Pos.File == p || strings.HasPrefix(e.Pos.File, p+string(filepath.Separator)) {
				e.Pos.File = filepath.Clean(names[j]) + e.Pos.File[len(p):]
				break
			}
		}
		out[i] = e
	}
	return out
}
