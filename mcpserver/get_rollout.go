package mcpserver

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/meshroll/meshroll/edit"
	"github.com/meshroll/meshroll/probe"
	"github.com/meshroll/meshroll/render"
)

type getInput struct {
	Rollout string `json:"rollout" jsonschema:"the rollout: its name, or namespace/name when the name is ambiguous"`
	Phase   string `json:"phase,omitempty" jsonschema:"the phase to render (default: the live phase); a name of the ladder, or rollback"`
}

type phaseRow struct {
	Name   string `json:"name"`
	Stable int    `json:"stable"`
	Canary int    `json:"canary"`
	Hold   string `json:"hold,omitempty"`
	Live   bool   `json:"live"`
}

type objectRef struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

type getOutput struct {
	rolloutState
	// Rendered is the phase the manifests are rendered for.
	Rendered string     `json:"renderedPhase"`
	Phases   []phaseRow `json:"phases"`
	// Objects are the rendered objects, and Manifests their YAML, as
	// meshroll render writes them.
	Objects   []objectRef `json:"objects"`
	Manifests string      `json:"manifests"`
}

func (s *server) addGetRollout(srv *mcp.Server) {
	mcp.AddTool(srv, &mcp.Tool{
		Name:        "get_rollout",
		Description: "Show one rollout: where its intent is (file:line:col), its phase ladder with weights and holds, and the VirtualService and DestinationRule it renders for a phase (the live one by default), as meshroll render writes them.",
		Annotations: readOnly("Get a rollout"),
	}, func(ctx context.Context, _ *mcp.CallToolRequest, in getInput) (*mcp.CallToolResult, any, error) {
		e, err := s.env()
		if err != nil {
			return nil, nil, toolError(err)
		}
		r, err := e.find(in.Rollout)
		if err != nil {
			return nil, nil, toolError(err)
		}
		phase := in.Phase
		if phase == "" {
			phase = r.Phase
		}
		if err := probe.CheckPhase(r, phase); err != nil {
			return nil, nil, err
		}
		st, err := state(r, s.now())
		if err != nil {
			return nil, nil, toolError(err)
		}
		out := getOutput{rolloutState: st, Rendered: phase}
		for _, name := range render.Phases(r) {
			row := phaseRow{Name: name, Live: name == r.Phase}
			if row.Stable, row.Canary, err = render.Weights(r, name); err != nil {
				return nil, nil, toolError(err)
			}
			if p, ok := r.PhaseNamed(name); ok && p.Hold > 0 {
				row.Hold = edit.FormatDuration(p.Hold)
			}
			out.Phases = append(out.Phases, row)
		}
		objs, err := render.Rollout(r, phase)
		if err != nil {
			return nil, nil, toolError(err)
		}
		var yaml bytes.Buffer
		for _, o := range objs {
			tm, om := o.Meta()
			out.Objects = append(out.Objects, objectRef{Kind: tm.Kind, Namespace: om.Namespace, Name: om.Name})
			if yaml.Len() > 0 {
				yaml.WriteString("---\n")
			}
			render.AppendYAML(&yaml, o)
		}
		out.Manifests = yaml.String()
		return result(getText(out), out), nil, nil
	})
}

func getText(out getOutput) string {
	var b strings.Builder
	fmt.Fprintf(&b, "rollout %s, intent %s\nlive phase %s", out.ID, out.Intent, out.Phase)
	if out.Since != "" {
		fmt.Fprintf(&b, " since %s", out.Since)
	}
	if out.Reason != "" {
		fmt.Fprintf(&b, " (reason: %s)", out.Reason)
	}
	b.WriteString("\n\n")
	for _, p := range out.Phases {
		mark := " "
		if p.Live {
			mark = ">"
		}
		hold := p.Hold
		if hold == "" {
			hold = "-"
		}
		fmt.Fprintf(&b, "%s %-10s stable %3d%%  canary %3d%%  hold %s\n", mark, p.Name, p.Stable, p.Canary, hold)
	}
	var names []string
	for _, o := range out.Objects {
		names = append(names, o.Kind+"/"+o.Namespace+"/"+o.Name)
	}
	fmt.Fprintf(&b, "\nrendered for phase %s: %s\n\n%s", out.Rendered, strings.Join(names, ", "), out.Manifests)
	return b.String()
}
