package mcpserver

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/meshroll/meshroll/edit"
	"github.com/meshroll/meshroll/gate"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/repo"
	"github.com/meshroll/meshroll/schema"
)

type listInput struct{}

// rolloutState is one rollout in list_rollouts.
type rolloutState struct {
	ID        string `json:"id"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Intent is file:line:col of the rollout in its intent file.
	Intent string `json:"intent"`
	Phase  string `json:"phase"`
	Stable int    `json:"stable"`
	Canary int    `json:"canary"`
	// Steady is set for a rollout without a canary: all traffic to stable.
	Steady bool   `json:"steady"`
	Since  string `json:"since,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Hold is the live phase's hold; HoldLeft how much of it is left
	// ("0s" once passed, "unknown" without since) and HoldUntil when it
	// ends.
	Hold      string `json:"hold,omitempty"`
	HoldLeft  string `json:"holdLeft,omitempty"`
	HoldUntil string `json:"holdUntil,omitempty"`
	// Next is the phase meshroll advance would move to; "" at the last.
	Next string `json:"next,omitempty"`
	// Analysis is set when the rollout gates on metrics.
	Analysis bool `json:"analysis"`
	// Gate is the metric verdict when Prometheus is configured.
	Gate *gateState `json:"gate,omitempty"`
}

type gateState struct {
	Verdict string `json:"verdict,omitempty"`
	Error   string `json:"error,omitempty"`
}

type listOutput struct {
	Rollouts []rolloutState `json:"rollouts"`
}

func (s *server) addListRollouts(srv *mcp.Server) {
	mcp.AddTool(srv, &mcp.Tool{
		Name:        "list_rollouts",
		Description: "List every rollout of the repository's intents: namespace/name, the live phase and its stable/canary weights, since, how much of the phase's hold is left, the next phase, and the metric gate's verdict when Prometheus is configured in .meshroll.yaml.",
		Annotations: readOnly("List rollouts"),
	}, func(ctx context.Context, _ *mcp.CallToolRequest, _ listInput) (*mcp.CallToolResult, any, error) {
		e, err := s.env()
		if err != nil {
			return nil, nil, toolError(err)
		}
		in, err := e.load()
		if err != nil {
			return nil, nil, toolError(err)
		}
		now := s.now()
		var client *gate.Client
		if e.cfg.Prometheus.URL != "" {
			client, err = repo.Prometheus(e.cfg, "", gate.DefaultTimeout, s.opts.Getenv)
			if err != nil {
				return nil, nil, toolError(err)
			}
		}
		out := listOutput{Rollouts: []rolloutState{}}
		for _, r := range in.Rollouts {
			st, err := state(r, now)
			if err != nil {
				return nil, nil, toolError(err)
			}
			if client != nil && gate.Gated(r) {
				st.Gate = &gateState{}
				if res, err := client.Evaluate(ctx, r, now); err != nil {
					st.Gate.Error = err.Error()
				} else {
					st.Gate.Verdict = res.Verdict
				}
			}
			out.Rollouts = append(out.Rollouts, st)
		}
		return result(listText(out), out), nil, nil
	})
}

// state is where rollout r stands at now.
func state(r *schema.Rollout, now time.Time) (rolloutState, error) {
	st := rolloutState{ID: r.ID(), Namespace: r.Namespace, Name: r.Name, Intent: r.Pos().String(), Phase: r.Phase,
		Steady: r.Canary == nil, Reason: r.Reason, Analysis: r.Analysis != nil}
	var err error
	if st.Stable, st.Canary, err = render.Weights(r, r.Phase); err != nil {
		return st, err
	}
	if !r.Since.IsZero() {
		st.Since = r.Since.UTC().Format(time.RFC3339)
	}
	if p, ok := r.LivePhase(); ok && p.Hold > 0 {
		st.Hold = edit.FormatDuration(p.Hold)
		switch {
		case r.Since.IsZero():
			st.HoldLeft = "unknown"
		default:
			until := r.Since.Add(p.Hold)
			st.HoldUntil = until.UTC().Format(time.RFC3339)
			st.HoldLeft = "0s"
			if now.Before(until) {
				st.HoldLeft = edit.FormatDuration(until.Sub(now))
			}
		}
	}
	if next, err := edit.Next(r, now, true); err == nil {
		st.Next = next.To
	}
	return st, nil
}

func listText(out listOutput) string {
	if len(out.Rollouts) == 0 {
		return "the intents define no rollouts"
	}
	var b strings.Builder
	for _, st := range out.Rollouts {
		fmt.Fprintf(&b, "%s: %s (stable %d%%, canary %d%%)", st.ID, st.Phase, st.Stable, st.Canary)
		if st.Steady {
			b.WriteString(", no canary")
		}
		if st.Since != "" {
			fmt.Fprintf(&b, " since %s", st.Since)
		}
		switch {
		case st.HoldLeft == "unknown":
			fmt.Fprintf(&b, "; holds %s, but since is not set", st.Hold)
		case st.HoldLeft == "0s":
			fmt.Fprintf(&b, "; its %s hold has passed", st.Hold)
		case st.Hold != "":
			fmt.Fprintf(&b, "; holds %s, %s left (until %s)", st.Hold, st.HoldLeft, st.HoldUntil)
		}
		if st.Next != "" {
			fmt.Fprintf(&b, "; next %s", st.Next)
		} else if !st.Steady && st.Phase != schema.PhaseRollback {
			b.WriteString("; the last phase")
		}
		if g := st.Gate; g != nil {
			if g.Error != "" {
				fmt.Fprintf(&b, "; gate: %s", g.Error)
			} else {
				fmt.Fprintf(&b, "; gate: %s", g.Verdict)
			}
		} else if st.Analysis {
			b.WriteString("; gated on metrics (no Prometheus configured)")
		}
		if st.Reason != "" {
			fmt.Fprintf(&b, "; reason: %s", st.Reason)
		}
		fmt.Fprintf(&b, " [%s]\n", st.Intent)
	}
	return b.String()
}
