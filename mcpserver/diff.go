package mcpserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/meshroll/meshroll/diff"
	"github.com/meshroll/meshroll/diff/revision"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/repo"
)

type diffInput struct {
	Base      string `json:"base,omitempty" jsonschema:"the git revision to compare the working tree's intents with (default HEAD): a branch, a tag, a commit"`
	AllPhases bool   `json:"allPhases,omitempty" jsonschema:"compare every phase of every rollout, not only the live one"`
}

func (s *server) addDiff(srv *mcp.Server) {
	mcp.AddTool(srv, &mcp.Tool{
		Name: "diff",
		Description: "What the working tree's intents (committed or not) change against a git revision, as meshroll diff --base says it in a pull request comment: per rollout, the phase and the stable and canary shares, A/B routes, mirrors, faults and mTLS, and moves that skip a phase or cut a hold short; then every rendered resource changed, field by field. " +
			"The revision is read with git's plumbing; the working tree and the index are left alone.",
		Annotations: readOnly("Diff against a revision"),
	}, func(ctx context.Context, _ *mcp.CallToolRequest, in diffInput) (*mcp.CallToolResult, any, error) {
		e, err := s.env()
		if err != nil {
			return nil, nil, toolError(err)
		}
		base := in.Base
		if base == "" {
			base = "HEAD"
		}
		mode := render.Live
		if in.AllPhases {
			mode = render.AllPhases
		}
		c, err := repo.DiffBase(ctx, base, e.intents(), mode, e.ex, s.now())
		if err != nil {
			var invalid *revision.InvalidError
			if errors.As(err, &invalid) {
				also := ""
				if invalid.BothSides {
					also = fmt.Sprintf(" (and so are those at %s)", base)
				}
				return nil, nil, fmt.Errorf("the intents in %s are invalid%s:\n%w", invalid.Side, also, toolError(invalid.Errs))
			}
			return nil, nil, toolError(err)
		}
		r, err := diff.Files(c.Old, c.New)
		if err != nil {
			return nil, nil, fmt.Errorf("the manifests do not parse: %w", err)
		}
		r.SetProgress(c.Progress)
		var md, js bytes.Buffer
		if err := (diff.Markdown{}).Write(&md, r); err != nil {
			return nil, nil, err
		}
		if err := (diff.JSON{}).Write(&js, r); err != nil {
			return nil, nil, err
		}
		data, err := rawJSON(js.Bytes())
		if err != nil {
			return nil, nil, err
		}
		text := md.String()
		if r.Empty() {
			text = fmt.Sprintf("the working tree changes nothing against %s\n", base)
		}
		return result(text, data), nil, nil
	})
}
