package mcpserver

import (
	"bytes"
	"context"
	"errors"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/meshroll/meshroll/gate"
	"github.com/meshroll/meshroll/repo"
)

type gateInput struct {
	Rollout string `json:"rollout" jsonschema:"the rollout: its name, or namespace/name when the name is ambiguous"`
}

func (s *server) addGate(srv *mcp.Server) {
	mcp.AddTool(srv, &mcp.Tool{
		Name: "gate",
		Description: "Judge a rollout's live phase on its metrics, as meshroll gate does: every metric of its analysis is queried now from the Prometheus of .meshroll.yaml (prometheus.url) and compared with its bounds; the verdict is pass, fail or no-data. " +
			"It writes nothing; set_phase or rollback act on the verdict.",
		Annotations: &mcp.ToolAnnotations{Title: "Gate on metrics", ReadOnlyHint: true, OpenWorldHint: boolPtr(true)},
	}, func(ctx context.Context, _ *mcp.CallToolRequest, in gateInput) (*mcp.CallToolResult, any, error) {
		e, err := s.env()
		if err != nil {
			return nil, nil, toolError(err)
		}
		r, err := e.find(in.Rollout)
		if err != nil {
			return nil, nil, toolError(err)
		}
		if err := gate.RequireAnalysis(r); err != nil {
			return nil, nil, err
		}
		c, err := repo.Prometheus(e.cfg, "", gate.DefaultTimeout, s.opts.Getenv)
		var none repo.ErrNoPrometheus
		if errors.As(err, &none) {
			return nil, nil, errors.New("no Prometheus to query: set prometheus.url in .meshroll.yaml")
		}
		if err != nil {
			return nil, nil, err
		}
		res, err := c.Evaluate(ctx, r, s.now())
		if err != nil {
			return nil, nil, err
		}
		var text, js bytes.Buffer
		if err := gate.WriteResults(&text, "text", []*gate.Result{res}); err != nil {
			return nil, nil, err
		}
		if err := gate.WriteResults(&js, "json", []*gate.Result{res}); err != nil {
			return nil, nil, err
		}
		data, err := rawJSON(js.Bytes())
		if err != nil {
			return nil, nil, err
		}
		return result(text.String(), data), nil, nil
	})
}
