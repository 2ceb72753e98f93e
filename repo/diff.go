package repo

import (
	"context"
	"time"

	"github.com/meshroll/meshroll/diff"
	"github.com/meshroll/meshroll/diff/revision"
	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/review"
	"github.com/meshroll/meshroll/schema"
)

// Change is what the working tree's intents change against a git revision:
// both sides rendered, and what the change does to each rollout's ladder
// and live phase.
type Change struct {
	Old, New []diff.File
	Progress []diff.Progress
}

// DiffBase renders the intents as they are at the git revision base and as
// they are in the working tree (committed or not), and judges each
// rollout's move at now, as meshroll diff --base does. The revision is read
// with git's plumbing: the working tree and the index are left alone.
func DiffBase(ctx context.Context, base string, intents []string, mode render.Mode, ex *input.Exclude, now time.Time) (*Change, error) {
	t, err := revision.Render(ctx, revision.Options{Ref: base, Intents: intents, Mode: mode, Exclude: ex})
	if err != nil {
		return nil, err
	}
	return &Change{Old: t.Base, New: t.Work, Progress: review.Progress(review.Compare(t.BaseIntent, t.WorkIntent, now))}, nil
}

// LoadBase loads the intents at the revision base. Intents paths that base
// does not have yet are new, with no move to judge: they are left out.
func LoadBase(ctx context.Context, base string, paths []string) (*schema.Intent, error) {
	return revision.LoadBase(ctx, revision.Options{Ref: base, Intents: paths, SkipMissing: true})
}
