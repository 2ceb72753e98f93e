package mcpserver

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/meshroll/meshroll/schema"
)

type rollbackInput struct {
	Rollout string `json:"rollout" jsonschema:"the rollout: its name, or namespace/name when the name is ambiguous"`
	Reason  string `json:"reason" jsonschema:"why: recorded in the intent as the rollout's reason, next to since, for the pull request"`
	DryRun  bool   `json:"dryRun,omitempty" jsonschema:"return the diff of the intent file and write nothing"`
}

func (s *server) addRollback(srv *mcp.Server) {
	mcp.AddTool(srv, &mcp.Tool{
		Name: "rollback",
		Description: "Send all of a rollout's traffic back to stable, as meshroll rollback does: sets its phase to rollback (a single route, stable weight 100, no A/B routes, mirror or fault) without waiting for any hold, " +
			"editing the phase, since and reason fields of its intent file in place. A rollout already rolled back is left alone. Returns the diff of the intent file and the traffic change.",
		Annotations: &mcp.ToolAnnotations{Title: "Roll a rollout back", DestructiveHint: boolPtr(false), IdempotentHint: true, OpenWorldHint: boolPtr(false)},
	}, func(ctx context.Context, _ *mcp.CallToolRequest, in rollbackInput) (*mcp.CallToolResult, any, error) {
		return s.move(in.Rollout, schema.PhaseRollback, false, in.Reason, in.DryRun)
	})
}
