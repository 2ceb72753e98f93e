package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/schema"
	"github.com/meshroll/meshroll/shift"
)

type setPhaseInput struct {
	Rollout string `json:"rollout" jsonschema:"the rollout: its name, or namespace/name when the name is ambiguous"`
	Phase   string `json:"phase" jsonschema:"the phase to move to: the next phase of the ladder, an earlier one, or rollback"`
	Force   bool   `json:"force,omitempty" jsonschema:"move although the live phase's hold has not passed (or cannot be checked), or phases are skipped; needs reason"`
	Reason  string `json:"reason,omitempty" jsonschema:"why: recorded in the intent as the rollout's reason, next to since, for reviewers (required with force)"`
	DryRun  bool   `json:"dryRun,omitempty" jsonschema:"return the diff of the intent file and write nothing"`
}

type weights struct {
	Stable int `json:"stable"`
	Canary int `json:"canary"`
}

// phaseOutput is what set_phase and rollback did.
type phaseOutput struct {
	Rollout string `json:"rollout"`
	From    string `json:"from"`
	To      string `json:"to"`
	// Before and After are the weights of the phases moved between: the
	// traffic change.
	Before weights `json:"before"`
	After  weights `json:"after"`
	// Summary is the line meshroll advance prints.
	Summary string `json:"summary,omitempty"`
	// Diff is the unified diff of the intent files.
	Diff   string `json:"diff"`
	DryRun bool   `json:"dryRun"`
	// Written are the intent files written; none on a dry run.
	Written []string `json:"written"`
	// Forced is the hold (or the skip) that force overrode.
	Forced string `json:"forced,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Unchanged says why nothing was done.
	Unchanged string `json:"unchanged,omitempty"`
}

func (s *server) addSetPhase(srv *mcp.Server) {
	mcp.AddTool(srv, &mcp.Tool{
		Name: "set_phase",
		Description: "Move a rollout to a phase by editing the phase and since fields of its intent file in place, as meshroll advance does: every other byte of the file, its formatting and comments, stays as it was, and a person reviews the edit as a pull request. " +
			"The live phase's hold is obeyed, and phases are taken one at a time, unless force is given with a reason (recorded in the intent next to since). A move back down the ladder, or to rollback, needs neither. " +
			"Returns the diff of the intent file and the traffic change; dryRun writes nothing.",
		Annotations: &mcp.ToolAnnotations{Title: "Set a rollout's phase", DestructiveHint: boolPtr(false), OpenWorldHint: boolPtr(false)},
	}, func(ctx context.Context, _ *mcp.CallToolRequest, in setPhaseInput) (*mcp.CallToolResult, any, error) {
		if strings.TrimSpace(in.Phase) == "" {
			return nil, nil, errors.New("name the phase to move to: the next phase of the ladder, an earlier one, or rollback")
		}
		return s.move(in.Rollout, in.Phase, in.Force, in.Reason, in.DryRun)
	})
}

// move changes the live phase of the rollout ref through package shift,
// as the CLI's advance and rollback do.
func (s *server) move(ref, to string, force bool, reason string, dryRun bool) (*mcp.CallToolResult, any, error) {
	if err := shift.CheckReason(force, reason); err != nil {
		return nil, nil, reasonError(err)
	}
	e, err := s.env()
	if err != nil {
		return nil, nil, toolError(err)
	}
	r, err := e.find(ref)
	if err != nil {
		return nil, nil, toolError(err)
	}
	// Only intent files inside the repository are written.
	if real := input.ResolveExisting(r.File); !input.Within(real, e.root) {
		return nil, nil, fmt.Errorf("%s is outside the repository at %s; meshroll writes only inside the repository", r.File, e.root)
	}
	if !dryRun {
		s.writes.Lock()
		defer s.writes.Unlock()
	}
	res, err := shift.Change(shift.Options{
		Rollout: ref,
		To:      to,
		Force:   force,
		Reason:  reason,
		DryRun:  dryRun,
		Now:     s.now(),
		Load:    e.load,
		Waiting: func(file string) {
			fmt.Fprintf(s.opts.Log, "meshroll: waiting for another meshroll editing %s\n", file)
		},
	})
	var refused *shift.Refused
	switch {
	case errors.As(err, &refused) && refused.Forcible:
		return nil, nil, fmt.Errorf("%s; pass force: true with a reason to move anyway", refused.Msg)
	case err != nil:
		return nil, nil, toolError(reasonError(err))
	}
	out := phaseOutput{Rollout: res.Rollout.ID(), From: res.From, To: res.To, Summary: res.Summary, Unchanged: res.Unchanged,
		DryRun: dryRun, Written: res.Written, Diff: string(res.Edit.Diff()), Reason: reason}
	if out.Written == nil {
		out.Written = []string{}
	}
	if res.Forced != nil {
		out.Forced = res.Forced.Msg
	}
	if out.Before.Stable, out.Before.Canary, err = render.Weights(res.Rollout, res.From); err != nil {
		return nil, nil, toolError(err)
	}
	out.After = out.Before
	if res.Unchanged == "" {
		out.After = weights{res.Stable, res.Canary}
	}
	return result(phaseText(out), out), nil, nil
}

func phaseText(out phaseOutput) string {
	if out.Unchanged != "" {
		return out.Unchanged + "\n"
	}
	var b strings.Builder
	fmt.Fprintln(&b, out.Summary)
	if out.Before != out.After {
		fmt.Fprintf(&b, "traffic: stable %d%% → %d%%, canary %d%% → %d%%\n", out.Before.Stable, out.After.Stable, out.Before.Canary, out.After.Canary)
	}
	if out.Forced != "" {
		fmt.Fprintf(&b, "forced: %s\n", out.Forced)
	}
	b.WriteString("\n")
	b.WriteString(out.Diff)
	if out.DryRun {
		b.WriteString("\ndry run: nothing written\n")
	}
	for _, f := range out.Written {
		fmt.Fprintf(&b, "\nupdated  %s\n", f)
	}
	if !out.DryRun && out.To != schema.PhaseRollback {
		b.WriteString("commit the intent, render, and open a pull request: the change reaches the cluster when it merges\n")
	}
	return b.String()
}

// reasonError words a *shift.ReasonError in the tools' terms.
func reasonError(err error) error {
	var re *shift.ReasonError
	switch {
	case !errors.As(err, &re):
		return err
	case re.Missing:
		return errors.New("force needs a reason: the reason is recorded in the intent next to since, so that reviewers see why the hold was cut short")
	}
	return fmt.Errorf("reason: %v", re.Err)
}
