package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/lint/report"
	"github.com/meshroll/meshroll/repo"
)

type lintInput struct {
	Paths   []string `json:"paths,omitempty" jsonschema:"manifests to lint: files, directories or kustomize directories of the repository, relative to its root (default: the rendered tree, out in .meshroll.yaml)"`
	Intents bool     `json:"intents,omitempty" jsonschema:"lint the intents too: every phase of every rollout rendered in memory, findings at the intent's lines, with the intent-level rules"`
}

// findings is a lint report as meshroll lint -o json writes it, with
// whether it fails at the configured threshold.
type findings struct {
	Report json.RawMessage `json:"report"`
	FailOn string          `json:"failOn"`
	Fails  bool            `json:"fails"`
}

func (s *server) addLint(srv *mcp.Server) {
	mcp.AddTool(srv, &mcp.Tool{
		Name: "lint",
		Description: "Lint Istio manifests of the repository against the documented best practices and the team's CUE policies, with the settings of .meshroll.yaml, as meshroll lint does; the findings are those of meshroll lint -o json (rule, severity, resource, file, line, column, message). " +
			"Without paths it lints the rendered tree.",
		Annotations: readOnly("Lint manifests"),
	}, func(ctx context.Context, _ *mcp.CallToolRequest, in lintInput) (*mcp.CallToolResult, any, error) {
		e, err := s.env()
		if err != nil {
			return nil, nil, toolError(err)
		}
		f := repo.LintFlags{Output: "json"}
		for _, p := range in.Paths {
			rel, err := e.inside(p)
			if err != nil {
				return nil, nil, err
			}
			f.Args = append(f.Args, rel)
		}
		if len(f.Args) == 0 && e.cfg.Out != "" {
			// The rendered tree, named as the other tools name files:
			// relative to the repository's root.
			out, err := repo.Out(e.cfg)
			if err != nil {
				return nil, nil, err
			}
			f.Args = []string{out}
		}
		if in.Intents {
			f.Intents = e.intents()
		}
		lo, err := repo.ResolveLint(f, e.cfg)
		if err != nil {
			return nil, nil, toolError(err)
		}
		for _, p := range lo.Paths {
			if _, err := e.inside(p); err != nil {
				return nil, nil, err
			}
		}
		rules, err := repo.LintRules(lo.Policies)
		if err != nil {
			return nil, nil, toolError(err)
		}
		if err := repo.CheckRuleIDs(lo, rules); err != nil {
			return nil, nil, err
		}
		rep, err := repo.Lint(lo, rules, strings.NewReader(""))
		if err != nil {
			return nil, nil, toolError(err)
		}
		text, data, err := s.report(rep, lo.FailOn)
		if err != nil {
			return nil, nil, err
		}
		return result(text, data), nil, nil
	})
}

// report writes rep as text for a person and as meshroll lint -o json for
// a program.
func (s *server) report(rep *lint.Report, failOn lint.Severity) (string, findings, error) {
	var text, js bytes.Buffer
	for format, w := range map[string]*bytes.Buffer{"text": &text, "json": &js} {
		r, err := report.New(format, report.Options{Version: s.opts.Version})
		if err != nil {
			return "", findings{}, err
		}
		if err := r.Report(w, rep); err != nil {
			return "", findings{}, fmt.Errorf("writing the report: %w", err)
		}
	}
	data, err := rawJSON(js.Bytes())
	if err != nil {
		return "", findings{}, err
	}
	f := findings{Report: data, FailOn: failOn.String(), Fails: rep.Fails(failOn)}
	t := text.String()
	if f.Fails {
		t += fmt.Sprintf("fails: findings at or above %s (failOn)\n", f.FailOn)
	}
	return t, f, nil
}
