package mcpserver

import (
	"bytes"
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/meshroll/meshroll/internal/tree"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/repo"
)

type checkInput struct {
	AllPhases bool `json:"allPhases,omitempty" jsonschema:"the rendered tree was rendered with --all-phases"`
}

type staleFile struct {
	Path    string `json:"path"`
	Problem string `json:"problem"`
}

type checkOutput struct {
	Out      string      `json:"out"`
	UpToDate bool        `json:"upToDate"`
	Stale    []staleFile `json:"stale"`
	// Fix is the command that brings the tree up to date.
	Fix string `json:"fix,omitempty"`
	findings
}

func (s *server) addCheck(srv *mcp.Server) {
	mcp.AddTool(srv, &mcp.Tool{
		Name: "check",
		Description: "Check the repository as meshroll check does in a pre-commit hook or CI: render the intents in memory and compare the result, byte for byte, with the rendered tree (out in .meshroll.yaml), listing stale, missing and orphaned files; " +
			"then lint the rendering, findings reported at the intent's lines, and run the routing expectations (MR601). The findings are those of meshroll check -o json.",
		Annotations: readOnly("Check the rendered tree"),
	}, func(ctx context.Context, _ *mcp.CallToolRequest, in checkInput) (*mcp.CallToolResult, any, error) {
		e, err := s.env()
		if err != nil {
			return nil, nil, toolError(err)
		}
		out, err := repo.Out(e.cfg)
		if err != nil {
			return nil, nil, err
		}
		intents := e.intents()
		if err := repo.CheckOut(e.cfg, out, false, intents); err != nil {
			return nil, nil, err
		}
		lo, err := repo.ResolveLint(repo.LintFlags{Intents: intents, Output: "json"}, e.cfg)
		if err != nil {
			return nil, nil, toolError(err)
		}
		rules, err := repo.LintRules(lo.Policies)
		if err != nil {
			return nil, nil, toolError(err)
		}
		if err := repo.CheckRuleIDs(lo, rules); err != nil {
			return nil, nil, err
		}
		mode, fix := render.Live, "meshroll render"
		if in.AllPhases {
			mode, fix = render.AllPhases, "meshroll render --all-phases"
		}
		res, err := repo.Check(repo.CheckOptions{Intents: intents, Exclude: e.ex, Out: out, Mode: mode, Lint: lo.LintOptionsFor(rules), Now: s.now(),
			Tree: tree.Options{Warn: func(msg string) { fmt.Fprintf(s.opts.Log, "meshroll: %s\n", msg) }}})
		if err != nil {
			return nil, nil, toolError(err)
		}
		var text bytes.Buffer
		stale := repo.WriteStale(&text, res, out, fix, false)
		reportText, f, err := s.report(res.Report, lo.FailOn)
		if err != nil {
			return nil, nil, err
		}
		text.WriteString(reportText)
		co := checkOutput{Out: out, UpToDate: !stale, Stale: []staleFile{}, findings: f}
		if stale {
			co.Fix = fix
		}
		for _, c := range res.Changes {
			co.Stale = append(co.Stale, staleFile{Path: out + "/" + c.Path, Problem: repo.StaleReason(c.Op)})
		}
		return result(text.String(), co), nil, nil
	})
}
