package mcpserver

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// addPrompts adds the prompts of the seeds' workflow: shift a rollout to
// its next phase safely, and roll one back.
func addPrompts(srv *mcp.Server) {
	rollout := &mcp.PromptArgument{Name: "rollout", Description: "the rollout: its name, or namespace/name", Required: true}
	srv.AddPrompt(&mcp.Prompt{
		Name:        "shift_next_phase",
		Title:       "Shift a rollout to its next phase safely",
		Description: "The canary traffic-shifting workflow over the GitOps repository: read the rollout and its DestinationRule, verify routing, check the metrics, then edit the phase for a pull request.",
		Arguments:   []*mcp.PromptArgument{rollout},
	}, func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		r := req.Params.Arguments["rollout"]
		if r == "" {
			return nil, fmt.Errorf("the prompt needs the rollout argument")
		}
		return &mcp.GetPromptResult{
			Description: "Shift " + r + " to its next phase safely",
			Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: fmt.Sprintf(`Shift the rollout %[1]s to the next phase of its ladder, safely, with the meshroll tools. They work on the GitOps repository, not the cluster: the change is an edit of intent that reaches the cluster when its pull request merges.

1. get_rollout {"rollout": %[1]q}: read the live phase, its hold, and the rendered VirtualService and DestinationRule. Make sure the DestinationRule defines every subset the VirtualService routes to.
2. list_rollouts: see how much of the live phase's hold is left and what the next phase is. If the hold has not passed, stop and say when it will: do not force it unless I give you a reason.
3. route {"rollout": %[1]q, "phase": <next phase>}: check that the A/B routes still reach who they should in the next phase (headers, cookies, source labels), and what share everyone else gets.
4. gate {"rollout": %[1]q}: when Prometheus is configured, the metrics must pass. On fail, call rollback with the failing metrics as the reason instead, and stop.
5. set_phase {"rollout": %[1]q, "phase": <next phase>, "dryRun": true}: show me the diff of the intent file and the traffic change.
6. set_phase without dryRun, then check, and diff for the pull request's description.`, r)}}},
		}, nil
	})
	srv.AddPrompt(&mcp.Prompt{
		Name:        "roll_back",
		Title:       "Roll a rollout back to stable",
		Description: "Send all of a rollout's traffic to stable through a reviewed edit of intent, with the reason recorded.",
		Arguments:   []*mcp.PromptArgument{rollout, {Name: "reason", Description: "why: recorded in the intent for the pull request", Required: true}},
	}, func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		r, why := req.Params.Arguments["rollout"], req.Params.Arguments["reason"]
		if r == "" || why == "" {
			return nil, fmt.Errorf("the prompt needs the rollout and reason arguments")
		}
		return &mcp.GetPromptResult{
			Description: "Roll " + r + " back",
			Messages:    []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: fmt.Sprintf(`Roll the rollout %[1]s back to stable with the meshroll tools: rollback {"rollout": %[1]q, "reason": %[2]q, "dryRun": true} first, show me the diff and the traffic change, then the same without dryRun. Then run check and diff, and tell me to commit, render and open the pull request: the rollback reaches the cluster when it merges.`, r, why)}}},
		}, nil
	})
}
